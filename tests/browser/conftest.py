"""Headless Debian Chromium driven by Playwright against a live test server, and a small world to look at.

Screenshots go to ``var/screenshots/`` by default; ``BROWSER_SCREENSHOTS=docs/screenshots`` refreshes
the ones the docs site shows.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone

from posts.models import Post
from profiles.groups import apply_group_policy
from profiles.models import Community, ProfileSnapshot, Tag, TagCategory, TagSuggestion
from tests.factories import CampaignFactory, CampaignPostFactory, CampaignProfileFactory, ProfileFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "analyst-password-42"


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A fresh Chromium page; the ORM stays usable in the test thread alongside Playwright's loop."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium (scripts/install-system-packages.sh installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test only reads and seeds rows.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(15_000)
        # Every page a browser test visits must work under the Content-Security-Policy (issue 16):
        # Chromium reports each refused script, style or connection on the console.
        refused = []
        page.on(
            "console",
            lambda message: (
                refused.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
            ),
        )
        yield page
        browser.close()
        assert not refused, f"blocked by the Content-Security-Policy: {refused}"


@pytest.fixture
def screenshot():
    folder = ROOT / os.environ.get("BROWSER_SCREENSHOTS", "var/screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def signable_user(username: str, **fields):
    """A user who can sign in on the pages: PASSWORD, and the verified address allauth asks for."""
    user = UserFactory(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _user(username: str, group: str):
    user = signable_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def world(transactional_db):
    """An analyst, a staff member, creators with history and analysed posts, subreddits, a campaign."""
    apply_group_policy(django_apps)
    rng = random.Random(5)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    analyst, staff = _user("ana", "Analyst"), _user("sam", "Staff")
    niche = TagCategory.objects.create(name="Niche", slug="niche", position=0)
    fmt = TagCategory.objects.create(name="Format", slug="format", position=1)
    tags = {
        name: Tag.objects.create(category=category, name=name, slug=name.lower().replace(" ", "-"))
        for category, name in [(niche, "Home workouts"), (niche, "Vegan food"), (fmt, "Tutorial"), (fmt, "Vlog")]
    }
    categories = ["fitness", "food", "travel", "beauty"]
    profiles = []
    for i in range(24):
        followers = int(10 ** rng.uniform(3.5, 6.3))
        profile = ProfileFactory(
            handle=f"{categories[i % 4]}_creator_{i:02d}",
            full_name=f"{categories[i % 4].title()} Creator {i}",
            followers_count=followers,
            engagement_rate=round(rng.uniform(0.4, 7.5), 2) if i % 7 else None,
            follower_growth_30d=round(rng.uniform(-2, 12), 1),
            avg_likes=followers * 0.03,
            avg_comments=followers * 0.001,
            posts_per_week=round(rng.uniform(1, 6), 1),
            ai_primary_content_type=categories[i % 4],
            ai_primary_language="en" if i % 5 else "es",
            is_verified=i % 6 == 0,
        )
        ProfileSnapshot.objects.bulk_create(
            ProfileSnapshot(
                profile=profile,
                captured_at=now - timedelta(weeks=w),
                followers_count=int(followers / (1.01**w)),
            )
            for w in range(20, -1, -1)
        )
        profiles.append(profile)
    star = profiles[0]
    star.handle, star.full_name = "fitfelix", "Felix Fit"
    star.save()
    kinds, sentiments = ["image", "carousel", "reel"], ["positive", "positive", "neutral", "negative"]
    Post.objects.bulk_create(
        Post(
            platform="instagram",
            external_id=f"browser-{n}",
            author=star,
            kind=kinds[n % 3],
            caption=f"Leg day #{n} — a 20 minute home workout #fitness",
            posted_at=now - timedelta(hours=rng.randint(1, 24 * 150)),
            likes_count=None if n % 17 == 0 else rng.randint(300, 4000),
            likes_hidden=n % 17 == 0,
            comments_count=rng.randint(5, 200),
            views_count=rng.randint(5000, 60000) if n % 3 == 2 else None,
            is_viral=n % 23 == 0,
            ai_category=rng.choice(["fitness", "fitness", "food", "lifestyle"]),
            ai_language=rng.choice(["en", "en", "en", "es"]),
            ai_sentiment=rng.choice(sentiments),
            ai_status="done",
        )
        for n in range(70)
    )
    TagSuggestion.objects.create(
        tag=tags["Home workouts"], profile=star, confidence=0.91, model_version="minilm-2026.11"
    )
    TagSuggestion.objects.create(tag=tags["Tutorial"], profile=star, confidence=0.64, model_version="minilm-2026.11")
    rules = [
        {"short_name": "Verified sellers only", "description": "Verify with the mods before posting.", "kind": "all"},
        {"short_name": "No spam", "description": "One post per day.", "kind": "link"},
    ]
    for name, subscribers, nsfw in [
        ("homegym", 1_200_000, False),
        ("veganrecipes", 850_000, False),
        ("sellerhub", 90_000, True),
    ]:
        Community.objects.create(
            name=name,
            title=name.title(),
            subscribers=subscribers,
            active_users=subscribers // 500,
            is_nsfw=nsfw,
            rules=rules,
            public_description=f"All about {name}.",
            posts_per_day=12.5,
        )
    campaign = CampaignFactory(
        owner=analyst, name="Spring fitness launch", brand="Acme Sports", status="active", budget=20000
    )
    for profile, status in zip(
        profiles[:6], ["shortlisted", "contacted", "confirmed", "published", "paid", "confirmed"], strict=True
    ):
        CampaignProfileFactory(campaign=campaign, profile=profile, status=status, fee=1500)
    for post in Post.objects.filter(author=star)[:3]:
        CampaignPostFactory(campaign=campaign, post=post)
    return {"analyst": analyst, "staff": staff, "star": star, "tags": tags, "campaign": campaign, "profiles": profiles}


def sign_in(page, base_url: str, username: str, admin: bool = False) -> None:
    page.goto(f"{base_url}{'/admin/login/' if admin else '/accounts/login/'}")
    # The admin's login sends visitors to allauth's page (one door for both).
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
