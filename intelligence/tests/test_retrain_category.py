"""Retraining the category head on the analysts' decisions, against PostgreSQL with a real (small) head:
too few decisions refuse, enough give a new version, the worker's analyzers switch, old posts re-queue."""

import pytest
from django.core.management import CommandError, call_command

from config.schedule import BEAT_SCHEDULE
from intelligence import tasks
from intelligence.analyst_training import (
    MIN_DECISIONS_PER_CATEGORY,
    NotEnoughDecisions,
    gather_decisions,
    retrain,
)
from intelligence.analyzers import category_head, use_encoder
from intelligence.analyzers.base import AIConfig
from intelligence.analyzers.registry import get_analyzers
from intelligence.models import AnalysisBatch
from posts.models import AIStatus, Post
from tests.factories import CommunityFactory, PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db

FEW = {"food": "Food & drink", "gaming": "Gaming", "pets": "Pets & animals", "fashion": "Fashion"}
TITLES = {
    "food": ["Weeknight ramen with a jammy egg", "My grandmother's lasagna recipe", "First loaf of the year"],
    "pets": ["My rescue dog finally sleeps through the night", "Kitten's first vet visit", "Parrot learned a word"],
}


def _decide(category: str, n: int) -> list:
    """``n`` subreddits an analyst put in ``category``, each with a few recent titles."""
    communities = []
    for i in range(n):
        community = CommunityFactory(name=f"{category}club{i}", primary_category=category)
        for title in TITLES[category]:
            PostFactory(platform="reddit", community=community, caption=f"{title} ({i})")
        communities.append(community)
    return communities


def test_too_few_decisions_refuse_in_one_line_and_the_beat_task_skips_quietly(tmp_path, settings, caplog):
    settings.AI_ARTIFACTS_DIR = str(tmp_path)
    _decide("food", MIN_DECISIONS_PER_CATEGORY - 1)
    with pytest.raises(CommandError) as refused:
        call_command("retrain_category_model")
    message = str(refused.value)
    assert "\n" not in message and f"need {MIN_DECISIONS_PER_CATEGORY} per category" in message
    assert "food 4" in message
    caplog.set_level("INFO", logger="intelligence.tasks")
    tasks.retrain_category_model()  # no exception: the weekly run just skips
    assert "skipped" in caplog.text
    assert not list(tmp_path.glob("*.npz")) and not AnalysisBatch.objects.exists()
    entry = BEAT_SCHEDULE["intelligence-retrain-category-model"]
    assert entry["task"] == tasks.retrain_category_model.name and entry["schedule"] == 7 * 24 * 3600.0


def test_decisions_come_from_analysts_and_never_from_an_evaluated_subreddit(django_assert_num_queries):
    _decide("food", 3)
    CommunityFactory(name="DotA2", primary_category="gaming")  # labelled by the Reddit evaluation set
    CommunityFactory(name="undecided", ai_suggested_category="food")  # the AI's suggestion is no decision
    creator = ProfileFactory(niche="Pets & Animals")
    PostFactory(author=creator, caption="Walkies with the corgi")
    PostFactory(author=creator, shortcode="CPsnU3Il2xJ", caption="a caption the Instagram evaluation set labels")
    ProfileFactory(niche="dog mums")  # free text that names no category
    # Communities, their newest posts, creators, theirs: one query each, however many decisions there are.
    with django_assert_num_queries(4):
        decisions = gather_decisions(FEW)
    assert sorted((d.category, d.source.split(":")[0]) for d in decisions) == [
        ("food", "community"),
        ("food", "community"),
        ("food", "community"),
        ("pets", "profile"),
    ]
    food = next(d for d in decisions if d.category == "food")
    assert "r/foodclub0" in food.texts and any("lasagna" in t for t in food.texts)
    pets = next(d for d in decisions if d.category == "pets")
    assert pets.texts == ["Walkies with the corgi"]


