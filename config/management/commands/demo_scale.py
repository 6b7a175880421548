"""Scale the data set up for benchmarks: synthetic creators, subreddits, posts and snapshot history, loaded with COPY.

Use a database of its own (``DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench``) so
benchmark data never meets tests or real data: the command refuses the development and test
default databases (``--allow-default-db``) and a database holding rows it did not make
(``--force``). Rows are marked (``discovered_via="demo_scale"``, post ids ``scale-…``) and every
stage tops up to its requested total, committing every chunk, so an interrupted run continues
where it stopped. PostgreSQL gets ``COPY`` (snapshots as pre-formatted text lines: the Python
side is the bottleneck); other databases get ``bulk_create`` batches.

``--size full`` (the default) is issue #23's data set: 1,000,000 creators (700k Instagram, 300k
Reddit), 35,000 subreddits, 10,000,000 posts, 60,000,000 creator snapshots and 3,000,000
subreddit snapshots. A count option overrides its preset; given without ``--size``, the counts
not given are 0 (``--profiles 100000 --posts 1000000`` loads only those, as the benches ask).
"""

from __future__ import annotations

import bisect
import json as jsonlib
import math
import os
import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from posts.models import Post
from profiles.categories import CONTENT_CATEGORIES
from profiles.models import Community, CommunitySnapshot, Profile, ProfileSnapshot

MARK = "demo_scale"
SEED = 4242
SIZES: dict[str, dict[str, int]] = {
    name: {
        "profiles": 1_000_000 // div,
        "communities": 35_000 // div,
        "posts": 10_000_000 // div,
        "profile_snapshots": 60_000_000 // div,
        "community_snapshots": 3_000_000 // div,
    }
    for name, div in {"full": 1, "tenth": 10, "hundredth": 100, "thousandth": 1000}.items()
}
STAGES = tuple(SIZES["full"])
STAGE_MODELS = {
    "profiles": Profile,
    "communities": Community,
    "posts": Post,
    "profile_snapshots": ProfileSnapshot,
    "community_snapshots": CommunitySnapshot,
}
# Databases a benchmark load must not land in by default: the embedded development database and
# the one `make test` / config/pytest_plugin.py use, with Django's test database of it.
DEFAULT_TEST_DATABASE = "creatorscope"
CHUNK_ROWS = 200_000  # rows per transaction: what an interrupted run loses at most, per stage
OWNER_BATCH = 2_000  # snapshot owners per transaction
WORDS = [
    "sun",
    "lisbon",
    "food",
    "travel",
    "vegan",
    "coffee",
    "street",
    "style",
    "fitness",
    "yoga",
    "home",
    "garden",
    "tech",
    "code",
    "gaming",
    "music",
    "art",
    "photo",
    "mountain",
    "ocean",
    "city",
    "bike",
    "run",
    "cook",
    "bake",
    "wine",
    "craft",
    "design",
    "beauty",
    "skin",
    "fashion",
    "vintage",
    "family",
    "dog",
    "cat",
    "book",
    "film",
    "comedy",
    "science",
    "space",
    "car",
    "diy",
    "paint",
    "garden",
    "hike",
    "surf",
    "ski",
]
FIRST = [
    "ana",
    "bo",
    "cy",
    "dee",
    "eli",
    "fay",
    "gus",
    "hana",
    "ivo",
    "jo",
    "kai",
    "lia",
    "mo",
    "nia",
    "oli",
    "pia",
    "quin",
    "rui",
    "sol",
    "tia",
    "uma",
    "vic",
    "wes",
    "xia",
    "yan",
    "zoe",
]
LAST = [
    "costa",
    "silva",
    "smith",
    "jones",
    "garcia",
    "muller",
    "rossi",
    "martin",
    "dubois",
    "santos",
    "kim",
    "chen",
    "novak",
    "berg",
]
LANGUAGES = ["en", "en", "en", "pt", "es", "de", "fr", "it"]
# A few words per language so captions and bios are mixed-language text, as agencies' lists are.
LOCAL_WORDS = {
    "en": ["today", "new", "love", "weekend", "best"],
    "pt": ["hoje", "novo", "amor", "praia", "saudade"],
    "es": ["hoy", "nuevo", "amor", "playa", "fiesta"],
    "de": ["heute", "neu", "liebe", "wochenende", "lecker"],
    "fr": ["aujourd'hui", "nouveau", "amour", "plage", "soleil"],
    "it": ["oggi", "nuovo", "amore", "spiaggia", "dolce"],
}
CATEGORIES = list(CONTENT_CATEGORIES)


