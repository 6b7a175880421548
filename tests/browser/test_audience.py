"""The profile page's Audience section in Chromium: a connected creator and one with estimates only."""

from __future__ import annotations

import os
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from intelligence.audience import estimate_profile
from intelligence.comments import CommentIn, analyze_comments
from intelligence.conf import analyzers
from posts.models import Post
from profiles.audience import Demographics, store_demographics
from profiles.benchmarks import compute_benchmarks
from profiles.models import InstagramConnection
from tests.browser.conftest import ROOT, sign_in
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINES = [
    "This routine finally fixed my squat form, thank you",
    "How many rounds do you do on rest days?",
    "Esta rutina me encanta, la hago tres veces por semana",
    "Saving this for tomorrow morning, looks tough but doable",
]


def _comments(profile, rng: random.Random) -> None:
    for post in Post.objects.filter(author=profile).order_by("-posted_at")[:6]:
        comments = [
            CommentIn(
                f"b-{post.pk}-{n}",
                f"{rng.choice(LINES)} ({post.pk}-{n})",
                f"reader_{rng.randint(1, 40)}",
                post.posted_at + timedelta(hours=n + 1),
            )
            for n in range(8)
        ]
        analyze_comments(post, comments, analyzers("rules"))


def _shot(page, name: str) -> None:
    folder = ROOT / os.environ.get("BROWSER_SCREENSHOTS", "var/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.locator("#audience").screenshot(path=str(folder / f"{name}.png"))


def test_audience_section_for_a_connected_and_an_unconnected_creator(world, browser_page, live_server, settings):
    settings.META_APP_ID, settings.META_APP_SECRET = "97563852873", "browser-secret"
    page, base = browser_page, live_server.url
    star, other = world["star"], world["profiles"][4]
    rng = random.Random(19)
    InstagramConnection.objects.create(
        profile=star, ig_user_id="17841405822304914", access_token="t", last_synced_at=timezone.now()
    )
    ages = {"18-24": 0.28, "25-34": 0.41, "35-44": 0.19, "45-54": 0.08, "55-64": 0.04}
    store_demographics(
        star,
        Demographics(
            source="graph_insights",
            segment="followers",
            captured_on=timezone.localdate(),
            countries={"US": 0.46, "GB": 0.17, "CA": 0.11, "DE": 0.09, "AU": 0.07, "BR": 0.06, "MX": 0.04},
            cities={"London, England": 0.4, "New York, New York": 0.35, "Toronto, Ontario": 0.25},
            ages=ages,
            genders={"F": 0.57, "M": 0.42, "U": 0.01},
            age_genders={a: {"F": s * 0.57, "M": s * 0.42, "U": s * 0.01} for a, s in ages.items()},
            reach=182_000,
            profile_views=9_400,
        ),
    )
    store_demographics(
        star,
        Demographics(
            source="graph_insights",
            segment="engaged",
            captured_on=timezone.localdate(),
            countries={"US": 0.52, "GB": 0.2, "CA": 0.12, "DE": 0.1, "AU": 0.06},
        ),
    )
    for n in range(6):
        PostFactory(author=other, posted_at=timezone.now() - timedelta(days=2 * n + 1), likes_count=900)
    for profile in (star, other):
        _comments(profile, rng)
        estimate_profile(profile.pk)
    compute_benchmarks()
    sign_in(page, base, "ana")

    page.goto(f"{base}/creators/{star.pk}/#audience")
    section = page.locator("#audience")
    assert section.locator("text=verified · Instagram insights").is_visible()
    assert section.locator("[data-chart=countries] tr").count() == 7
    assert section.locator("[data-chart=age-gender] tbody tr").count() == 5
    assert "United States 52 %" in section.locator("[data-chart=engaged]").inner_text()
    assert section.locator("[data-chart=languages] tr").count() >= 2
    assert section.locator(".cs-credibility-inputs tbody tr").count() == 6
    assert section.locator("text=better than").count() >= 1
    _shot(page, "audience-connected")

    page.goto(f"{base}/creators/{other.pk}/#audience")
    section = page.locator("#audience")
    assert section.locator("text=has not connected Instagram insights").is_visible()
    assert section.locator("button:has-text('Connect Instagram insights')").is_visible()
    assert section.locator("[data-chart=countries]").count() == 0
    assert section.locator("[data-credibility]").is_visible()
    _shot(page, "audience-unconnected")
