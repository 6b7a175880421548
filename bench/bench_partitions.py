"""Bytes per creator per year of snapshot history, before and after the weekly roll-up.

Loads ``--profiles`` Instagram creators with one ``ProfileSnapshot`` a day for ``--days`` days (every
count filled, as a scrape stores them) into the partitioned table, then prints, per month partition
and in total, the rows, heap bytes and index bytes (``pg_relation_size`` / ``pg_indexes_size`` over
``pg_partition_tree``); runs the roll-up as the nightly task does (``profiles.history.roll_up``,
which rewrites each finished month); and prints the same figures again.

Run on an empty database of its own (it creates it and migrates)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_partition_bench \\
        .venv/bin/python bench/bench_partitions.py --profiles 10000 --days 365

The last line is a JSON summary. Sizes do not depend on the machine's load; the timings do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")


def setup(database_url: str) -> None:
    from bench.common import migrated_database

    migrated_database(database_url)


def load(profiles: int, days: int, now) -> float:
    from django.db import connection

    from config.partitions import ensure_partitions
    from profiles.models import Profile, ProfileSnapshot

    Profile.objects.filter(handle__startswith="pbench").delete()
    Profile.objects.bulk_create(
        (Profile(platform="instagram", handle=f"pbench{i}", external_id=f"pb{i}") for i in range(profiles)),
        batch_size=5000,
    )
    ensure_partitions(ProfileSnapshot, now - timedelta(days=days), now)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # One snapshot a day per creator at a random time of day, growing counts: what a daily scrape
        # stores. Set-based so 3.65M rows load in about a minute.
        cursor.execute(
            "INSERT INTO profiles_profilesnapshot (profile_id, captured_at, followers_count, following_count, "
            "posts_count, total_karma, engagement_rate) "
            "SELECT p.id, %s::timestamptz - d * interval '1 day' - random() * interval '20 hours', "
            "10000 + p.id * 3 + (%s - d) * 17, 500 + mod(d, 7), 300 + (%s - d) / 3, NULL, random() * 5 "
            "FROM profiles_profile p CROSS JOIN generate_series(0, %s - 1) d WHERE p.handle LIKE 'pbench%%'",
            [now, days, days, days],
        )
        cursor.execute("VACUUM ANALYZE profiles_profilesnapshot")
    return time.perf_counter() - started


def sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.relid::regclass::text, pg_relation_size(t.relid), pg_indexes_size(t.relid), "
            "(SELECT count(*) FROM profiles_profilesnapshot s WHERE s.tableoid = t.relid) "
            "FROM pg_partition_tree('profiles_profilesnapshot') t WHERE t.isleaf ORDER BY 1"
        )
        months = [
            {"partition": name, "rows": rows, "heap": heap, "indexes": indexes}
            for name, heap, indexes, rows in cursor.fetchall()
        ]
    total = {key: sum(m[key] for m in months) for key in ("rows", "heap", "indexes")}
    return {"months": months, "total": total}


def rewritten(figures: dict) -> dict:
    """``figures`` with each rolled-up month measured as ``VACUUM FULL`` leaves it once no transaction
    can still see the deleted rows: a fresh copy of its rows with the same two indexes. On a busy
    machine another database's long transaction holds the horizon back, so the months as stored may
    not have shrunk yet."""
    from django.db import connection

    from config.partitions import ROLLED_UP

    months = []
    with connection.cursor() as cursor:
        for month in figures["months"]:
            name = month["partition"]
            cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [name])
            if cursor.fetchone()[0] != ROLLED_UP.format(group="profile_id"):
                months.append(month)
                continue
            cursor.execute(f"CREATE TEMP TABLE scratch AS SELECT * FROM {name}")
            cursor.execute("CREATE INDEX ON scratch (id, captured_at)")
            cursor.execute("CREATE INDEX ON scratch (profile_id, captured_at)")
            cursor.execute("SELECT pg_relation_size('scratch'), pg_indexes_size('scratch')")
            heap, indexes = cursor.fetchone()
            cursor.execute("DROP TABLE scratch")
            months.append({**month, "heap": heap, "indexes": indexes})
    total = {key: sum(m[key] for m in months) for key in ("rows", "heap", "indexes")}
    return {"months": months, "total": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    setup(os.environ["DATABASE_URL"])
    from django.utils import timezone

    from profiles import history

    now = timezone.now()
    load_seconds = load(args.profiles, args.days, now)
    before = sizes()
    started = time.perf_counter()
    rolled = history.roll_up(now, budget_seconds=3600)
    roll_up_seconds = time.perf_counter() - started
    after = sizes()
    compact = rewritten(after)
    per_year = 365 / args.days
    stages = (("before roll-up", before), ("after roll-up, as stored", after), ("after roll-up, rewritten", compact))
    for label, figures in stages:
        print(f"{label}:")
        for month in figures["months"]:
            print(
                f"  {month['partition']:<36} {month['rows']:>10,} rows {month['heap']:>13,} B heap {month['indexes']:>13,} B idx"
            )
        t = figures["total"]
        print(
            f"  total {t['rows']:,} rows, heap {t['heap']:,} B, indexes {t['indexes']:,} B; "
            f"per creator per year {(t['heap'] + t['indexes']) / args.profiles * per_year:,.0f} B "
            f"({(t['heap'] + t['indexes']) / max(t['rows'], 1):.0f} B/row)"
        )
    summary = {
        "profiles": args.profiles,
        "days": args.days,
        "load_seconds": round(load_seconds, 1),
        "roll_up_seconds": round(roll_up_seconds, 1),
        "rows_deleted": rolled.deleted,
        "partitions_rolled_up": rolled.partitions,
        "before": before["total"],
        "after": after["total"],
        "after_rewritten": compact["total"],
        "bytes_per_creator_year_before": round(
            (before["total"]["heap"] + before["total"]["indexes"]) / args.profiles * per_year
        ),
        "bytes_per_creator_year_after": round(
            (compact["total"]["heap"] + compact["total"]["indexes"]) / args.profiles * per_year
        ),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