def test_enough_decisions_give_a_new_version_the_worker_switches_to_and_old_posts_are_requeued(
    tmp_path, fresh_registry
):
    # Given the head built from the written data, and posts it categorised
    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=tuple(FEW.items()), num_threads=1)
    encoder = use_encoder.get_encoder(1)
    base = category_head.build_head(tmp_path, encoder.encode, list(FEW), use_encoder.NAME)
    before = get_analyzers(config)
    old_tag = before.category.primary.version_tag
    analysed = PostFactory.create_batch(3, ai_status=AIStatus.DONE, ai_model_version=f"s|l|{old_tag}")
    other = PostFactory(ai_status=AIStatus.DONE, ai_model_version="s|l|embedded:something-else@1")
    # And enough analyst decisions in two categories, too few in a third
    _decide("food", MIN_DECISIONS_PER_CATEGORY)
    _decide("pets", MIN_DECISIONS_PER_CATEGORY)
    CommunityFactory(name="lonelygamers", primary_category="gaming")
    lines: list[str] = []

    # When the category model is retrained
    summary = retrain(echo=lines.append, config=config)

    # Then a new file with a new version, its decisions' weight chosen by CV and recorded
    path = category_head.active_file(base)
    assert path != base and str(path) == summary["path"] and path.exists() and base.exists()
    head = category_head.CategoryHead.load(path)
    assert head.meta["version"].startswith(f"r{category_head.RECIPE_VERSION}-a")
    assert summary["version"] != old_tag and summary["previous_version"] == old_tag and summary["retrained"]
    assert summary["per_category"] == {"food": MIN_DECISIONS_PER_CATEGORY, "pets": MIN_DECISIONS_PER_CATEGORY}
    assert head.meta["decisions_per_category"]["gaming"] == 0
    trail = head.meta["cv_trail"]
    assert [r["analyst_weight"] for r in trail] == list(category_head.ANALYST_WEIGHTS)
    assert head.meta["cv"] == max(trail, key=lambda r: (r["macro_f1"], r["accuracy"], -r["analyst_weight"]))
    assert 0 < head.meta["cv"]["decisions_accuracy"] <= 1 and head.meta["cv"]["n_decision_texts"] > 0
    # progress was printed, and the monitor's row finished
    assert any("retraining on 10 analyst decisions" in line for line in lines)
    assert any("training step" in line for line in lines)
    assert AnalysisBatch.objects.get(kind=AnalysisBatch.Kind.MODELS).status == AnalysisBatch.Status.DONE
    # the posts the old head categorised are back in the backlog; others are left to queue_outdated
    assert summary["queued_for_reanalysis"] == 3
    assert set(Post.objects.filter(pk__in=[p.pk for p in analysed]).values_list("ai_status", flat=True)) == {
        AIStatus.PENDING
    }
    other.refresh_from_db()
    assert other.ai_status == AIStatus.DONE
    # a worker that loaded the old head loads the new one on its next batch
    after = get_analyzers(config)
    assert after is not before and after.category.primary.version_tag == summary["version"]
    assert after.model_version != before.model_version
    (food,) = after.category.primary.analyze(["Slow-cooked beef stew with fresh bread"])
    assert food.category == "food"

    # And the same decisions again change nothing: same file, same version, nothing queued
    again = retrain(config=config)
    assert again["path"] == summary["path"] and not again["retrained"] and again["queued_for_reanalysis"] == 0
    assert get_analyzers(config) is after


def test_too_few_decisions_raise_before_anything_is_built(tmp_path):
    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=tuple(FEW.items()), num_threads=1)
    _decide("pets", 2)
    with pytest.raises(NotEnoughDecisions, match="pets 2"):
        retrain(config=config)
    assert not list(tmp_path.iterdir())


def test_a_retrain_waits_while_a_model_build_holds_the_lease(tmp_path):
    from django.core.cache import cache

    from intelligence.model_builds import LOCK_KEY

    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=tuple(FEW.items()), num_threads=1)
    _decide("pets", MIN_DECISIONS_PER_CATEGORY)
    cache.set(LOCK_KEY, "a build in another worker", 60)
    try:
        assert retrain(config=config) == {"retrained": False, "busy": True}
        assert not list(tmp_path.iterdir()) and not AnalysisBatch.objects.exists()
    finally:
        cache.delete(LOCK_KEY)
