"""Scale the data set up for benchmarks: many synthetic creators and posts, loaded with COPY.

Use a database of its own (``DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench``) so
benchmark data never meets tests or real data. Rows are marked (``discovered_via="demo_scale"``,
post ids ``scale-…``) and the command tops up to the requested totals, so running it twice adds
nothing. PostgreSQL gets ``COPY`` (BENCHMARKS.md: ~250k rows/s into a bare table; our indexes make
it slower); other databases get ``bulk_create`` batches.
"""

from __future__ import annotations

import json as jsonlib
import random
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from posts.models import Post
from profiles.categories import CONTENT_CATEGORIES
from profiles.models import Profile

MARK = "demo_scale"
SEED = 4242
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
CATEGORIES = list(CONTENT_CATEGORIES)


def _pick(rng: random.Random, p: float, value: Callable[[], Any], otherwise: Any = None) -> Any:
    return value() if rng.random() < p else otherwise


def profile_row(rng: random.Random, n: int, now) -> dict[str, Any]:
    platform = "reddit" if rng.random() < 0.1 else "instagram"
    words = rng.sample(WORDS, 6)
    followers = int(min(rng.lognormvariate(9.5, 1.7), 300_000_000))
    scraped = _pick(rng, 0.9, lambda: now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)))
    return {
        "platform": platform,
        "external_id": str(10_000_000 + n),
        "handle": f"{words[0][:6]}{'_' if platform == 'reddit' else '.'}{words[1][:6]}{n}",  # Reddit allows 20 chars
        "full_name": f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
        "bio": " ".join(words[2:]) + f" creator from {rng.choice(['lisbon', 'berlin', 'paris', 'austin', 'tokyo'])}",
        "followers_count": followers if platform == "instagram" else None,
        "following_count": rng.randint(50, 3_000) if platform == "instagram" else None,
        "posts_count": rng.randint(10, 5_000),
        "total_karma": rng.randint(0, 500_000) if platform == "reddit" else None,
        "is_verified": rng.random() < 0.05,
        "is_business": rng.random() < 0.4,
        "engagement_rate": _pick(rng, 0.9, lambda: round(rng.uniform(0.2, 12), 3)),
        "follower_growth_30d": _pick(rng, 0.85, lambda: round(rng.gauss(1.5, 3), 3)),
        "sponsored_share": _pick(rng, 0.85, lambda: round(rng.betavariate(1.2, 8), 4)),
        "ai_primary_content_type": _pick(rng, 0.7, lambda: rng.choice(CATEGORIES), ""),
        "ai_primary_language": _pick(rng, 0.7, lambda: rng.choice(LANGUAGES), ""),
        "review_status": rng.choices(["unreviewed", "approved", "rejected", "watchlist"], [70, 20, 5, 5])[0],
        "last_scraped_at": scraped,
        "metrics_computed_at": scraped,
        "ai_analyzed_at": _pick(rng, 0.6, lambda: scraped),
        "scrape_status": "ok" if scraped else "never",
        "discovered_via": MARK,
        "created_at": now - timedelta(days=rng.randint(0, 365)),
        "updated_at": now,
    }


def post_row(rng: random.Random, n: int, author: tuple[int, str, int | None], now) -> dict[str, Any]:
    author_id, platform, followers = author
    kind = rng.choices(["image", "carousel", "reel", "video"], [50, 25, 20, 5])[0]
    if platform == "reddit":
        kind = rng.choice(["text", "link", "image"])
    reach = followers or 1_000
    hidden = platform == "instagram" and rng.random() < 0.05
    analysed = rng.random() < 0.6
    words = rng.sample(WORDS, 5)
    return {
        "platform": platform,
        "external_id": f"scale-{n}",
        "author_id": author_id,
        "kind": kind,
        "caption": " ".join(words) + " #" + words[0],
        "permalink": f"https://example.com/p/{n}/",
        "posted_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 180)),
        "likes_count": None if hidden or platform == "reddit" else int(reach * rng.uniform(0.005, 0.08)),
        "likes_hidden": hidden,
        "score": rng.randint(0, 20_000) if platform == "reddit" else None,
        "comments_count": int(reach * rng.uniform(0.0002, 0.004)),
        "views_count": int(reach * rng.uniform(0.2, 2)) if kind in ("reel", "video") else None,
        "hashtags": [words[0]],
        "is_sponsored": rng.random() < 0.08,
        "is_viral": rng.random() < 0.01,
        "ai_status": "done" if analysed else "pending",
        "ai_sentiment": rng.choice(["positive", "neutral", "negative"]) if analysed else "",
        "ai_language": rng.choice(LANGUAGES) if analysed else "",
        "ai_category": rng.choice(CATEGORIES) if analysed else "",
        "ai_analyzed_at": now if analysed else None,
        "last_scraped_at": now,
        "created_at": now,
        "updated_at": now,
    }