def _pick(rng: random.Random, p: float, value: Callable[[], Any], otherwise: Any = None) -> Any:
    return value() if rng.random() < p else otherwise


def profile_row(rng: random.Random, n: int, now, reddit_share: float = 0.3) -> dict[str, Any]:
    platform = "reddit" if rng.random() < reddit_share else "instagram"
    words = rng.sample(WORDS, 6)
    language = rng.choice(LANGUAGES)
    # Long-tailed: the median creator has ~13k followers, one in a few thousand has millions.
    followers = int(min(rng.lognormvariate(9.5, 1.7), 300_000_000))
    link_karma = int(rng.lognormvariate(6, 2.2)) if platform == "reddit" else None
    comment_karma = int(rng.lognormvariate(7, 2)) if platform == "reddit" else None
    scraped = _pick(rng, 0.9, lambda: now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)))
    return {
        "platform": platform,
        "external_id": str(10_000_000 + n),
        "handle": f"{words[0][:6]}{'_' if platform == 'reddit' else '.'}{words[1][:6]}{n}",  # Reddit allows 20 chars
        "full_name": f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
        "bio": " ".join(words[2:] + rng.sample(LOCAL_WORDS[language], 2))
        + f" creator from {rng.choice(['lisbon', 'berlin', 'paris', 'austin', 'tokyo'])}",
        "followers_count": followers if platform == "instagram" else None,
        "following_count": rng.randint(50, 3_000) if platform == "instagram" else None,
        "posts_count": rng.randint(10, 5_000),
        "link_karma": link_karma,
        "comment_karma": comment_karma,
        "total_karma": link_karma + comment_karma if platform == "reddit" else None,
        "account_created_at": now - timedelta(days=rng.randint(30, 15 * 365)) if platform == "reddit" else None,
        "is_verified": rng.random() < 0.05,
        "is_business": platform == "instagram" and rng.random() < 0.4,
        "engagement_rate": _pick(rng, 0.9, lambda: round(rng.uniform(0.2, 12), 3)),
        "follower_growth_30d": _pick(rng, 0.85, lambda: round(rng.gauss(1.5, 3), 3)),
        "sponsored_share": _pick(rng, 0.85, lambda: round(rng.betavariate(1.2, 8), 4)),
        "ai_primary_content_type": _pick(rng, 0.7, lambda: rng.choice(CATEGORIES), ""),
        "ai_primary_language": _pick(rng, 0.7, lambda: language, ""),
        "review_status": rng.choices(["unreviewed", "approved", "rejected", "watchlist"], [70, 20, 5, 5])[0],
        "last_scraped_at": scraped,
        "metrics_computed_at": scraped,
        "ai_analyzed_at": _pick(rng, 0.6, lambda: scraped),
        "scrape_status": "ok" if scraped else "never",
        "discovered_via": MARK,
        "created_at": now - timedelta(days=rng.randint(0, 365)),
        "updated_at": now,
    }


