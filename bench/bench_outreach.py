"""What the outreach work adds to an ingest, and how fast "who worked with @brand" answers.

Measures on PostgreSQL, with the real schema:

- ``evaluate``: ``watches.events.evaluate`` for one scraped creator that ``--watchers`` users watch
  (half directly, half through a list), with a follower jump and 12 new posts, one sponsored and one
  naming the watched brand: the work ``watches.tasks.evaluate`` does after each scrape. Events are
  deleted between rounds so every round stores them again.
- ``track``: ``campaigns.tracking.track_posts`` for one scrape's 12 posts of a creator who is in
  ``--campaigns`` campaigns that track a hashtag (rows removed between rounds).
- ``brand_mentions``: the ``/api/v1/posts/brand-mentions/`` query (posts naming ``@brand7`` in 90
  days, grouped per creator) over ``--posts`` posts by 500 creators.

Run::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_outreach_bench \\
        .venv/bin/python bench/bench_outreach.py --watchers 200 --campaigns 50 --posts 50000

Prints the median and best of ``--repeat`` rounds per line, then a JSON summary. The machine is
shared: read the numbers as orders of magnitude.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
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


def build(watchers: int, campaigns: int, posts: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Membership, Team
    from campaigns.models import Campaign, CampaignPost, CampaignProfile
    from posts.models import Post
    from profiles.models import List, ListEntry, Profile, ProfileSnapshot
    from watches.models import AlertSettings, Event, Watch

    for model in (Event, Watch, CampaignPost, CampaignProfile, Campaign, ListEntry, List, Post, ProfileSnapshot):
        model.objects.all().delete()
    Profile.objects.filter(handle__startswith="bench_").delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    Team.objects.filter(slug="bench").delete()
    team = Team.objects.create(name="Bench", slug="bench")
    rng, now = random.Random(3), timezone.now()
    creators = Profile.objects.bulk_create(
        Profile(platform="instagram", handle=f"bench_{i}", followers_count=10_000 + i) for i in range(500)
    )
    star = creators[0]
    ProfileSnapshot.objects.create(profile=star, captured_at=now - timedelta(days=1), followers_count=10_000)
    ProfileSnapshot.objects.create(profile=star, captured_at=now, followers_count=12_000)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-{i}", email=f"bench-{i}@example.com") for i in range(watchers)
    )
    Membership.objects.bulk_create(Membership(team=team, user=u, role="analyst") for u in users)
    AlertSettings.objects.bulk_create(AlertSettings(user=u, frequency="daily") for u in users)
    events = ["follower_spike", "follower_drop", "sponsored_post", "brand_mention"]
    shared = List.objects.create(team=team, user=users[0], name="bench list")
    ListEntry.objects.create(list=shared, profile=star)
    Watch.objects.bulk_create(
        Watch(
            team=team,
            user=u,
            events=events,
            brand="@brand7",
            **({"profile": star} if i % 2 else {"watched_list": shared}),
        )
        for i, u in enumerate(users)
    )
    Watch.objects.update(created_at=now - timedelta(days=2))
    made = Campaign.objects.bulk_create(
        Campaign(team=team, owner=users[0], name=f"bench {i}", track_hashtags=[f"tag{i}"]) for i in range(campaigns)
    )
    CampaignProfile.objects.bulk_create(CampaignProfile(campaign=c, profile=star) for c in made)
    Post.objects.bulk_create(
        Post(
            platform="instagram",
            external_id=f"bench-{i}",
            author=creators[i % 500],
            posted_at=now - timedelta(hours=rng.randint(1, 24 * 365)),
            mentions=[f"brand{i % 50}"],
            hashtags=[f"tag{i % campaigns}"],
            is_sponsored=i % 10 == 0,
            caption=f"post {i}",
        )
        for i in range(posts)
    )
    fresh = list(Post.objects.filter(author=star).order_by("-posted_at")[:12].values_list("pk", flat=True))
    Post.objects.filter(pk__in=fresh).update(is_sponsored=False)
    Post.objects.filter(pk__in=fresh[:1]).update(is_sponsored=True, mentions=["brand7"])
    return star, fresh


def timed(func, repeat: int) -> list[float]:
    results = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        results.append((time.perf_counter() - started) * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=200)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cs_outreach_bench"))
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import RequestFactory
    from rest_framework.test import force_authenticate

    from campaigns import tracking
    from campaigns.models import CampaignPost
    from posts.api.views import BrandMentionsView
    from watches import events
    from watches.models import Event

    star, fresh = build(args.watchers, args.campaigns, args.posts)

    def evaluate():
        Event.objects.all().delete()
        with transaction.atomic():
            stored = events.evaluate("profile", star.pk, fresh)
        assert len(stored) == 3 * args.watchers, len(stored)

    def track():
        CampaignPost.objects.all().delete()
        tracking.track_posts(fresh)

    view = BrandMentionsView.as_view({"get": "list"})
    user = get_user_model().objects.get(username="bench-0")

    def brand_mentions():
        request = RequestFactory().get("/api/v1/posts/brand-mentions/", {"mentions": "@brand7", "days": 90})
        force_authenticate(request, user)
        response = view(request)
        assert response.status_code == 200 and response.data["creators_count"] > 0

    summary = {}
    for name, func in [("evaluate", evaluate), ("track", track), ("brand_mentions", brand_mentions)]:
        times = timed(func, args.repeat)
        summary[name] = {"median_ms": round(statistics.median(times), 1), "best_ms": round(min(times), 1)}
        print(f"{name:<15} median {summary[name]['median_ms']:>8.1f} ms   best {summary[name]['best_ms']:>8.1f} ms")
    print(json.dumps({"watchers": args.watchers, "campaigns": args.campaigns, "posts": args.posts, **summary}))


if __name__ == "__main__":
    main()
