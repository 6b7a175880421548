"""Issue 21 analysis: requirement extraction (tuning texts, not the evaluation set), observed lower
bounds and contradictions, review suggestions that respect decisions, identity links that respect rejections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from intelligence import identity, requirements, subreddits
from posts.models import Post
from profiles.models import Community, CommunityReviewSuggestion, Profile, ProfileLink
from scraping.reddit import parse_rules
from scraping.tests.fake_upstream import load_fixture
from tests.factories import CommunityFactory, ProfileFactory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "You need at least 100 comment karma and 50 post karma to post here. Accounts younger than 30 days "
            "will be removed automatically.",
            {"min_comment_karma": 100, "min_post_karma": 50, "min_account_age_days": 30},
        ),
        (
            "Your account must be at least 2 weeks old and have 1k+ karma.",
            {"min_account_age_days": 14, "min_total_karma": 1000},
        ),
        (
            "Selling, buying or promoting OnlyFans is not allowed. No self-promotion.",
            {"selling_allowed": False, "onlyfans_allowed": False, "promotion_allowed": False},
        ),
        ("Sellers are welcome. Self promotion is allowed.", {"selling_allowed": True, "promotion_allowed": True}),
        ("You must be verified to post.", {"verification_required": True}),
        ("Verification is not required but recommended.", {"verification_required": False}),
        ("All posts must be flaired. Unflaired posts will be removed.", {"flair_required": True}),
        ("Only images and gifs are allowed.", {"allowed_post_types": ["image", "video"]}),
        ("Text posts only, no link posts.", {"allowed_post_types": ["text"], "submission_type": "self"}),
    ],
)
def test_extraction_reads_stated_requirements(text, expected):
    found = requirements.extract([{"short_name": "Rule", "description": text}]).known()

    assert {k: found.get(k) for k in expected} == expected


def test_every_item_names_the_rule_it_came_from():
    result = requirements.extract(
        [
            {"short_name": "Karma", "description": "Minimum 200 karma to post."},
            {"short_name": "Be nice", "description": ""},
        ],
        sidebar="Posts must have a flair.",
    )

    by_field = {e.field: e for e in result.evidence}
    assert by_field["min_total_karma"].rule == "Karma" and "200 karma" in by_field["min_total_karma"].quote
    assert by_field["flair_required"].source == "sidebar"


def test_rules_that_parse_to_nothing_are_unknown_never_invented():
    rules = parse_rules(load_fixture("reddit/subreddit_rules.json"))  # placeholder rules ("sdf", "testing post rf")

    result = requirements.extract(rules, sidebar="Karma farming and reposts are discouraged.")

    assert result.is_unknown and result.known() == {}
    assert all(value is None for value in result.values.values())


def test_evaluation_command_prints_precision_and_recall(capsys):
    call_command("evaluate_requirements", "--json")

    out = capsys.readouterr().out
    assert "micro precision" in out
    summary = __import__("json").loads(out.strip().splitlines()[-1])
    assert summary["cases"] == 30 and 0 < summary["precision"] <= 1 and 0 < summary["recall"] <= 1


@pytest.fixture
def sub(db):
    return CommunityFactory(
        name="creatorsub",
        is_nsfw=True,
        rules=[
            {"short_name": "Karma", "description": "You need at least 500 karma and an account older than 30 days."},
            {"short_name": "No selling", "description": "No selling and no OnlyFans links."},
        ],
    )


def _post(community, author, days_ago: float, seen_after_days: float = 2.0) -> Post:
    posted = timezone.now() - timedelta(days=days_ago)
    return Post.objects.create(
        platform="reddit",
        external_id=f"p{Post.objects.count()}",
        author=author,
        community=community,
        posted_at=posted,
        last_scraped_at=posted + timedelta(days=seen_after_days),
        score=10,
    )


@pytest.mark.django_db
def test_observed_lower_bounds_flag_a_contradicted_rule(sub):
    now = timezone.now()
    young = Profile.objects.create(
        platform="reddit", handle="fresh_one", total_karma=40, account_created_at=now - timedelta(days=10)
    )
    old = Profile.objects.create(
        platform="reddit", handle="old_hand", total_karma=9000, account_created_at=now - timedelta(days=900)
    )
    removed = Profile.objects.create(platform="reddit", handle="removed_fast", total_karma=1, account_created_at=now)
    _post(sub, young, days_ago=5)
    _post(sub, old, days_ago=60)
    _post(sub, removed, days_ago=3, seen_after_days=0.01)  # never seen a day later: not "stayed up"

    row = subreddits.assess(sub.pk)

    assert row.min_total_karma == 500 and row.min_account_age_days == 30 and row.selling_allowed is False
    assert row.observed["30"]["min_total_karma"] == 40 and row.observed["30"]["min_total_karma_by"] == "fresh_one"
    assert row.observed["30"]["min_account_age_days"] == 5
    assert row.observed["90"]["posts"] == 2
    flagged = {c["field"] for c in row.contradictions}
    assert flagged == {"min_total_karma", "min_account_age_days"}


@pytest.mark.django_db
def test_review_suggestion_accepted_is_kept_and_rejected_never_returns(sub, django_user_model):
    analyst = django_user_model.objects.create(username="ana")
    subreddits.assess(sub.pk)
    suggestion = CommunityReviewSuggestion.objects.get(community=sub, status="pending")
    assert suggestion.suggested_status == "no_seller" and suggestion.confidence >= 0.8
    assert any(s["rule"] == "No selling" for s in suggestion.signals)

    suggestion.reject(analyst)
    subreddits.assess(sub.pk)  # a re-scrape reassesses

    assert not CommunityReviewSuggestion.objects.filter(
        community=sub, suggested_status="no_seller", status="pending"
    ).exists()
    other = CommunityReviewSuggestion.objects.get(community=sub, status="pending")
    other.accept(analyst)
    sub.refresh_from_db()
    assert sub.review_status == other.suggested_status
    Community.objects.filter(pk=sub.pk).update(rules=[])
    subreddits.assess(sub.pk)
    sub.refresh_from_db()
    assert sub.review_status == other.suggested_status  # the analyst's decision survives
    assert not CommunityReviewSuggestion.objects.filter(community=sub, status="pending").exists()


@pytest.mark.django_db
def test_user_feed_and_non_related_suggestions():
    feed = CommunityFactory(name="u_someone", subreddit_type="user")
    plain = CommunityFactory(name="woodworking", public_description="Projects and tools.")

    assert subreddits.assess(feed.pk) and feed.review_suggestions.get().suggested_status == "user_feed"
    assert subreddits.assess(plain.pk) and plain.review_suggestions.get().suggested_status == "non_related"


@pytest.mark.django_db
def test_identity_links_from_bios_link_pages_and_handles():
    redditor = Profile.objects.create(
        platform="reddit", handle="lena_draws", bio="Art! IG: @lena.draws.art · linktr.ee/lenadraws"
    )
    creator = ProfileFactory(handle="lena.draws.art", bio="illustrator", external_url="https://linktr.ee/lenadraws")
    twin = ProfileFactory(handle="lena_draws", bio="reddit: u/lena_draws")

    identity.suggest_links(redditor.pk)
    identity.suggest_links(twin.pk)

    by_handle = {link.handle: link for link in ProfileLink.objects.filter(profile=redditor)}
    named = by_handle["lena.draws.art"]
    assert named.linked == creator and named.status == "suggested"
    assert {e["kind"] for e in named.evidence} == {"named_on_reddit", "same_link_page"}
    assert named.confidence == pytest.approx(1 - 0.15 * 0.2, abs=0.001)
    same = by_handle["lena_draws"]
    assert {e["kind"] for e in same.evidence} == {"same_handle", "names_reddit_user"}


@pytest.mark.django_db
def test_link_suggestions_never_cross_a_rejection_and_keep_a_confirmation():
    redditor = Profile.objects.create(platform="reddit", handle="sam_fit_99", bio="insta: @samfit99")
    ProfileFactory(handle="samfit99")
    ProfileFactory(handle="sam_fit_99")
    identity.suggest_links(redditor.pk)
    rejected = ProfileLink.objects.get(profile=redditor, handle="samfit99")
    confirmed = ProfileLink.objects.get(profile=redditor, handle="sam_fit_99")
    rejected.decide("rejected")
    confirmed.decide("confirmed")

    identity.suggest_links(redditor.pk)
    for creator in Profile.objects.filter(platform="instagram"):
        identity.suggest_links(creator.pk)

    rejected.refresh_from_db()
    confirmed.refresh_from_db()
    assert rejected.status == "rejected" and confirmed.status == "confirmed"
    assert ProfileLink.objects.filter(profile=redditor).count() == 2
