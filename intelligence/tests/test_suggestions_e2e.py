"""End to end with the real MiniLM encoder: content vectors, lookalikes and tag suggestions from the taxonomy."""

import pytest
from django.test import override_settings

from intelligence.jobs import analyze_profile, categorize_communities
from intelligence.models import AnalysisBatch, ProfileEmbedding
from profiles.models import RelatedProfile, TagSuggestion
from tests.factories import CommunityFactory, PostFactory, ProfileFactory, TagCategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

VEGAN = [
    "Creamy vegan pasta with cashew sauce, recipe below #vegan #plantbased",
    "My favourite tofu stir fry, ready in 15 minutes #vegancooking",
    "Plant-based brownies that nobody can tell are vegan #veganbaking",
]
GAMING = [
    "Ranked grind tonight, hoping to hit diamond #gaming",
    "This boss fight took me 40 tries #eldenring #gamer",
    "Streaming the new patch at 8pm, come hang out #twitch",
]


@override_settings(AI_BACKEND="rules", AI_TAG_SUGGESTION_THRESHOLD=0.75)
def test_creator_gets_matching_tags_and_lookalikes_but_never_sensitive_tags():
    niche = TagCategoryFactory(name="Niche")
    vegan_tag = TagFactory(category=niche, name="Vegan recipes", description="plant-based cooking and vegan food")
    esports_tag = TagFactory(category=niche, name="Esports", description="competitive video gaming and streaming")
    sensitive = TagFactory(
        category=niche, name="Vegan diet follower", description="vegan plant-based food", is_sensitive=True
    )
    cook, other_cook, gamer = ProfileFactory(handle="cook"), ProfileFactory(), ProfileFactory()
    for profile, captions in ((cook, VEGAN), (other_cook, VEGAN[::-1]), (gamer, GAMING)):
        for caption in captions:
            PostFactory(author=profile, caption=caption)
    for profile in (other_cook, gamer):
        analyze_profile(profile.pk)

    summary = analyze_profile(cook.pk)

    assert summary["processed"] == 3 and summary["primary_content_type"] == "food"
    assert ProfileEmbedding.objects.get(profile=cook).dim == 384
    lookalikes = list(RelatedProfile.objects.filter(profile=cook, source="lookalike").order_by("-score"))
    assert [link.related_id for link in lookalikes] == [other_cook.pk, gamer.pk]
    suggested = set(TagSuggestion.objects.filter(profile=cook).values_list("tag_id", flat=True))
    assert vegan_tag.pk in suggested
    assert esports_tag.pk not in suggested
    assert sensitive.pk not in suggested
    assert set(TagSuggestion.objects.filter(profile=gamer).values_list("tag_id", flat=True)) == {esports_tag.pk}


@override_settings(AI_BACKEND="embedded")
def test_categorize_communities_task_function_records_a_batch():
    community = CommunityFactory(
        name="Android", title="Android", public_description="News, apps and help for Android phones and tablets"
    )
    batch = categorize_communities([community.pk, 10**9])
    community.refresh_from_db()
    assert community.ai_suggested_category == "tech"
    assert (batch.kind, batch.processed, batch.skipped, batch.status) == ("communities", 1, 1, "done")
    assert AnalysisBatch.objects.filter(pk=batch.pk).exists()
