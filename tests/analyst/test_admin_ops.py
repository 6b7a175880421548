"""Groups and permissions, subreddit actions, scraper control, and a large bulk edit run by a real worker."""

from __future__ import annotations

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from config.admin import ReadOnlyAdmin
from profiles import bulk
from profiles.models import Community, Profile, TagSuggestion
from scraping.models import Scraper, ScrapeRun, SystemLog
from tests.factories import CommunityFactory, ProfileFactory, TagFactory
from tests.workers import celery_worker, wait_for


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_groups_come_from_the_migration_with_the_right_permissions(groups):
    analyst = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="Analyst").permissions.all()}
    staff = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="Staff").permissions.all()}
    assert {
        "profiles.change_profile",
        "profiles.change_community",
        "profiles.add_tag",
        "profiles.change_tagsuggestion",
    } <= analyst
    assert not any(p.startswith(("django_celery_beat.", "auth.", "scraping.")) for p in analyst)
    assert "profiles.delete_profile" not in analyst
    assert analyst < staff
    assert {"django_celery_beat.change_periodictask", "scraping.change_scraper", "scraping.view_systemlog"} <= staff
    assert not any(p.startswith("auth.") for p in staff)


@pytest.mark.parametrize(
    ("url", "analyst_status", "staff_status"),
    [
        ("admin:profiles_profile_changelist", 200, 200),
        ("admin:profiles_community_changelist", 200, 200),
        ("admin:profiles_tagsuggestion_changelist", 200, 200),
        ("admin:profiles_tag_changelist", 200, 200),
        ("admin:posts_post_changelist", 200, 200),
        ("admin:scraping_scraper_changelist", 403, 200),
        ("admin:scraping_scraperun_changelist", 403, 200),
        ("admin:scraping_systemlog_changelist", 403, 200),
        ("admin:django_celery_beat_periodictask_changelist", 403, 200),
        ("admin:auth_user_changelist", 403, 403),
        ("admin:auth_group_changelist", 403, 403),
    ],
)
def test_who_may_open_what(client_as, analyst, staff_member, url, analyst_status, staff_status):
    assert client_as(analyst).get(reverse(url)).status_code == analyst_status
    assert client_as(staff_member).get(reverse(url)).status_code == staff_status


