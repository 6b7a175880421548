"""Subreddits through the API: search with review counts, report, analyst review, AI categorisation."""

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from profiles.groups import STAFF
from profiles.models import Community
from tests.factories import CommunityFactory, PostFactory, TagFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

LIST = "/api/v1/communities/"


@pytest.fixture
def staff_reviewer(bob):
    """Bob (is_staff) in the Staff group, which holds profiles.change_community: staff status alone does not review."""
    bob.groups.add(Group.objects.get(name=STAFF))
    return User.objects.get(pk=bob.pk)  # a fresh permission cache


@pytest.fixture
def analyst(alice):
    """Alice with the analyst's permission to review communities."""
    alice.user_permissions.add(Permission.objects.get(codename="change_community"))
    return alice


def test_list_filters_and_counts_per_review_status(alice, client_for):
    CommunityFactory(name="python", subscribers=900_000, review_status="ok")
    CommunityFactory(name="django", subscribers=200_000)
    CommunityFactory(name="nsfwpics", subscribers=100_000, is_nsfw=True)
    CommunityFactory(name="tiny", subscribers=10, review_status="banned")
    client = client_for(alice)
    body = client.get(LIST, {"review_status": "unreviewed", "nsfw": "false"}).json()
    assert [c["name"] for c in body["results"]] == ["django"]
    # Counts follow the other filters (nsfw=false) but not the review status itself: the queue's tabs.
    assert body["review_status_counts"]["unreviewed"] == 1
    assert body["review_status_counts"]["ok"] == 1
    assert body["review_status_counts"]["banned"] == 1
    assert [c["name"] for c in client.get(LIST, {"subscribers_min": 150_000}).json()["results"]] == ["python", "django"]
    assert [c["name"] for c in client.get(LIST, {"q": "r/pyth"}).json()["results"]] == ["python"]


@pytest.mark.parametrize(
    "params",
    [
        {"review_status": "fine"},
        {"nsfw": "perhaps"},
        {"subscribers_min": 10, "subscribers_max": 1},
        {"category": "astrology"},
        {"tags": "unknown-tag"},
        {"ordering": "secret"},
    ],
)
def test_list_rejects_bad_filters(alice, client_for, params):
    response = client_for(alice).get(LIST, params)
    assert response.status_code == 400
    assert set(params) & set(response.json())


def test_detail_has_rules_best_hours_and_top_posts(alice, client_for):
    python = CommunityFactory(name="Python", rules=[{"short_name": "No spam", "description": "", "kind": "all"}])
    today = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    PostFactory(platform="reddit", community=python, score=10, comments_count=1, posted_at=today.replace(hour=8))
    PostFactory(platform="reddit", community=python, score=500, comments_count=50, posted_at=today.replace(hour=15))
    body = client_for(alice).get(f"{LIST}python/").json()
    assert body["rules"][0]["short_name"] == "No spam"
    assert body["insights"]["best_posting_hours"][0] == 15
    assert [p["engagement"] for p in body["insights"]["top_posts"]] == [550, 11]


def test_detail_rejects_malformed_names_and_404s_unknown(alice, client_for):
    client = client_for(alice)
    assert client.get(f"{LIST}not-a-sub!/").status_code == 400
    assert client.get(f"{LIST}nosuchsub/").status_code == 404


def test_review_needs_the_analyst_role(alice, bob, charlie, client_for):
    community = CommunityFactory(name="python")
    # Staff status alone (admin access, operations) does not review: the model permission does.
    assert client_for(bob).post(f"{LIST}python/review/", {"review_status": "ok"}, format="json").status_code == 403
    tag = TagFactory(slug="coding")
    payload = {"review_status": "ok", "primary_category": "tech", "notes": "good fit", "tags": ["coding"]}
    refused = client_for(charlie).post(f"{LIST}python/review/", payload, format="json")
    assert refused.status_code == 403
    community.refresh_from_db()
    assert community.review_status == "unreviewed"
    bob.groups.add(Group.objects.get(name=STAFF))
    reviewed = client_for(User.objects.get(pk=bob.pk)).post(f"{LIST}python/review/", payload, format="json")  # staff
    assert reviewed.status_code == 200, reviewed.json()
    community.refresh_from_db()
    assert (community.review_status, community.primary_category, community.notes) == ("ok", "tech", "good fit")
    assert list(community.tags.all()) == [tag]
    assert community.reviewed_at is not None