def community_row(rng: random.Random, n: int, now) -> dict[str, Any]:
    words = rng.sample(WORDS, 4)
    subscribers = int(min(rng.lognormvariate(8, 2.3), 60_000_000))  # r/funny-sized at the far tail
    scraped = _pick(rng, 0.9, lambda: now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)))
    return {
        "name": f"{words[0]}{words[1]}{n}"[:21],  # Reddit's 21-character limit
        "external_id": f"t5_s{n}",
        "title": f"{words[0].title()} and {words[1]}",
        "description": " ".join(words) + " — rules in the sidebar",
        "public_description": f"All about {words[0]}",
        "subscribers": subscribers,
        "visitors": int(subscribers * rng.uniform(0.001, 0.05)),
        "active_users": int(subscribers * rng.uniform(0.0005, 0.01)),
        "is_nsfw": rng.random() < 0.06,
        "created_utc": now - timedelta(days=rng.randint(30, 15 * 365)),
        "subreddit_type": "public" if rng.random() < 0.97 else "restricted",
        "avg_upvotes": round(rng.lognormvariate(3, 1.5), 2),
        "posts_per_day": round(rng.lognormvariate(1, 1.5), 2),
        "subscriber_growth_30d": _pick(rng, 0.85, lambda: round(rng.gauss(1, 2.5), 3)),
        "review_status": rng.choices(["unreviewed", "ok", "no_seller", "non_related", "banned"], [75, 15, 4, 4, 2])[0],
        "ai_suggested_category": _pick(rng, 0.5, lambda: rng.choice(CATEGORIES), ""),
        "scrape_status": "ok" if scraped else "never",
        "last_scraped_at": scraped,
        "metrics_computed_at": scraped,
        "discovered_via": MARK,
        "created_at": now - timedelta(days=rng.randint(0, 365)),
        "updated_at": now,
    }


POST_KINDS = ("image", "image", "image", "image", "image", "carousel", "carousel", "carousel", "reel", "reel", "video")
REDDIT_KINDS = ("text", "link", "image")
SENTIMENTS = ("positive", "positive", "neutral", "negative")


def post_row(
    rng: random.Random, n: int, author: tuple[int, str, int | None], now, posted_at=None, community_id=None
) -> dict[str, Any]:
    # random() and choice() only: this runs 10 million times, and sample()/choices() cost 5x more.
    author_id, platform, followers = author
    random_ = rng.random
    reddit = platform == "reddit"
    kind = REDDIT_KINDS[int(random_() * 3)] if reddit else POST_KINDS[int(random_() * 11)]
    reach = followers or 1_000
    hidden = not reddit and random_() < 0.05
    analysed = random_() < 0.6
    language = LANGUAGES[int(random_() * 8)]
    tag = WORDS[int(random_() * len(WORDS))]
    caption = f"{tag} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(LOCAL_WORDS[language])} #{tag}"
    return {
        "platform": platform,
        "external_id": f"scale-{n}",
        "author_id": author_id,
        "community_id": community_id,
        "kind": kind,
        "caption": caption,
        "permalink": f"https://example.com/p/{n}/",
        "posted_at": posted_at or now - timedelta(minutes=int(random_() * 60 * 24 * 180)),
        "likes_count": None if hidden or reddit else int(reach * (0.005 + random_() * 0.075)),
        "likes_hidden": hidden,
        "score": int(rng.lognormvariate(3, 2)) if reddit else None,
        "comments_count": int(reach * (0.0002 + random_() * 0.0038)),
        "views_count": int(reach * (0.2 + random_() * 1.8)) if kind in ("reel", "video") else None,
        "hashtags": [tag],
        "is_sponsored": random_() < 0.08,
        "is_viral": random_() < 0.01,
        "ai_status": "done" if analysed else "pending",
        "ai_sentiment": SENTIMENTS[int(random_() * 4)] if analysed else "",
        "ai_language": language if analysed else "",
        "ai_category": CATEGORIES[int(random_() * len(CATEGORIES))] if analysed else "",
        "ai_analyzed_at": now if analysed else None,
        "last_scraped_at": now,
        "created_at": now,
        "updated_at": now,
    }


def shares(total: int, weights: Iterable[float]) -> list[int]:
    """Split ``total`` over ``weights`` in whole numbers that add up to it exactly (cumulative rounding)."""
    weights = list(weights)
    scale = total / (sum(weights) or 1)
    bounds = [round(c * scale) for c in accumulate(weights)]
    return [b - a for a, b in zip([0, *bounds[:-1]], bounds, strict=True)]


def post_bursts(author_id: int, now) -> list:
    """When a creator posts: a few bursts (a trip, a campaign) over the last half-year."""
    rng = random.Random(author_id)
    return [now - timedelta(hours=rng.randint(0, 24 * 180)) for _ in range(rng.randint(1, 6))]


