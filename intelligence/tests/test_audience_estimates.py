"""Audience estimates and the credibility score on constructed creators: bought followers vs organic.

Comments go through the real comment pipeline (``analyze_comments`` with the rules backend), so the
language shares are the language analyzer's output on the commenters' text.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intelligence.audience import INPUTS, comment_inputs, credibility, estimate_profile, is_generic
from intelligence.comments import CommentIn, analyze_comments
from intelligence.conf import analyzers
from profiles.models import AudienceDemographics, AudienceShare, Profile, ProfileSnapshot
from tests.factories import PostFactory, ProfileFactory

ORGANIC_LINES = [
    "This recipe saved my dinner party, thank you so much for the tips!",
    "Where did you buy that pan? I have been looking for one like it",
    "I tried this yesterday and my kids loved it, adding more garlic next time",
    "La receta quedó perfecta, gracias por compartir estos pasos tan claros",
    "Could you do a vegetarian version of this one next week please?",
    "The lighting in this video is beautiful, what camera do you use for it",
    "Me encanta cómo explicas cada paso, ya la preparé dos veces esta semana",
    "I never thought to roast the peppers first, what a difference that makes",
]
BOT_LINES = ["nice", "🔥🔥🔥", "great post", "wow", "😍😍", "Amazing content check my page for more", "love it"]


def _snapshots(profile: Profile, counts: list[int]) -> None:
    now = timezone.now()
    ProfileSnapshot.objects.bulk_create(
        ProfileSnapshot(profile=profile, captured_at=now - timedelta(weeks=len(counts) - 1 - i), followers_count=c)
        for i, c in enumerate(counts)
    )


def _comment(post, n: int, author: str, text: str, after: timedelta) -> CommentIn:
    return CommentIn(f"{post.pk}-{n}", text, author, post.posted_at + after)


@pytest.fixture
def rules():
    return analyzers("rules")


@pytest.fixture
def organic(rules):
    """Smooth 1 %/week growth, engagement typical for its tier, many different people writing real sentences."""
    profile = ProfileFactory(handle="organic_cook", followers_count=60_000, engagement_rate=3.1)
    _snapshots(profile, [int(60_000 / 1.01**w) for w in range(20, -1, -1)])
    for p in range(10):
        post = PostFactory(author=profile, posted_at=timezone.now() - timedelta(days=3 * p + 1), likes_count=1800)
        comments = [
            _comment(
                post,
                n,
                f"fan_{p * 7 + n}",
                ORGANIC_LINES[(p + n) % len(ORGANIC_LINES)] + f" ({p}{n})",
                timedelta(hours=n + 1),
            )
            for n in range(6)
        ]
        comments.append(
            _comment(post, 9, "regular_reader", "Another great one, saving this for the weekend", timedelta(hours=3))
        )
        analyze_comments(post, comments, rules)
    return profile


@pytest.fixture
def bought(rules):
    """Flat history, then +45 % in one week with no viral post; low engagement; a pod posting generic comments fast."""
    profile = ProfileFactory(handle="bought_cook", followers_count=60_000, engagement_rate=0.35)
    _snapshots(profile, [41_000] * 10 + [41_100, 41_200, 59_800, 59_900, 60_000])
    pod = [f"pod_member_{i}" for i in range(8)]
    for p in range(10):
        post = PostFactory(author=profile, posted_at=timezone.now() - timedelta(days=3 * p + 1), likes_count=200)
        comments = [
            _comment(post, n, member, BOT_LINES[(p + n) % len(BOT_LINES)], timedelta(minutes=n + 1))
            for n, member in enumerate(pod)
        ]
        analyze_comments(post, comments, rules)
    return profile


@pytest.mark.django_db
def test_bought_followers_score_low_and_organic_high(organic, bought):
    good = estimate_profile(organic.pk)
    bad = estimate_profile(bought.pk)

    assert good["score"] >= 75, good["inputs"]
    assert bad["score"] <= 30, bad["inputs"]
    by_key = {i["key"]: i for i in bad["inputs"]}
    assert by_key["growth_anomalies"]["value"] == 1  # the jump, with no viral post behind it
    assert by_key["generic_share"]["value"] > 0.5
    assert by_key["pod_share"]["value"] == 1.0 and bad["authenticity"]["pod_size"] == 8
    assert by_key["burst_share"]["value"] == 1.0
    assert by_key["engagement_ratio"]["score"] < 0.5
    organic.refresh_from_db()
    assert organic.audience_credibility == good["score"] and organic.audience_estimated_at is not None


@pytest.mark.django_db
def test_a_viral_post_explains_a_jump(bought):
    jump_week = timezone.now() - timedelta(weeks=2)
    PostFactory(author=bought, posted_at=jump_week - timedelta(days=1), likes_count=50_000, is_viral=True)

    result = estimate_profile(bought.pk)

    assert {i["key"]: i for i in result["inputs"]}["growth_anomalies"]["value"] == 0


@pytest.mark.django_db
def test_estimates_store_commenter_languages_with_their_sample_size(organic):
    estimate_profile(organic.pk)

    row = AudienceDemographics.objects.get(profile=organic, source="comment_estimate")
    assert row.segment == "commenters" and row.sample_size == 70
    assert set(row.languages) >= {"en", "es"} and sum(row.languages.values()) == pytest.approx(1)
    assert row.languages["en"] > row.languages["es"]
    assert AudienceShare.objects.filter(profile=organic, dimension="language", code="es").exists()
    reach = organic.__class__.objects.get(pk=organic.pk).audience_credibility_parts["commenter_reach"]
    assert reach["distinct_commenters"] == 61 and reach["repeat_share"] == pytest.approx(1 / 61, abs=1e-3)


@pytest.mark.django_db
def test_too_little_data_gives_no_score_rather_than_a_guess():
    profile = ProfileFactory(followers_count=None, engagement_rate=None)

    assert estimate_profile(profile.pk)["score"] is None
    profile.refresh_from_db()
    assert profile.audience_credibility is None


def test_weights_sum_to_one_and_every_input_has_a_rule():
    assert sum(i.weight for i in INPUTS) == pytest.approx(1)
    score, inputs = credibility({"generic_share": 0.9, "engagement_ratio": 2.0})
    assert score == pytest.approx(100 * (0.20 * 0 + 0.25 * 1) / 0.45, abs=0.1)
    assert [i["key"] for i in inputs if i["score"] is None] == [
        "duplicate_share",
        "burst_share",
        "pod_share",
        "growth_anomalies",
    ]


def test_generic_and_emoji_only_comments_are_recognised():
    assert is_generic("🔥🔥🔥") and is_generic("Nice!") and is_generic("@friend 😍")
    assert not is_generic("Where did you buy that pan?")
    assert comment_inputs([], 0)["values"] == {}


@pytest.mark.django_db
def test_the_nightly_pass_covers_every_creator_in_bounded_batches_never_estimated_first():
    from intelligence.audience import estimate_all

    done = ProfileFactory(audience_estimated_at=timezone.now() - timedelta(days=2))
    fresh = [ProfileFactory(), ProfileFactory(platform="reddit", handle="some_redditor")]

    assert estimate_all(batch=2) == 2
    assert all(Profile.objects.get(pk=p.pk).audience_estimated_at is not None for p in fresh)
    assert estimate_all(batch=2) == 1  # then the stale one
    assert Profile.objects.get(pk=done.pk).audience_estimated_at > timezone.now() - timedelta(minutes=5)
    assert estimate_all(batch=2) == 0