def test_analyst_permission_is_enough_to_review(analyst, client_for):
    CommunityFactory(name="python")
    assert (
        client_for(analyst).post(f"{LIST}python/review/", {"review_status": "no_seller"}, format="json").status_code
        == 200
    )


def test_review_rejects_unknown_values_without_writing(staff_reviewer, client_for):
    CommunityFactory(name="python")
    response = client_for(staff_reviewer).post(
        f"{LIST}python/review/", {"review_status": "ok", "tags": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    assert "tags" in response.json()
    assert Community.objects.get().review_status == "unreviewed"


def test_bulk_review_is_all_or_nothing(staff_reviewer, charlie, client_for):
    first, second = CommunityFactory(), CommunityFactory()
    url = f"{LIST}bulk-review/"
    assert client_for(charlie).post(url, {"ids": [first.pk], "review_status": "ok"}, format="json").status_code == 403
    missing = client_for(staff_reviewer).post(url, {"ids": [first.pk, 999_999], "review_status": "ok"}, format="json")
    assert missing.status_code == 400
    assert "999999" in missing.json()["ids"][0]
    assert set(Community.objects.values_list("review_status", flat=True)) == {"unreviewed"}
    done = client_for(staff_reviewer).post(
        url, {"ids": [first.pk, second.pk], "review_status": "banned"}, format="json"
    )
    assert done.json() == {"updated": 2}
    assert set(Community.objects.values_list("review_status", flat=True)) == {"banned"}


def _queued_categorize_messages(ids):
    """Read the real broker: the message the web process put on the intelligence queue."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    found = []
    for raw in client.lrange("ai", 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        if message["headers"].get("task") == "intelligence.tasks.categorize_communities" and args == [ids]:
            found.append(raw)
    for raw in found:
        client.lrem("ai", 1, raw)  # leave the queue as we found it
    return found


def test_categorize_queues_the_intelligence_task_on_the_broker(
    staff_reviewer, charlie, client_for, django_capture_on_commit_callbacks
):
    community = CommunityFactory(name="python")
    assert client_for(charlie).post(f"{LIST}python/categorize/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_reviewer).post(f"{LIST}python/categorize/")
    assert response.status_code == 202
    assert response.json() == {"queued": [community.pk], "task": "intelligence.tasks.categorize_communities"}
    assert len(_queued_categorize_messages([community.pk])) == 1


def test_bulk_categorize_validates_ids(staff_reviewer, client_for, django_capture_on_commit_callbacks):
    first, second = CommunityFactory(), CommunityFactory()
    assert client_for(staff_reviewer).post(f"{LIST}categorize/", {"ids": []}, format="json").status_code == 400
    assert client_for(staff_reviewer).post(f"{LIST}categorize/", {"ids": [999_999]}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_reviewer).post(f"{LIST}categorize/", {"ids": [second.pk, first.pk]}, format="json")
    assert response.status_code == 202
    assert len(_queued_categorize_messages(sorted([first.pk, second.pk]))) == 1


def test_community_list_and_detail_query_counts(alice, client_for, django_assert_max_num_queries):
    tags = TagFactory.create_batch(3)
    for n in range(15):
        CommunityFactory(name=f"sub{n}").tags.add(*tags)
    client = client_for(alice)
    with django_assert_max_num_queries(4):  # counts, count, page, tags
        assert len(client.get(LIST).json()["results"]) == 15
    # lookup (with its requirements joined), tags, the window's posts, top posts, the pending review suggestion
    with django_assert_max_num_queries(5):
        assert client.get(f"{LIST}sub3/").status_code == 200