class Progress:
    """One line every few seconds: rows, rows/s, ETA."""

    def __init__(self, write: Callable[[str], None], stage: str, have: int, target: int, every: float = 3.0):
        self.write, self.stage, self.have, self.target, self.every = write, stage, have, target, every
        self.done = 0
        self.started = self.last = time.perf_counter()

    @property
    def rate(self) -> float:
        return self.done / max(time.perf_counter() - self.started, 1e-9)

    def add(self, rows: int, force: bool = False) -> None:
        self.done += rows
        now = time.perf_counter()
        if force or now - self.last >= self.every:
            self.last = now
            left = max(self.target - self.have - self.done, 0)
            eta = f"{left / self.rate:.0f} s" if self.rate else "?"
            self.write(
                f"  {self.stage}: {self.have + self.done:,}/{self.target:,} rows, {self.rate:,.0f} rows/s, ETA {eta}"
            )


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


# COPY's text format by the value's type: a dict lookup, not a chain of isinstance() (this runs
# half a billion times in a full load).
_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    float: repr,
    str: _escape,
    list: lambda value: _escape(jsonlib.dumps(value)),
    dict: lambda value: _escape(jsonlib.dumps(value)),
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def copy_text(value: Any) -> str:
    """One value in COPY's text format (an enum member or other subclass by its base type)."""
    for kind in type(value).__mro__:
        if kind in _TEXT:
            return _TEXT[kind](str(value) if kind is str else value)
    raise TypeError(f"no COPY text for {type(value).__name__}")


class Loader:
    """Write model rows fast: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    Why not ``bulk_create`` on PostgreSQL too: the same 200,000 creator snapshots took 2.5 s through
    COPY and 10.8 s through ``bulk_create(batch_size=5_000)`` (quiet machine, 2026-12-07,
    a one-off loop over this class and the ORM, not kept): 12 minutes against 54 for the 60,000,000
    snapshots of ``--size full``, whose whole load must stay under 45 minutes (issue #23).

    COPY bypasses Django's Python-side defaults, so every concrete column is filled: the
    generated value when given, else the field's default. Generated columns (``GeneratedField``)
    stay out of the column list: the database computes them and refuses a value for them. Rows
    become COPY text lines here (psycopg's per-value adaptation of ~50 columns cost more than
    generating the row).
    """

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
        self.position = {f.attname: i for i, f in enumerate(self.fields)}
        # Defaults computed once: per-row get_default() calls cost more than the COPY itself.
        self.default_text = [copy_text(f.get_default()) for f in self.fields]
        self.memo: dict[datetime, str] = {}

    def line(self, row: dict[str, Any]) -> str:
        values, position, text, memo = self.default_text.copy(), self.position, _TEXT, self.memo
        for key, value in row.items():
            kind = type(value)
            if kind is datetime:  # most are the load's "now": format it once
                formatted = memo.get(value)
                if formatted is None:
                    if len(memo) > 1_000:
                        memo.clear()
                    formatted = memo[value] = value.isoformat()
                values[position[key]] = formatted
            elif kind in text:
                values[position[key]] = text[kind](value)
            else:
                values[position[key]] = copy_text(value)
        return "\t".join(values) + "\n"

    def _copy_sql(self, columns: list[str] | None = None) -> str:
        names = columns or [f.column for f in self.fields]
        quoted = ", ".join(connection.ops.quote_name(c) for c in names)
        return f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({quoted}) FROM STDIN"

    def load(self, rows: Iterator[dict[str, Any]], progress: Progress | None = None) -> int:
        """Write ``rows``, one transaction per CHUNK_ROWS rows, so an interruption loses one chunk at most.

        Rows stream through: a chunk is never held in memory (200,000 post dicts were ~400 MB).
        """
        written = 0
        rows = iter(rows)
        while True:
            taken = 0

            def chunk() -> Iterator[dict[str, Any]]:
                nonlocal taken
                for row in islice(rows, CHUNK_ROWS):
                    taken += 1
                    yield row

            if connection.vendor == "postgresql":
                self.load_lines(None, map(self.line, chunk()), progress)
            else:
                with transaction.atomic():
                    self.model.objects.bulk_create([self.model(**row) for row in chunk()], batch_size=5_000)
                if progress:
                    progress.add(taken)
            written += taken
            if taken < CHUNK_ROWS:
                return written

    def load_lines(self, columns: list[str] | None, lines: Iterable[str], progress: Progress | None = None) -> None:
        """COPY pre-formatted text lines (tab-separated, ``\\N`` for NULL) in one transaction."""
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor, cursor.copy(self._copy_sql(columns)) as copy:
                # Lines go out a thousand at a time: one write() per line cost more than making it.
                lines = iter(lines)
                while block := list(islice(lines, 1_000)):
                    copy.write("".join(block))
                    if progress:
                        progress.add(len(block))  # prints at most every few seconds
            return
        objs = []
        for line in lines:
            values = [None if v == "\\N" else v for v in line.rstrip("\n").split("\t")]
            objs.append(self.model(**dict(zip(columns, values, strict=True))))
        with transaction.atomic():
            self.model.objects.bulk_create(objs, batch_size=5_000)


