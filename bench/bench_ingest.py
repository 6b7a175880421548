"""Ingest throughput on PostgreSQL with every index of the real schema: the upsert path vs bare COPY.

Measures, in batches of ``--batch`` rows (default 1,000), each batch in its own transaction as a
scrape writes it:

- posts inserted/s (first scrape), posts upserted/s again (re-scrape: every row conflicts and is
  updated) and the same with one media row per post, through ``scraping.ingest.upsert_posts``;
- profiles upserted/s through ``scraping.ingest.upsert_profiles``;
- the limit: ``COPY`` of the same post rows into the same fully indexed table, no conflict handling.

The bench database is created and migrated on first use; the tables are emptied before each
measurement. ``--use-existing`` instead keeps a database loaded by ``manage.py demo_scale`` and
re-scrapes ``--rows`` of its posts through the same upsert, with every index of the full table. Run::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_scraping_bench \\
        .venv/bin/python bench/bench_ingest.py --rows 20000

Each round runs every measurement once (interleaved); ``--repeat`` rounds (default 3) give the
median and best per line, then a JSON summary. The machine is shared: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")


def setup(database_url: str) -> None:
    import psycopg

    os.environ["DATABASE_URL"] = database_url
    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_posts(n: int, *, media: bool):
    from scraping.schemas import MediaData, PostData, text_signals

    start = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    posts = []
    for i in range(n):
        post = PostData(
            platform="instagram",
            external_id=str(3_000_000_000_000_000_000 + i),
            shortcode=f"C{i:010d}",
            posted_at=start + timedelta(minutes=7 * i),
            kind=rng.choice(["image", "video", "carousel", "reel"]),
            caption=f"Day {i} on the road with @brand{i % 50} #travel #food #ad{i % 3}",
            permalink=f"https://www.instagram.com/p/C{i:010d}/",
            likes_count=rng.randint(100, 100_000),
            comments_count=rng.randint(0, 2_000),
            views_count=rng.randint(1_000, 1_000_000),
            is_paid_partnership=i % 10 == 0,
            media=[MediaData("image", f"https://scontent.cdninstagram.com/v/{i}.jpg?oh=abc&oe=123")] if media else [],
        )
        posts.append(text_signals(post))
    return posts


def make_profiles(n: int):
    from scraping.schemas import ProfileData

    return [
        ProfileData(
            platform="instagram",
            handle=f"creator_{i}",
            external_id=str(10_000_000 + i),
            full_name=f"Creator {i}",
            bio="Travel and food",
            followers_count=1_000 + i,
            following_count=300,
            posts_count=120,
            is_business=i % 2 == 0,
            category="Creators & Celebrities",
        )
        for i in range(n)
    ]


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE posts_postmedia, posts_post, profiles_profilesnapshot, profiles_mention, "
            "profiles_relatedprofile, profiles_profile RESTART IDENTITY CASCADE"
        )


def timed_batches(items, batch: int, write) -> float:
    from django.db import transaction

    started = time.perf_counter()
    for start in range(0, len(items), batch):
        with transaction.atomic():
            write(items[start : start + batch])
    return time.perf_counter() - started


def bench_posts(posts, batch: int, author_id: int) -> tuple[float, float]:
    from scraping.ingest import upsert_posts

    def write(chunk):
        upsert_posts(chunk, default_author_id=author_id)

    first = timed_batches(posts, batch, write)
    again = timed_batches(posts, batch, write)
    return first, again


def bench_copy(posts, batch: int, author_id: int) -> float:
    """COPY the rows upsert_posts would write (same columns and values), batch by batch.

    The rows are prepared before the clock starts: this is the database's own limit.
    """
    from django.db import connection, transaction

    from posts.models import Post
    from scraping.ingest import _columns, _post_row, column_values

    columns = ", ".join(connection.ops.quote_name(col.column) for col in _columns(Post))
    fields = [col.field for col in _columns(Post)]
    now = datetime.now(tz=UTC)
    values = column_values(Post, [_post_row(p, now, author_id, None) for p in posts])
    prepared = [[f.get_db_prep_save(v, connection) for v in column] for f, column in zip(fields, values, strict=True)]
    rows = list(zip(*prepared, strict=True))
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Post._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows[start : start + batch]:
                copy.write_row(row)
    return time.perf_counter() - started


def one_round(args, posts, with_media, profiles) -> dict[str, float]:
    """Every measurement once, interleaved, so load swings on the shared machine hit them alike."""
    from profiles.models import Profile
    from scraping.ingest import upsert_profiles

    rates: dict[str, float] = {}

    def author_id() -> int:
        empty_tables()
        return Profile.objects.create(platform="instagram", handle="bench_author").pk

    first, again = bench_posts(posts, args.batch, author_id())
    rates["posts inserted (upsert, new rows)"] = len(posts) / first
    rates["posts upserted (re-scrape, all conflict)"] = len(posts) / again
    rates["posts COPY (limit, same rows)"] = len(posts) / bench_copy(posts, args.batch, author_id())
    first, again = bench_posts(with_media, args.batch, author_id())
    rates["posts+1 media inserted"] = len(with_media) / first
    rates["posts+1 media upserted (re-scrape)"] = len(with_media) / again
    empty_tables()
    rates["profiles inserted (upsert)"] = len(profiles) / timed_batches(profiles, args.batch, upsert_profiles)
    rates["profiles upserted (re-scrape)"] = len(profiles) / timed_batches(profiles, args.batch, upsert_profiles)
    empty_tables()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="Posts (and profiles) per measurement.")
    parser.add_argument("--batch", type=int, default=1_000, help="Rows per transaction.")
    parser.add_argument("--repeat", type=int, default=3, help="Rounds; the median and best are reported.")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_scraping_bench")
    )
    parser.add_argument(
        "--use-existing",
        "--no-load",
        dest="use_existing",
        action="store_true",
        help="Keep the loaded data (no TRUNCATE): re-scrape --rows of its posts, as bench/bench_scale.py's ingest row.",
    )
    args = parser.parse_args()
    setup(args.database_url)
    if args.use_existing:
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_scale import ingest_existing

        print(json.dumps({"batch": args.batch, **ingest_existing(args.rows, args.batch)}))
        return

    posts = make_posts(args.rows, media=False)
    with_media = make_posts(args.rows, media=True)
    profiles = make_profiles(args.rows)
    rounds = [one_round(args, posts, with_media, profiles) for _ in range(args.repeat)]

    summary: dict[str, dict[str, float]] = {}
    print(f"{'rows/s, batches of ' + str(args.batch):<42} {'median':>10} {'best':>10}")
    for label in rounds[0]:
        values = [r[label] for r in rounds]
        summary[label] = {"median": round(statistics.median(values)), "best": round(max(values))}
        print(f"{label:<42} {summary[label]['median']:>10,} {summary[label]['best']:>10,}")
    ratio = [r["posts upserted (re-scrape, all conflict)"] / r["posts COPY (limit, same rows)"] for r in rounds]
    print(f"re-scrape upsert / COPY, per round: {', '.join(f'{x:.2f}' for x in ratio)}")
    print(json.dumps({"rows": args.rows, "batch": args.batch, "repeat": args.repeat, **summary}))


if __name__ == "__main__":
    main()
