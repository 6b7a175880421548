"""An analyst's day on the pages, in a real browser, without ever opening admin (issue 18).

Nina is an analyst of her agency's team: not staff, not superuser. She searches in plain words,
shortlists creators into a campaign she names in place, saves favorites, exports the search, judges a
creator on their profile page, works the campaign's pipeline (status, fee, notes) and exports it.
Every step leaves a screenshot (``journey-…``; desktop and 375 px for search, profile and campaign)
and the main pages pass axe-core (vendored, ``static/vendor/axe-core``) with no serious or critical
violation. The assertions read what a person sees: formatted numbers, no raw floats, no "—" where
the data exists, the warnings that matter.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from accounts.models import Membership
from campaigns.models import Campaign, CampaignProfile
from config.demo_images import avatar_asset
from profiles.models import Favorite, Profile
from tests.browser.conftest import ROOT, sign_in, signable_user
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 1000}
RAW_FLOAT = re.compile(r"\d\.\d{3,}")  # 3.2705710334399503, 0.123 — never shown to a person


@pytest.fixture
def journey(world):
    """World's creators with pictures, reviews and tags, and Nina, an analyst of another team."""
    nina = signable_user("nina")
    MembershipFactory(user=nina, team__name="Northwind agency", role=Membership.Role.ANALYST)
    profiles = world["profiles"]
    for i, profile in enumerate(profiles):
        profile.avatar_asset = avatar_asset(profile.full_name, profile.handle)
        profile.review_status = ["approved", "approved", "rejected", "unreviewed"][i % 4]
        if 1 <= i <= 4:  # English, tagged, big enough for the search below: one rejected, three not
            profile.followers_count = max(profile.followers_count, 25_000 * i)
            profile.engagement_rate = profile.engagement_rate or 2.5
        profile.save()
    workouts = world["tags"]["Home workouts"]
    for profile in profiles[:12]:
        profile.tags.add(workouts)
    return {**world, "nina": nina}


def _visible_text(page) -> str:
    return page.inner_text("main")


def _no_raw_floats(page) -> None:
    text = _visible_text(page)
    assert not RAW_FLOAT.search(text), RAW_FLOAT.search(text).group(0)


def _axe(page, name: str, results: dict) -> None:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern (an injected <script> tag would be inline script, which the policy refuses).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "help": v["help"],
            "where": [" ".join(node["target"]) for node in v["nodes"][:3]],
            "why": v["nodes"][0].get("failureSummary", "")[:300],
        }
        for v in report["violations"]
    ]
    results[name] = violations
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {serious}"


