"""Issue 21 through the API and pages: one FilterSet for "who may post", requirements on the report, links."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from intelligence import subreddits
from profiles.models import CommunityRequirements, Profile, ProfileLink
from tests.factories import CommunityFactory, ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

LIST = "/api/v1/communities/"


@pytest.fixture
def subs():
    def make(name, **values):
        community = CommunityFactory(name=name)
        CommunityRequirements.objects.create(community=community, evidence=[{"field": "x"}] if values else [], **values)
        return community

    return {
        "open": make("opensub", selling_allowed=True, min_total_karma=100, min_account_age_days=7),
        "strict": make("strictsub", min_total_karma=2000),
        "old": make("oldaccounts", min_account_age_days=90),
        "verified": make("verifiedonly", verification_required=True),
        "noselling": make("nosellers", selling_allowed=False),
        "comments": make("commentkarma", min_comment_karma=600),
        "unknown": make("saysnothing"),
    }


def test_who_may_post_filter_keeps_unknowns_and_drops_known_barriers(alice, client_for, subs):
    query = {"account_age_days": 30, "karma": 500, "verification_required": "false", "selling_allowed": "true"}

    names = {c["name"] for c in client_for(alice).get(LIST, query).json()["results"]}

    assert names == {"opensub", "saysnothing"}


def test_known_requirements_and_bad_filter_values(alice, client_for, subs):
    client = client_for(alice)

    known = {c["name"] for c in client.get(LIST, {"requirements_known": "true", "karma": 500}).json()["results"]}
    bad = client.get(LIST, {"karma": "lots", "account_age_days": -1})

    assert "saysnothing" not in known and "opensub" in known
    assert bad.status_code == 400 and set(bad.json()) >= {"karma", "account_age_days"}


def test_report_carries_requirements_suggestion_and_best_time_by_type(alice, client_for):
    community = CommunityFactory(
        name="reportsub", rules=[{"short_name": "Karma", "description": "Minimum 300 karma to post."}]
    )
    subreddits.assess(community.pk)

    body = client_for(alice).get(f"{LIST}reportsub/").json()

    assert body["requirements"]["min_total_karma"] == 300
    assert body["requirements"]["evidence"][0]["rule"] == "Karma"
    assert body["review_suggestion"]["suggested_status"] in {"ok", "non_related"}
    assert body["insights"]["best_time_by_post_type"] == [] and body["insights"]["posts"] == 0


def test_profile_report_lists_confirmed_links_only(alice, client_for):
    redditor = Profile.objects.create(platform="reddit", handle="link_me_77")
    creator = ProfileFactory(handle="link.me.77")
    other = ProfileFactory(handle="someone.else")
    ProfileLink.objects.create(
        profile=redditor,
        linked=creator,
        platform="instagram",
        handle=creator.handle,
        confidence=0.9,
        status="confirmed",
    )
    ProfileLink.objects.create(
        profile=redditor, linked=other, platform="instagram", handle=other.handle, confidence=0.5, status="rejected"
    )

    body = client_for(alice).get(f"/api/v1/profiles/instagram/{creator.handle}/").json()

    assert [(p["platform"], p["handle"]) for p in body["linked_profiles"]] == [("reddit", "link_me_77")]


def test_pages_decide_suggestions_and_links_only_for_analysts(alice, charlie):
    community = CommunityFactory(
        name="pagesub", is_nsfw=True, rules=[{"short_name": "No OF", "description": "No OnlyFans links."}]
    )
    subreddits.assess(community.pk)
    suggestion = community.review_suggestions.get(status="pending")
    redditor = Profile.objects.create(platform="reddit", handle="page_user_1")
    link = ProfileLink.objects.create(profile=redditor, platform="instagram", handle="page.user.1", confidence=0.6)
    reader, analyst = Client(), Client()
    reader.force_login(charlie)
    alice.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_community", "change_profilelink", "view_community"])
    )
    analyst.force_login(alice)

    page = analyst.get(f"/communities/{community.pk}/")
    queue = analyst.get("/communities/review/")
    refused = reader.post(f"/communities/review/suggestions/{suggestion.pk}/decide/", {"decision": "accept"})
    accepted = analyst.post(f"/communities/review/suggestions/{suggestion.pk}/decide/", {"decision": "accept"})
    analyst.post(f"/creators/links/{link.pk}/decide/", {"decision": "rejected"})

    assert page.status_code == 200 and b"Who may post" in page.content and b"No OF" in page.content
    assert b"Suggested: No seller" in queue.content
    assert refused.status_code == 302 and accepted.status_code == 302
    community.refresh_from_db()
    link.refresh_from_db()
    assert community.review_status == "no_seller" and link.status == "rejected"


def test_reviewing_needs_the_model_permission_not_staff_status(django_user_model):
    """is_staff opens admin; reviewing a subreddit (API, admin actions) needs profiles.change_community."""
    community = CommunityFactory(name="staffsub", rules=[{"short_name": "No selling", "description": ""}])
    subreddits.assess(community.pk)
    suggestion = community.review_suggestions.get(status="pending")
    staff = django_user_model.objects.create_user("bare_staff", password="x", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_community", "view_communityreviewsuggestion"])
    )
    client = Client()
    client.force_login(staff)

    refused = client.post(f"/api/v1/communities/{community.name}/review/", {"review_status": "ok"})
    changelist = client.get("/admin/profiles/communityreviewsuggestion/")
    acted = client.post(
        "/admin/profiles/communityreviewsuggestion/",
        {"action": "accept", "_selected_action": [suggestion.pk]},
    )
    community.refresh_from_db()
    suggestion.refresh_from_db()
    assert refused.status_code == 403
    assert changelist.status_code == 200 and b'value="accept"' not in changelist.content
    assert acted.status_code in (200, 302) and suggestion.status == "pending"
    assert community.review_status == "unreviewed"

    staff.user_permissions.add(Permission.objects.get(codename="change_community"))
    staff = django_user_model.objects.get(pk=staff.pk)  # fresh permission cache
    client.force_login(staff)
    assert client.post(f"/api/v1/communities/{community.name}/review/", {"review_status": "ok"}).status_code == 200
    client.post("/admin/profiles/communityreviewsuggestion/", {"action": "reject", "_selected_action": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected"