class SecondaryIndexes:
    """Drop a table's secondary indexes around a big load and rebuild them exactly as they were.

    Measured on 1.2M creator snapshots (loaded machine): COPY with the (creator, time) index took
    18.4 s; without it 9.3 s plus 1.9 s to build it afterwards. Only non-unique, non-primary
    indexes go (unique ones keep guarding the data). Their definitions (``pg_get_indexdef``: what
    the migrations created, RunSQL ones included) are kept in ``var/`` before the drop, so a run
    killed mid-load rebuilds them on its next start.
    """

    def __init__(self, model: type[models.Model]):
        self.table = model._meta.db_table
        self.path = settings.VAR_DIR / f"demo_scale_indexes_{connection.settings_dict['NAME']}_{self.table}.json"

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE t.relname = %s AND n.nspname = current_schema() AND NOT x.indisunique AND NOT x.indisprimary
                """,
                [self.table],
            )
            found = dict(cursor.fetchall())
            kept = jsonlib.loads(self.path.read_text()) if self.path.exists() else {}
            self.path.write_text(jsonlib.dumps({**kept, **found}, indent=1))
            for name in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def rebuild(self, write: Callable[[str], None]) -> None:
        if not self.path.exists():
            return
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in jsonlib.loads(self.path.read_text()).items():
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is None:
                    started = time.perf_counter()
                    # A partitioned table's index reads "ON ONLY parent": as such it would be an
                    # invalid shell with no index on any partition. Without ONLY it is built on each.
                    cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
                    write(f"  {self.table}: rebuilt index {name} in {time.perf_counter() - started:.1f} s")
            cursor.execute("RESET maintenance_work_mem")
        self.path.unlink()


def _num(value: float | int | None) -> str:
    return "\\N" if value is None else str(value)


def snapshot_counts(ids: list[int], total: int, seed: int) -> list[int]:
    """How many snapshots each owner has: a tenth tracked daily for a year, the rest a long tail."""
    rng = random.Random(seed)
    return shares(total, (6.0 if rng.random() < 0.1 else min(rng.lognormvariate(-1.3, 1.0), 6.0) for _ in ids))


def _ensure_partitions(model: type[models.Model], since, until) -> None:
    """Create the time partitions a load needs, where the snapshot tables are partitioned."""
    try:
        from config.partitions import ensure_partitions
    except ImportError:  # unpartitioned tables: nothing to prepare
        return
    ensure_partitions(model, since, until)


class Command(BaseCommand):
    help = (
        "Top the database up to a synthetic data set for benchmarks (COPY on PostgreSQL): --size full is "
        "1M creators, 35k subreddits, 10M posts, 60M creator and 3M subreddit snapshots. Resumable. "
        "Use a database of its own, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), help="Preset totals (default full; see the module doc).")
        for stage in STAGES:
            parser.add_argument(
                f"--{stage.replace('_', '-')}", dest=stage, type=int, help=f"{stage.replace('_', ' ')} wanted in total."
            )
        parser.add_argument("--reddit-share", type=float, default=0.3, help="Share of new creators on Reddit.")
        parser.add_argument("--force", action="store_true", help="Load even where the database holds real data.")
        parser.add_argument(
            "--allow-default-db", action="store_true", help="Load even into the development or test default database."
        )
        parser.add_argument(
            "--drop-indexes-from",
            type=int,
            default=100_000,
            metavar="ROWS",
            help="PostgreSQL: a stage adding at least this many rows drops its table's secondary indexes and "
            "rebuilds them after (default 100000).",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def targets(self, size: str | None, options: dict[str, Any]) -> dict[str, int]:
        given = {stage: options[stage] for stage in STAGES if options.get(stage) is not None}
        base = SIZES[size or "full"] if size or not given else dict.fromkeys(STAGES, 0)
        wanted = {**base, **given}
        if any(v < 0 for v in wanted.values()) or (wanted["posts"] and wanted["profiles"] < 1):
            raise CommandError("demo_scale: totals must be at least 0, and posts need --profiles of at least 1")
        if wanted["profile_snapshots"] and not wanted["profiles"]:
            raise CommandError("demo_scale: creator snapshots need --profiles of at least 1")
        if wanted["community_snapshots"] and not wanted["communities"]:
            raise CommandError("demo_scale: subreddit snapshots need --communities of at least 1")
        return wanted

    def refuse_unsafe_database(self, force: bool, allow_default_db: bool) -> None:
        name = str(connection.settings_dict["NAME"])
        dev_default = str(settings.VAR_DIR / "creatorscope.sqlite3")
        protected = {dev_default, DEFAULT_TEST_DATABASE, f"test_{DEFAULT_TEST_DATABASE}"}
        if name in protected and not allow_default_db:
            raise CommandError(
                f"demo_scale: refusing the development/test default database {name!r}; "
                "point DATABASE_URL at a database of its own (e.g. .../cs_bench) or pass --allow-default-db"
            )
        real = (
            Profile.objects.exclude(discovered_via=MARK).count()
            + Community.objects.exclude(discovered_via=MARK).count()
        )
        if real and not force:
            raise CommandError(
                f"demo_scale: database {name!r} holds {real} creators/subreddits it did not generate; "
                "use a database of its own or pass --force"
            )

    def handle(
        self,
        *args,
        size,
        json: bool,
        force: bool,
        allow_default_db: bool,
        reddit_share: float,
        drop_indexes_from: int,
        **options,
    ):
        wanted = self.targets(size, options)
        if not 0 <= reddit_share <= 1:
            raise CommandError("demo_scale: --reddit-share must be between 0 and 1")
        self.refuse_unsafe_database(force, allow_default_db)
        started = time.perf_counter()
        self.now = timezone.now()
        self.drop_indexes_from = drop_indexes_from
        summary: dict[str, Any] = {"status": "ok"}
        for stage in STAGES:
            stage_started, cpu_before = time.perf_counter(), self.cpu_seconds()
            try:
                have, created = getattr(self, f"load_{stage}")(wanted[stage], reddit_share=reddit_share)
            finally:
                if connection.vendor == "postgresql":
                    SecondaryIndexes(STAGE_MODELS[stage]).rebuild(self.say)
            seconds = time.perf_counter() - stage_started
            summary[f"{stage}_created"] = created
            summary[f"{stage}_total"] = have + created
            summary[f"{stage}_rows_per_s"] = round(created / seconds) if created else None
            if created:
                python_cpu, db_cpu = (b - a for b, a in zip(self.cpu_seconds(), cpu_before, strict=True))
                summary[f"{stage}_cpu_s"] = {"loader": round(python_cpu, 1), "database": round(db_cpu, 1)}
                self.say(
                    f"demo_scale: {stage} +{created:,} in {seconds:.1f} s ({created / seconds:,.0f} rows/s; "
                    f"CPU: loader {python_cpu:.1f} s, its database backend {db_cpu:.1f} s)"
                )
        if connection.vendor == "postgresql" and any(summary[f"{s}_created"] for s in STAGES):
            # What autovacuum does to a live table within minutes: planner statistics, the visibility
            # map and hint bits. Without it the first searches over a freshly bulk-loaded table
            # measured twice as slow (63 vs 30 ms for one count) — a state production never stays in.
            tables = [m._meta.db_table for m in (Profile, Community, Post, ProfileSnapshot, CommunitySnapshot)]
            vacuum_started = time.perf_counter()
            with connection.cursor() as cursor:
                # No ORM call runs VACUUM; the names are the models' own tables, quoted.
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(map(connection.ops.quote_name, tables))}")
            summary["vacuum_seconds"] = round(time.perf_counter() - vacuum_started, 1)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write("demo_scale: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds of this process and of its PostgreSQL backend (from /proc, where the server is local).

        On a busy machine wall time says little; the two CPU figures say what a quiet two-core
        machine needs: about the larger of them per stage, as generator and server work side by side.
        """
        own = sum(os.times()[:2])
        if connection.vendor != "postgresql":
            return own, 0.0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a server on another machine
            return own, 0.0
        return own, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def say(self, line: str) -> None:
        """A progress line, flushed: read through a pipe or a log file, it must not wait in a buffer."""
        self.stdout.write(line)
        self.stdout.flush()

    def progress(self, stage: str, have: int, target: int) -> Progress:
        """Called by each stage once it knows what it will add: drops indexes for a big load."""
        if connection.vendor == "postgresql" and target - have >= max(self.drop_indexes_from, 1):
            SecondaryIndexes(STAGE_MODELS[stage]).drop()
        return Progress(self.say, stage, have, target)

    # --- stages: each returns (rows it found, rows it added) ---

    def load_profiles(self, target: int, reddit_share: float, **_) -> tuple[int, int]:
        have = Profile.objects.filter(discovered_via=MARK).count()
        rng = random.Random(SEED + have)
        rows = (profile_row(rng, n, self.now, reddit_share) for n in range(have, max(target, have)))
        return have, Loader(Profile).load(rows, self.progress("profiles", have, target))

    def load_communities(self, target: int, **_) -> tuple[int, int]:
        have = Community.objects.filter(discovered_via=MARK).count()
        rng = random.Random(SEED * 3 + have)
        rows = (community_row(rng, n, self.now) for n in range(have, max(target, have)))
        return have, Loader(Community).load(rows, self.progress("communities", have, target))

    def load_posts(self, target: int, **_) -> tuple[int, int]:
        have = Post.objects.filter(external_id__startswith="scale-").count()
        if have >= target:
            return have, 0
        authors = Profile.objects.filter(discovered_via=MARK).order_by("id")
        ids, followers, reddit = array("q"), array("q"), bytearray()
        for author_id, platform, count in authors.values_list("id", "platform", "followers_count").iterator(10_000):
            ids.append(author_id)
            followers.append(count or 0)
            reddit.append(platform == "reddit")
        # Posts per creator: long-tailed, so a few post daily and most a few times a month.
        weight_rng = random.Random(SEED * 5)
        ends = list(accumulate(shares(target, (weight_rng.lognormvariate(0, 1.2) for _ in ids))))
        community_ids = list(Community.objects.filter(discovered_via=MARK).order_by("id").values_list("id", flat=True))
        community_rng = random.Random(SEED * 11)
        community_cum = list(accumulate(community_rng.paretovariate(1.1) for _ in community_ids))
        rng = random.Random(SEED * 7 + have)
        now = self.now

        def rows() -> Iterator[dict[str, Any]]:
            current, bursts = -1, []
            for n in range(have, target):
                index = bisect.bisect_right(ends, n)
                if index != current:
                    current, bursts = index, post_bursts(ids[index], now)
                author = (ids[index], "reddit" if reddit[index] else "instagram", followers[index] or None)
                posted_at = rng.choice(bursts) + timedelta(minutes=rng.randint(-4320, 4320))
                if posted_at > now:  # a burst still going on: within the last three days, never all at "now"
                    posted_at = now - timedelta(minutes=rng.randint(1, 4320))
                community = (
                    rng.choices(community_ids, cum_weights=community_cum)[0]
                    if reddit[index] and community_ids
                    else None
                )
                yield post_row(rng, n, author, now, posted_at=posted_at, community_id=community)

        return have, Loader(Post).load(rows(), self.progress("posts", have, target))

    def _load_snapshots(
        self, stage: str, target: int, model, owner_model, owner_field: str, owner_fields: list[str], line
    ) -> tuple[int, int]:
        """Daily snapshot history per owner, owner by owner in id order; resumes after the last owner done."""
        owners = owner_model.objects.filter(discovered_via=MARK).order_by("id")
        ids = list(owners.values_list("id", flat=True))
        if not ids or not target:
            return 0, 0
        counts = snapshot_counts(ids, target, SEED * 13 + len(stage))
        ends = list(accumulate(counts))
        # Loaded in owner id order, a batch of owners per transaction: the highest owner with
        # snapshots closes the last complete batch (a backward scan of the (owner, time) index).
        owner_range = {f"{owner_field}_id__gte": ids[0], f"{owner_field}_id__lte": ids[-1]}
        last = model.objects.filter(**owner_range).order_by("-pk").values_list(f"{owner_field}_id", flat=True).first()
        start = bisect.bisect_right(ids, last) if last is not None else 0
        have = ends[start - 1] if start else 0
        if start >= len(ids):
            # Every owner has its history: report what is there (a larger total needs a fresh database).
            have = model.objects.filter(**owner_range).count()
            if have < target:
                self.stdout.write(f"  {stage}: every owner has its history ({have:,} rows); not adding more")
            return have, 0
        days = max(counts)
        _ensure_partitions(model, self.now - timedelta(days=days + 1), self.now + timedelta(days=1))
        today = self.now.date()
        day_text = [(today - timedelta(days=d)).isoformat() for d in range(days + 1)]
        columns = [f"{owner_field}_id", "captured_at", *owner_fields]
        loader, progress = Loader(model), self.progress(stage, have, target)
        position = start
        while position < len(ids):
            batch_ids = ids[position : position + OWNER_BATCH]
            rows_by_id = {row[0]: row for row in owners.filter(id__in=batch_ids).values_list("id", *owner_fields)}
            lines = (
                text
                for i, owner_id in enumerate(batch_ids, start=position)
                if counts[i] and owner_id in rows_by_id
                for text in line(rows_by_id[owner_id], counts[i], day_text)
            )
            loader.load_lines(columns, lines)
            added = ends[min(position + len(batch_ids), len(ids)) - 1] - (ends[position - 1] if position else 0)
            progress.add(added)
            position += len(batch_ids)
        progress.add(0, force=True)
        return have, target - have

    def load_profile_snapshots(self, target: int, **_) -> tuple[int, int]:
        fields = ["followers_count", "following_count", "posts_count", "total_karma", "engagement_rate"]

        def line(owner, count: int, day_text: list[str]) -> Iterator[str]:
            owner_id, followers, following, posts, karma, engagement = owner
            rng = random.Random(owner_id)
            growth = rng.gauss(0.0008, 0.002)  # per day: most grow slowly, some shrink
            clock = f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00"
            for d in range(count - 1, -1, -1):
                factor = math.exp(-growth * d) * (1 + rng.gauss(0, 0.002))
                yield (
                    "\t".join(
                        (
                            str(owner_id),
                            day_text[d] + clock,
                            _num(None if followers is None else max(int(followers * factor), 0)),
                            _num(following),
                            _num(None if posts is None else max(posts - d // 3, 0)),
                            _num(None if karma is None else max(int(karma * factor), 0)),
                            _num(engagement),
                        )
                    )
                    + "\n"
                )

        return self._load_snapshots("profile_snapshots", target, ProfileSnapshot, Profile, "profile", fields, line)

    def load_community_snapshots(self, target: int, **_) -> tuple[int, int]:
        fields = ["subscribers", "visitors", "active_users"]

        def line(owner, count: int, day_text: list[str]) -> Iterator[str]:
            owner_id, subscribers, visitors, active = owner
            rng = random.Random(owner_id)
            growth = rng.gauss(0.0005, 0.0015)
            clock = f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00"
            for d in range(count - 1, -1, -1):
                factor = math.exp(-growth * d)
                yield (
                    "\t".join(
                        (
                            str(owner_id),
                            day_text[d] + clock,
                            _num(None if subscribers is None else max(int(subscribers * factor), 0)),
                            _num(None if visitors is None else max(int(visitors * rng.uniform(0.7, 1.3)), 0)),
                            _num(None if active is None else max(int(active * rng.uniform(0.5, 1.5)), 0)),
                        )
                    )
                    + "\n"
                )

        return self._load_snapshots(
            "community_snapshots", target, CommunitySnapshot, Community, "community", fields, line
        )
