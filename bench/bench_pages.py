"""Server time of the analyst's admin changelists and pages at 100,000 creators.

Each page is rendered through Django's full request handler in-process (middleware, session, auth,
templates; no network, no browser), signed in as an analyst in the "Analyst" group, so the numbers
are what the server spends per request. Prints median / p95 milliseconds and the number of SQL
queries per page, then a JSON line. The issue's budget is < 300 ms per page.

Run (bench data lives in its own database, never the test or dev one):

    psql -h 127.0.0.1 -U postgres -c 'create database cs_admin_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_admin_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/bench_pages.py --profiles 100000 --posts 1000000

It migrates, tops the data up with ``manage.py demo_scale`` (the API engineer's loader, a few
minutes the first time) plus the demo taxonomy, tags on a fifth of the creators, pending AI
suggestions and half a year of snapshots for the creators whose pages are opened.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import add_use_existing  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "warning")


def prepare(profiles: int, posts: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("demo_scale", profiles=profiles, posts=posts)
    call_command("demo", if_empty=False, instagram=0, reddit=0)  # the taxonomy, subreddits and a campaign
    with connection.cursor() as cursor:
        # A fifth of the creators tagged, 20,000 pending suggestions: what the tag filters and the
        # "AI tags pending" column have to look through. Idempotent (ON CONFLICT DO NOTHING).
        cursor.execute(
            """
            INSERT INTO profiles_profile_tags (profile_id, tag_id)
            SELECT p.id, t.id FROM profiles_profile p
            JOIN LATERAL (SELECT id FROM profiles_tag ORDER BY id OFFSET (p.id % 7) LIMIT 1) t ON true
            WHERE p.id % 5 = 0 ON CONFLICT DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO profiles_tagsuggestion (tag_id, profile_id, confidence, status, model_version, created_at)
            SELECT (SELECT id FROM profiles_tag ORDER BY id DESC LIMIT 1), p.id, 0.5 + (p.id % 50) / 100.0,
                   'pending', 'bench', now()
            FROM profiles_profile p WHERE p.id % 5 = 1 LIMIT 20000 ON CONFLICT DO NOTHING
            """
        )
        cursor.execute("ANALYZE")


def bench(repeat: int) -> list[dict]:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from campaigns.models import Campaign
    from posts.models import Post
    from profiles.models import Community, Profile, ProfileSnapshot
    from tests.factories import UserFactory

    analyst = UserFactory(username="bench-analyst", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analyst"))
    # The creators whose pages are opened: the biggest one with the most posts, and an ordinary one.
    busiest = (
        Profile.objects.filter(platform="instagram")
        .annotate(n=Count("posts"))
        .filter(n__gt=0)
        .order_by("-n")
        .values_list("pk", flat=True)
        .first()
    )
    ordinary = Profile.objects.filter(platform="instagram", followers_count__gt=0).order_by("id")[5000].pk
    now = timezone.now()
    for pk in (busiest, ordinary):
        if not ProfileSnapshot.objects.filter(profile_id=pk).exists():
            ProfileSnapshot.objects.bulk_create(
                ProfileSnapshot(profile_id=pk, captured_at=now - timedelta(days=d), followers_count=10_000 + d)
                for d in range(0, 180, 2)
            )
    campaign = Campaign.objects.filter(owner=analyst).first()
    if campaign is None:
        from accounts.models import Membership, Team
        from campaigns.models import CampaignPost, CampaignProfile

        team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        Membership.objects.get_or_create(team=team, user=analyst)
        campaign = Campaign.objects.create(
            owner=analyst, team=team, name="Bench campaign", status="active", budget=20000
        )
        creators = list(Profile.objects.filter(platform="instagram").order_by("id")[:40])
        CampaignProfile.objects.bulk_create(CampaignProfile(campaign=campaign, profile=p, fee=500) for p in creators)
        posts = Post.objects.filter(author__in=creators).order_by("id")[:60]
        CampaignPost.objects.bulk_create(CampaignPost(campaign=campaign, post=post) for post in posts)
    community = Community.objects.order_by("id").first()

    pages = {
        "admin: creators (default)": "/admin/profiles/profile/",
        "admin: creators, followers 10k-100k + untagged": "/admin/profiles/profile/?followers_count_from=10000&followers_count_to=100000&tagged=no",
        "admin: creators, engagement 2-5 % + pending AI": "/admin/profiles/profile/?engagement_rate_from=2&engagement_rate_to=5&suggestions=pending",
        "admin: creators, search 'lisbon'": "/admin/profiles/profile/?q=lisbon",
        "admin: creators, page 50": "/admin/profiles/profile/?p=50",
        "admin: creator detail (busiest)": f"/admin/profiles/profile/{busiest}/change/",
        "admin: subreddits": "/admin/profiles/community/",
        "admin: subreddit detail": f"/admin/profiles/community/{community.pk}/change/",
        "admin: AI tag suggestions": "/admin/profiles/tagsuggestion/?status__exact=pending",
        "admin: posts": "/admin/posts/post/",
        "page: creator search (default)": "/creators/",
        "page: creator search, text + 2 filters": "/creators/?q=vegan&followers_min=10000&engagement_min=1",
        "page: profile (busiest)": f"/creators/{busiest}/",
        "page: profile (ordinary)": f"/creators/{ordinary}/",
        "page: subreddit review queue": "/communities/review/",
        "page: campaign": f"/campaigns/{campaign.pk}/",
    }
    client = Client()
    client.force_login(analyst)
    results = []
    for name, url in pages.items():
        for _ in range(2):  # warm: template loading, connection, first-touch caches
            assert client.get(url).status_code == 200, url
        timings, cpu, sql = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, url
        timings.sort()
        results.append(
            {
                "page": name,
                "url": url,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
                # On a shared machine wall time includes waiting for a core; these two split it into
                # Python CPU actually spent by the web process and time inside SQL (wall, per query).
                "python_cpu_ms": round(statistics.median(cpu), 1),
                "sql_ms": round(statistics.median(sql), 1),
                "queries": len(queries.captured_queries),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    add_use_existing(parser)
    args = parser.parse_args()
    if "cs_admin_bench" not in os.environ.get("DATABASE_URL", "") and "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("bench_pages: point DATABASE_URL at a bench database (e.g. .../cs_admin_bench), never a real one")

    import django

    django.setup()
    from django.conf import settings

    if not args.skip_load:
        prepare(args.profiles, args.posts)
    # The test client's host. Not setup_test_environment(): it instruments every template render
    # (a signal per template), which would bill the pages for test machinery.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    from profiles.models import Profile

    results = bench(args.repeat)
    load = os.getloadavg()[0]
    print(f"{Profile.objects.count():,} profiles; {args.repeat} requests per page after 2 warm-ups; load {load:.1f}\n")
    print(f"{'page':<52} {'median ms':>10} {'p95 ms':>8} {'py cpu ms':>10} {'sql ms':>8} {'queries':>8}")
    for row in results:
        print(
            f"{row['page']:<52} {row['median_ms']:>10} {row['p95_ms']:>8} {row['python_cpu_ms']:>10}"
            f" {row['sql_ms']:>8} {row['queries']:>8}"
        )
    over = [row["page"] for row in results if row["p95_ms"] >= 300]
    print(f"\nover the 300 ms budget (p95): {', '.join(over) or 'none'}")
    print(json.dumps({"profiles": Profile.objects.count(), "repeat": args.repeat, "load": load, "pages": results}))


if __name__ == "__main__":
    main()