def _both_sizes(page, screenshot, name: str) -> None:
    screenshot(page, f"{name}-desktop", full_page=True)
    page.set_viewport_size(MOBILE)
    screenshot(page, f"{name}-mobile", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_analyst_finds_judges_shortlists_and_exports_without_admin(journey, browser_page, live_server, screenshot):
    page, base, nina = browser_page, live_server.url, journey["nina"]
    axe_results: dict = {}
    sign_in(page, base, "nina")
    assert "Admin" not in page.inner_text("nav")

    # 1. Search in plain words: followers with units, language by name, a tag picked from the list.
    page.goto(f"{base}/creators/")
    assert page.locator("legend", has_text="Followers").first.is_visible()
    assert page.locator("select[name=language] option", has_text="Spanish").count() == 1
    page.fill("input[name=followers_min]", "20000")
    page.fill("#tag-add", "Home workouts")
    page.get_by_role("button", name="Show creators").click()
    page.wait_for_selector(".cs-summary")
    expected = Profile.objects.filter(followers_count__gte=20000, tags__slug="home-workouts").distinct()
    assert page.locator(".cs-summary").get_attribute("data-count") == str(expected.count())
    assert page.locator(".cs-chip", has_text="Home workouts").count() == 1  # the picked tag, removable
    cards = page.locator(".cs-card")
    assert cards.count() == expected.count() > 3
    assert page.locator(".cs-card img.cs-avatar").count() == cards.count()  # pictures, not initials
    first = expected.order_by("-followers_count").first()
    first_card = page.locator(f'.cs-card[data-profile="{first.pk}"]')
    assert re.fullmatch(r"\d+(\.\d)?[kM]?", first_card.locator(".cs-stats dd").first.inner_text())
    _no_raw_floats(page)
    _axe(page, "search", axe_results)
    _both_sizes(page, screenshot, "journey-01-search")

    # 2. Language by name narrows further; clearing it goes back.
    page.select_option("select[name=language]", label="English")
    page.get_by_role("button", name="Show creators").click()
    english = expected.filter(ai_primary_language="en")
    assert page.locator(".cs-summary").get_attribute("data-count") == str(english.count())

    # 3. Tick three (one of them rejected in review) and shortlist them into a campaign named in place.
    rejected = english.filter(review_status="rejected").first()
    others = list(
        english.exclude(pk=rejected.pk)
        .exclude(engagement_rate=None)
        .exclude(review_status="rejected")
        .order_by("-followers_count")[:2]
    )
    for profile in [rejected, *others]:
        page.check(f'.cs-card[data-profile="{profile.pk}"] input.cs-select')
    assert "3 creators ticked" in page.inner_text("[data-selected-count=bulk]")
    page.fill("#bulk-new-campaign", "Northwind spring pitch")
    page.get_by_role("button", name="Add to campaign").click()
    page.wait_for_selector(".cs-messages")
    messages = page.inner_text(".cs-messages")
    assert "Created the campaign “Northwind spring pitch”" in messages
    assert f"Rejected in review: {rejected.handle}" in messages
    campaign = Campaign.objects.get(name="Northwind spring pitch")
    assert campaign.owner == nina and campaign.team.memberships.filter(user=nina).exists()
    assert set(campaign.campaign_profiles.values_list("profile_id", flat=True)) == {
        rejected.pk,
        *(p.pk for p in others),
    }
    screenshot(page, "journey-02-shortlisted", full_page=True)

    # 4. Two to favorites (named lists replace favorites with the outreach issue).
    for profile in others:
        page.check(f'.cs-card[data-profile="{profile.pk}"] input.cs-select')
    page.get_by_role("button", name="☆ Add to favorites").click()
    page.wait_for_selector("text=Saved 2 creators to favorites.")
    assert Favorite.objects.filter(user=nina).count() == 2

    # 5. Export the whole search (nothing ticked) as CSV: units in the headers, no raw floats.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:5] == ["Handle", "Platform", "Name", "Profile link", "Followers"]
    assert "Engagement rate (%)" in rows[0]
    assert len(rows) - 1 == english.count()
    assert not any(RAW_FLOAT.search(cell) for row in rows[1:] for cell in row if not cell.startswith("http"))
    screenshot(page, "journey-03-favorites-saved")

    # 6. Judge a creator on the profile page: key figures formatted, known figures never "—".
    star = others[0]
    page.click(f'.cs-card[data-profile="{star.pk}"] h2 a')
    page.wait_for_selector(".cs-profile-head")
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 1")
    figures = dict(
        zip(
            page.locator(".cs-metrics dt").all_inner_texts(),
            page.locator(".cs-metrics dd").all_inner_texts(),
            strict=True,
        )
    )
    figures = {label.replace(" i", "").strip(): value for label, value in figures.items()}
    for label in ("Followers", "Engagement", "Avg likes", "Posts / week", "Growth 30d"):
        assert figures[label] != "—", label
    assert re.fullmatch(r"\d+(\.\d)? %", figures["Engagement"])
    assert "In Northwind spring pitch" in page.inner_text(".cs-profile-head")
    _no_raw_floats(page)
    _axe(page, "profile", axe_results)
    _both_sizes(page, screenshot, "journey-04-profile")

    # 7. The campaign page: warnings, no ROI before anything is published, the pipeline worked in place.
    page.goto(f"{base}/campaigns/")
    page.get_by_role("link", name="Northwind spring pitch").click()
    page.wait_for_selector(".cs-pipeline")
    text = _visible_text(page)
    assert f"Rejected in review: {rejected.handle}" in text
    assert "Results appear after the first tracked post" in text and "−100" not in text
    assert page.locator("#campaign-metrics").count() == 0
    entry = CampaignProfile.objects.get(campaign=campaign, profile=star)
    row = page.locator(f"#entry-{entry.pk}")
    row.locator("select").select_option("contacted")
    row.locator("input[type=number]").fill("1500")
    row.locator("textarea").fill("Sent the brief on Monday")
    row.get_by_role("button", name="Save").click()
    page.wait_for_selector(f"#entry-{entry.pk} [role=status]")  # htmx swapped just this row
    entry.refresh_from_db()
    assert (entry.status, entry.fee, entry.notes) == ("contacted", 1500, "Sent the brief on Monday")
    page.reload()
    assert "Planned cost so far: 1,500 USD" in _visible_text(page)
    _no_raw_floats(page)
    _axe(page, "campaign", axe_results)
    _both_sizes(page, screenshot, "journey-05-campaign")

    # 8. Export the campaign as XLSX from its page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    assert re.fullmatch(r"northwind-spring-pitch-\d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Pipeline status", "Fee (USD)", "Notes"]
    exported = {row[header.index("Handle")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported[star.handle][:3] == ("Contacted", 1500, "Sent the brief on Monday")

    # 9. The other main pages pass axe too.
    for name, path in (("campaigns", "/campaigns/"), ("favorites", "/creators/favorites/")):
        page.goto(f"{base}{path}")
        _axe(page, name, axe_results)
    screenshot(page, "journey-06-favorites")

    folder = Path(screenshot(page, "journey-06-favorites")).parent
    (folder / "journey-axe.json").write_text(json.dumps(axe_results, indent=2, sort_keys=True) + "\n")


def test_the_pipeline_and_search_work_without_javascript(journey, live_server, monkeypatch):
    """The same forms with JavaScript off: a plain POST and redirect."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as browser_page: the ORM beside Playwright's loop
    base, nina = live_server.url, journey["nina"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_context(java_script_enabled=False, viewport=DESKTOP).new_page()
        page.set_default_timeout(15_000)
        sign_in(page, base, "nina")
        page.goto(f"{base}/creators/?followers_min=20000")
        target = Profile.objects.filter(followers_count__gte=20000).order_by("-followers_count").first()
        page.check(f'.cs-card[data-profile="{target.pk}"] input.cs-select')
        page.fill("#bulk-new-campaign", "No-script campaign")
        page.get_by_role("button", name="Add to campaign").click()
        page.wait_for_load_state()
        campaign = Campaign.objects.get(name="No-script campaign")
        entry = campaign.campaign_profiles.get()
        page.goto(f"{base}/campaigns/{campaign.pk}/")
        row = page.locator(f"#entry-{entry.pk}")
        row.locator("select").select_option("confirmed")
        row.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
        assert f"{target.handle}: Confirmed" in page.inner_text(".cs-messages")
        entry.refresh_from_db()
        assert entry.status == "confirmed" and campaign.owner == nina
        browser.close()
