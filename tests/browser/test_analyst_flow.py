"""Playwright in Debian's headless Chromium: an analyst's day and a staff member's schedule change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.beat import CodeSeededDatabaseScheduler
from config.celery import app
from profiles.models import Community, Favorite, Profile, TagSuggestion
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_analyst_filters_bulk_approves_tags_and_reads_charts(world, browser_page, live_server, screenshot):
    page, base, star = browser_page, live_server.url, world["star"]
    sign_in(page, base, "ana")

    # Creator search: the API's filters, result cards, a favorite saved without a reload (htmx).
    page.goto(f"{base}/creators/")
    page.fill("input[name=followers_min]", "20000")
    page.select_option("select[name=ordering]", "-engagement")
    page.click("form.cs-filters button[type=submit]")
    page.wait_for_selector(".cs-summary")
    expected = Profile.objects.filter(followers_count__gte=20000).count()
    assert page.locator(".cs-card").count() == min(expected, 24)
    assert page.locator(".cs-summary").get_attribute("data-count") == str(expected)
    screenshot(page, "creator-search")
    first_card = page.locator(".cs-card").first
    first_card.locator("button.cs-fav").click()
    page.wait_for_selector('.cs-card button.cs-fav[aria-pressed="true"]')
    assert Favorite.objects.filter(user=world["analyst"]).count() == 1

    # Admin triage: filter by engagement range, select all, bulk-approve.
    page.goto(f"{base}/admin/profiles/profile/?engagement_rate_from=2&engagement_rate_to=8")
    rows = page.locator("#result_list tbody tr")
    wanted = Profile.objects.filter(engagement_rate__gte=2, engagement_rate__lte=8)
    assert rows.count() == wanted.count()
    screenshot(page, "admin-profiles")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_selector("text=profiles changed")
    assert set(wanted.values_list("review_status", flat=True)) == {"approved"}
    assert Profile.objects.exclude(pk__in=wanted).filter(review_status="approved").count() == 0

    # Tagging: bulk-add a tag from the action bar, then accept an AI suggestion with one click.
    vegan = world["tags"]["Vegan food"]
    page.goto(f"{base}/admin/profiles/profile/?q=fitfelix")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "add_tag")
    page.select_option("select[name=tag]", str(vegan.pk))
    page.click("button[name=index]")
    page.wait_for_selector("text=profiles changed")
    assert vegan in star.tags.all()
    page.goto(f"{base}/admin/profiles/profile/{star.pk}/change/")
    suggestion = TagSuggestion.objects.get(profile=star, tag__name="Home workouts")
    page.click(f'button[data-suggestion="{suggestion.pk}"]')
    page.wait_for_selector("text=added to")
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.tag in star.tags.all()
    page.wait_for_selector("#analytics canvas[data-drawn]")
    screenshot(page, "admin-profile-analytics", full_page=True)

    # The profile page: metrics with formulas on hover and every chart drawn by the vendored Chart.js.
    page.goto(f"{base}/creators/{star.pk}/")
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 6")
    drawn = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => !!Chart.getChart(c))")
    assert drawn and all(drawn)
    assert "last 12 posts" in page.locator("dt[title*='likes + comments']").first.get_attribute("title")
    assert page.locator(".cs-heatmap td.cs-heat-1, .cs-heatmap td.cs-heat-2").count() > 0
    screenshot(page, "profile-page", full_page=True)

    # Subreddit queue: one key per status.
    page.goto(f"{base}/communities/review/")
    screenshot(page, "review-queue")
    page.locator(".cs-queue-item").first.focus()
    page.keyboard.press("o")
    page.wait_for_selector("text=1 subreddit marked OK.")
    assert Community.objects.get(name="homegym").review_status == "ok"
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.locator(".cs-queue-item").first.focus()
    page.keyboard.press("x")
    page.keyboard.press("b")
    page.wait_for_selector("text=subreddits marked Banned.")
    assert set(Community.objects.filter(review_status="banned").values_list("name", flat=True)) == {
        "veganrecipes",
        "sellerhub",
    }

    # Campaign page.
    page.goto(f"{base}/campaigns/{world['campaign'].pk}/")
    assert page.locator('.cs-pipeline li[data-pipeline="confirmed"]').count() == 2
    screenshot(page, "campaign", full_page=True)

    # An analyst cannot open scheduling or user admin.
    for path in ("/admin/django_celery_beat/periodictask/", "/admin/auth/user/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 403


def test_staff_changes_a_beat_schedule_that_the_running_beat_follows(world, browser_page, live_server, screenshot):
    page, base = browser_page, live_server.url
    previous = app.conf.beat_schedule
    app.conf.beat_schedule = {
        "monitoring-evaluate-alerts": {"task": "monitoring.tasks.evaluate_alerts", "schedule": timedelta(minutes=15)}
    }
    try:
        beat = CodeSeededDatabaseScheduler(app=app)
    finally:
        app.conf.beat_schedule = previous
    five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    task = PeriodicTask.objects.get(name="monitoring-evaluate-alerts")

    sign_in(page, base, "sam", admin=True)
    page.goto(f"{base}/admin/django_celery_beat/periodictask/")
    assert page.locator("text=Monitoring: evaluate alerts").count() == 1
    screenshot(page, "beat-schedule")
    page.goto(f"{base}/admin/django_celery_beat/periodictask/{task.pk}/change/")
    page.select_option("select[name=interval]", str(five.pk))
    page.click("button[name=_save]")
    page.wait_for_selector("text=was changed successfully")
    assert PeriodicTask.objects.get(pk=task.pk).interval_id == five.pk
    assert beat.schedule["monitoring-evaluate-alerts"].schedule.run_every == timedelta(minutes=5)
