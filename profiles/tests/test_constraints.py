"""The database itself refuses invalid rows, and a refused write loses nothing else."""

import pytest
from django.db import IntegrityError, transaction

from posts.models import Post
from profiles.models import Profile, TagSuggestion
from tests.factories import CommunityFactory, PostFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_handle_is_unique_per_platform_case_insensitively():
    ProfileFactory(platform="instagram", handle="Natgeo")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileFactory(platform="instagram", handle="natgeo")
    # The same handle on the other platform is a different account.
    ProfileFactory(platform="reddit", handle="natgeo")
    assert Profile.objects.filter(handle__iexact="natgeo").count() == 2


def test_refused_write_in_a_batch_leaves_earlier_rows_intact():
    kept = ProfileFactory(handle="kept", followers_count=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileFactory(handle="new-one")
        ProfileFactory(handle="KEPT")
    assert list(Profile.objects.values_list("handle", flat=True)) == ["kept"]
    kept.refresh_from_db()
    assert kept.followers_count == 10


@pytest.mark.parametrize(
    ("field", "value"),
    [("followers_count", -1), ("review_status", "maybe"), ("platform", "tiktok"), ("scrape_priority", 0)],
)
def test_profile_rejects_invalid_values(field, value):
    profile = ProfileFactory()
    setattr(profile, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        profile.save()


def test_hidden_likes_are_null_not_zero():
    post = PostFactory(likes_count=None, likes_hidden=True)
    post.refresh_from_db()
    assert post.likes_count is None


@pytest.mark.parametrize(("field", "value"), [("likes_count", -5), ("upvote_ratio", 1.5), ("kind", "story")])
def test_post_rejects_invalid_values(field, value):
    post = PostFactory()
    setattr(post, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        post.save()


def test_post_external_id_is_unique_per_platform():
    PostFactory(platform="instagram", external_id="123")
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(platform="instagram", external_id="123")
    assert Post.objects.count() == 1


def test_community_review_status_takes_only_the_review_values():
    community = CommunityFactory()
    community.review_status = "approved"
    with pytest.raises(IntegrityError), transaction.atomic():
        community.save()


def test_tag_suggestion_targets_exactly_one_of_profile_or_community():
    tag = TagFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TagSuggestion.objects.create(tag=tag, profile=ProfileFactory(), community=CommunityFactory(), confidence=0.9)


def test_accepting_a_suggestion_tags_the_profile(alice):
    profile = ProfileFactory()
    suggestion = TagSuggestion.objects.create(tag=TagFactory(), profile=profile, confidence=0.91)
    suggestion.accept(alice)
    assert list(profile.tags.all()) == [suggestion.tag]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", alice)