def test_a_stranger_is_sent_to_the_admin_login(client_as, stranger):
    response = client_as(stranger).get(reverse("admin:profiles_profile_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_analyst_cannot_delete_or_add_profiles(client_as, analyst):
    profile = ProfileFactory()
    client = client_as(analyst)
    assert client.get(reverse("admin:profiles_profile_delete", args=[profile.pk])).status_code == 403
    assert client.get(reverse("admin:profiles_profile_add")).status_code == 403
    html = client.get(reverse("admin:profiles_profile_changelist")).content.decode()
    assert 'value="delete_selected"' not in html


def test_sidebar_hides_operations_from_analysts(client_as, analyst, staff_member):
    assert "Scheduled jobs" not in client_as(analyst).get(reverse("admin:index")).content.decode()
    assert "Scheduled jobs" in client_as(staff_member).get(reverse("admin:index")).content.decode()


# --- Communities ---


def test_community_actions_and_counts(client_as, analyst):
    communities = [CommunityFactory(name=f"sub{i}") for i in range(3)]
    tag = TagFactory()
    TagSuggestion.objects.create(tag=tag, community=communities[0], confidence=0.9)
    client = client_as(analyst)
    url = reverse("admin:profiles_community_changelist")
    response = client.post(url, {"action": "mark_ok", "_selected_action": [c.pk for c in communities[:2]]}, follow=True)
    assert "Set review status to OK: 2 communities changed." in _messages(response)
    client.post(url, {"action": "set_status", "status": "banned", "_selected_action": [communities[2].pk]})
    client.post(url, {"action": "accept_suggestions", "_selected_action": [communities[0].pk]})
    assert dict(Community.objects.values_list("name", "review_status")) == {
        "sub0": "ok",
        "sub1": "ok",
        "sub2": "banned",
    }
    assert tag in communities[0].tags.all()
    page = client.get(url)
    counts = {c["value"]: c["count"] for c in page.context["review_counts"]}
    assert counts == {"unreviewed": 0, "ok": 2, "no_seller": 0, "non_related": 0, "user_feed": 0, "banned": 1}


def test_community_detail_shows_rules(client_as, analyst):
    community = CommunityFactory(
        rules=[{"short_name": "No selling", "description": "Sellers are banned.", "kind": "all"}]
    )
    html = client_as(analyst).get(reverse("admin:profiles_community_change", args=[community.pk])).content.decode()
    assert "No selling" in html and "Sellers are banned." in html and "Scrape history" in html


# --- Scraping control ---


def test_staff_start_and_stop_scrapers(client_as, staff_member):
    on = Scraper.objects.create(name="reddit", upstream="reddit", enabled=True, status="running")
    off = Scraper.objects.create(name="instagram", upstream="instagram", enabled=False, status="stopped")
    client = client_as(staff_member)
    url = reverse("admin:scraping_scraper_changelist")
    response = client.post(url, {"action": "stop", "_selected_action": [on.pk, off.pk]}, follow=True)
    assert any(m.startswith("Stopped 1 scraper") for m in _messages(response))
    client.post(url, {"action": "start", "_selected_action": [off.pk]})
    assert dict(Scraper.objects.values_list("name", "enabled")) == {"reddit": False, "instagram": True}
    assert Scraper.objects.get(name="reddit").status == "stopped"


def test_runs_and_logs_are_read_only_records(client_as, staff_member):
    run = ScrapeRun.objects.create(kind="subreddit", target="r/fitness", status="failed", errors=2)
    SystemLog.objects.create(level="error", source="scraping.reddit", message="429 Too Many Requests", scrape_run=run)
    client = client_as(staff_member)
    html = client.get(reverse("admin:scraping_scraperun_change", args=[run.pk])).content.decode()
    assert "429 Too Many Requests" in html
    assert (
        client.post(reverse("admin:scraping_scraperun_change", args=[run.pk]), {"status": "succeeded"}).status_code
        == 403
    )
    assert client.get(reverse("admin:scraping_systemlog_changelist") + "?level__exact=error").status_code == 200


def test_every_read_only_record_shows_its_fields_and_is_never_added_or_edited(admin_client, client_as, staff_member):
    # Given every admin built on the one read-only base: runs, logs, alerts, AI batches, fetches.
    read_only = {
        model: model_admin for model, model_admin in site._registry.items() if isinstance(model_admin, ReadOnlyAdmin)
    }
    assert {model._meta.label for model in read_only} >= {
        "scraping.ScrapeRun",
        "scraping.SystemLog",
        "monitoring.Alert",
        "intelligence.AnalysisBatch",
        "intelligence.ProfileEmbedding",
        "media.RemoteSource",
    }
    run = ScrapeRun.objects.create(kind="subreddit", target="r/fitness", status="failed")
    for model, model_admin in read_only.items():
        info = (model._meta.app_label, model._meta.model_name)
        # Then not even a superuser adds one, and the list opens.
        assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
        assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        # Every field is shown read-only, except the ones an admin leaves out (an embedding's vector).
        shown = model_admin.get_readonly_fields(None)
        assert "id" in shown and not set(shown) & set(model_admin.exclude or ())
    # Staff see records but only superusers delete them.
    client = client_as(staff_member)
    assert client.get(reverse("admin:scraping_scraperun_delete", args=[run.pk])).status_code == 403
    assert admin_client.get(reverse("admin:scraping_scraperun_delete", args=[run.pk])).status_code == 200


# --- Large selections go to the worker ---


def test_large_selection_is_queued_and_reported_once(
    client_as, analyst, settings, broker, django_capture_on_commit_callbacks
):
    settings.ADMIN_BULK_SYNC_LIMIT = 2
    profiles = [ProfileFactory() for _ in range(3)]
    client = client_as(analyst)
    url = reverse("admin:profiles_profile_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "_selected_action": [p.pk for p in profiles]}, follow=True)
    assert any("3 profiles selected" in m and "runs in the background" in m for m in _messages(response))
    assert Profile.objects.filter(review_status="approved").count() == 0  # not done in the request
    [message] = broker.messages("default")
    assert message["task"] == "profiles.tasks.bulk_edit"
    job_id, ids = message["args"]
    # The worker's function (the real-worker test below runs it through Celery).
    job = bulk.execute_job(job_id, ids)
    assert job.changed == 3
    report = client.get(url)
    assert "Set review status to Approved (profiles): 3 of 3 changed." in _messages(report)
    assert not any("of 3 changed" in m for m in _messages(client.get(url)))  # reported once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_finishes_a_large_bulk_edit(client_as, analyst, settings, broker):
    settings.ADMIN_BULK_SYNC_LIMIT = 5
    profiles = [ProfileFactory() for _ in range(12)]
    tag = TagFactory()
    with celery_worker("default", {"REDIS_URL": settings.REDIS_URL}):
        client = client_as(analyst)
        url = reverse("admin:profiles_profile_changelist")
        client.post(url, {"action": "add_tag", "tag": tag.pk, "_selected_action": [p.pk for p in profiles]})
        reported: list[str] = []

        def finished() -> bool:
            reported[:] = [m for m in _messages(client.get(url)) if "of 12 changed" in m]
            return bool(reported)

        wait_for(finished, timeout=60, interval=0.5)
        assert reported == [f"Add tag “{tag}” (profiles): 12 of 12 changed."]
        assert Profile.objects.filter(tags=tag).count() == 12


def test_staff_jump_from_a_creator_to_its_scrape_runs(client_as, staff_member, analyst):
    profile = ProfileFactory(handle="runner")
    ScrapeRun.objects.create(kind="instagram", target="runner", status="succeeded")
    ScrapeRun.objects.create(kind="instagram", target="someone_else", status="failed")
    page = client_as(staff_member).get(reverse("admin:profiles_profile_change", args=[profile.pk])).content.decode()
    link = reverse("admin:scraping_scraperun_changelist") + "?target__iexact=runner"
    assert link in page
    runs = client_as(staff_member).get(link).context["cl"].result_list
    assert [run.target for run in runs] == ["runner"]
    assert (
        link not in client_as(analyst).get(reverse("admin:profiles_profile_change", args=[profile.pk])).content.decode()
    )
