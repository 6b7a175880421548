"""Playwright in Debian's headless Chromium: contacts, a client list, a watch and its inbox, and a
campaign whose posts are tracked automatically (the screenshots outreach-*.png come from here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import tracking
from campaigns.models import CampaignPost
from posts.models import Post
from profiles.models import Contact, List, ProfileSnapshot
from tests.browser.conftest import sign_in
from watches import events
from watches.models import AlertSettings, Event

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_contacts_list_watch_inbox_and_campaign_timeline(world, browser_page, live_server, screenshot):
    page, base, star, analyst = browser_page, live_server.url, world["star"], world["analyst"]
    AlertSettings.objects.create(user=analyst, frequency="daily")  # the digest, not an e-mail per event
    Contact.objects.create(profile=star, kind="email", value="felix@fitfelix.example", source="business_email")
    sign_in(page, base, "ana")

    # The profile page: a scraped contact with its source, an analyst's phone, a new list, a watch.
    page.goto(f"{base}/creators/{star.pk}/")
    assert page.locator("#contacts tr[data-source=business_email]").count() == 1
    page.select_option("#contact-kind", "phone")
    page.fill("#outreach input[name=value]", "12")
    page.click("#outreach button:has-text('Save contact')")
    page.wait_for_selector("text=Enter a valid phone number")
    page.select_option("#contact-kind", "phone")
    page.fill("#outreach input[name=value]", "+44 20 7946 0958")
    page.fill("#outreach input[name=label]", "agent")
    page.click("#outreach button:has-text('Save contact')")
    page.wait_for_selector("#contacts tr[data-source=analyst]")
    page.fill("#add-to-list input[name=new_name]", "Acme Sports – spring shortlist")
    page.fill("#add-to-list input[name=note]", "Rates asked 3 Dec; replies within a day")
    page.click("#add-to-list button[type=submit]")
    page.wait_for_selector("text=Added 1")
    shortlist = List.objects.get(name="Acme Sports – spring shortlist")
    for profile in world["profiles"][1:5]:
        shortlist.entries.create(profile=profile, note="from the search")
    page.goto(f"{base}/creators/{star.pk}/")
    page.click("#watch-form button[type=submit]")
    page.wait_for_selector("text=Watching")

    page.goto(f"{base}/lists/{shortlist.pk}/")
    assert page.locator("#list-entries tbody tr").count() == 5
    assert page.locator("#list-entries", has_text="felix@fitfelix.example").count() == 1
    screenshot(page, "outreach-list")

    # An ingest-sized follower jump and a sponsored post raise events; the inbox shows them with a count.
    latest = ProfileSnapshot.objects.filter(profile=star).latest()
    ProfileSnapshot.objects.create(profile=star, followers_count=int(latest.followers_count * 1.12))
    sponsored = Post.objects.create(
        platform="instagram",
        external_id="browser-sponsored",
        author=star,
        caption="My new @acmesports trainers #ad",
        posted_at=timezone.now() - timedelta(hours=2),
        is_sponsored=True,
        mentions=["acmesports"],
        hashtags=["ad"],
        likes_count=2400,
        comments_count=80,
    )
    raised = events.evaluate("profile", star.pk, [sponsored.pk])
    assert sorted(e.kind for e in raised) == ["follower_spike", "sponsored_post"]
    page.goto(f"{base}/watches/inbox/")
    assert page.locator("#nav-inbox .cs-badge").inner_text() == "2"
    assert page.locator("#inbox tbody tr.cs-unread").count() == 2
    screenshot(page, "outreach-inbox")
    page.click("button:has-text('Mark all read')")
    page.wait_for_selector("#unread-count:has-text('0 unread')")
    assert not Event.objects.filter(read_at__isnull=True).exists()

    # The campaign names its hashtag: the creators' matching posts attach themselves; removing one sticks.
    campaign = world["campaign"]
    campaign.track_hashtags, campaign.track_handles = ["fitness"], ["acmesports"]
    campaign.start_date = (timezone.now() - timedelta(days=40)).date()
    campaign.save()
    Post.objects.filter(author=star, caption__contains="#fitness").update(hashtags=["fitness"])
    added = tracking.track_campaign(campaign)
    assert added > 0
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    auto_rows = page.locator("#campaign-timeline tbody tr[data-source=auto]")
    assert auto_rows.count() == added
    screenshot(page, "outreach-campaign-timeline", full_page=True)
    auto_rows.first.locator("button:has-text('Remove')").click()
    page.wait_for_selector("#campaign-timeline")
    assert page.locator("#campaign-timeline tbody tr[data-source=auto]").count() == added - 1
    tracking.track_campaign(campaign)
    assert CampaignPost.objects.filter(campaign=campaign, source="auto", removed_at__isnull=True).count() == added - 1