class Loader:
    """Write model rows fast: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    COPY bypasses Django's Python-side defaults, so every concrete column is filled: the
    generated value when given, else the field's default.
    """

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        # Defaults computed once: per-row get_default() calls cost more than the COPY itself.
        self.columns = [(f.attname, f.get_default(), isinstance(f, models.JSONField)) for f in self.fields]

    def _values(self, row: dict[str, Any]) -> list[Any]:
        from psycopg.types.json import Jsonb

        return [
            Jsonb(row.get(key, default)) if is_json else row.get(key, default) for key, default, is_json in self.columns
        ]

    def load(self, rows: Iterator[dict[str, Any]]) -> int:
        written = 0
        if connection.vendor == "postgresql":
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
            with transaction.atomic(), connection.cursor() as cursor:
                sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({columns}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(self._values(row))
                        written += 1
            return written
        batch: list[models.Model] = []
        with transaction.atomic():
            for row in rows:
                batch.append(self.model(**row))
                if len(batch) == 5_000:
                    written += len(self.model.objects.bulk_create(batch))
                    batch = []
            written += len(self.model.objects.bulk_create(batch))
        return written


class Command(BaseCommand):
    help = (
        "Top the database up to N synthetic creators and M posts for benchmarks (COPY on PostgreSQL). "
        "Use a separate database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_bench."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, default=100_000, help="Synthetic creators wanted in total.")
        parser.add_argument("--posts", type=int, default=1_000_000, help="Synthetic posts wanted in total.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, profiles: int, posts: int, json: bool, **options):
        if profiles < 1 or posts < 0:
            raise CommandError("--profiles must be at least 1 and --posts at least 0")
        started = time.perf_counter()
        now = timezone.now()
        have_profiles = Profile.objects.filter(discovered_via=MARK).count()
        rng = random.Random(SEED + have_profiles)
        new_profiles = Loader(Profile).load(
            profile_row(rng, n, now) for n in range(have_profiles, max(profiles, have_profiles))
        )
        profile_seconds = time.perf_counter() - started

        authors = list(Profile.objects.filter(discovered_via=MARK).values_list("id", "platform", "followers_count"))
        have_posts = Post.objects.filter(external_id__startswith="scale-").count()
        rng = random.Random(SEED * 7 + have_posts)
        post_started = time.perf_counter()
        new_posts = Loader(Post).load(
            post_row(rng, n, rng.choice(authors), now) for n in range(have_posts, max(posts, have_posts))
        )
        post_seconds = time.perf_counter() - post_started
        if connection.vendor == "postgresql" and (new_profiles or new_posts):
            # What autovacuum does to a live table within minutes: planner statistics, the visibility
            # map and hint bits. Without it the first searches over a freshly bulk-loaded table
            # measured twice as slow (63 vs 30 ms for one count) — a state production never stays in.
            # VACUUM cannot run inside a transaction (the test suite's); ANALYZE alone can.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(f"{command} profiles_profile, posts_post")

        summary = {
            "status": "ok",
            "profiles_created": new_profiles,
            "posts_created": new_posts,
            "profiles_total": have_profiles + new_profiles,
            "posts_total": have_posts + new_posts,
            "profile_rows_per_s": round(new_profiles / profile_seconds) if new_profiles else None,
            "post_rows_per_s": round(new_posts / post_seconds) if new_posts else None,
            "seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write("demo_scale: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
