"""factory_boy factories for every core model, shared by all apps' tests."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Membership, Team
from campaigns.models import Campaign, CampaignPost, CampaignProfile
from media.models import Asset
from posts.models import Post
from profiles.models import Community, Profile, ProfileSnapshot, Tag, TagCategory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        django_get_or_create = ["team", "user"]

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ANALYST


def team_of(user) -> Team:
    """The user's first team; a user of no team gets one of their own, as its owner."""
    membership = Membership.objects.filter(user=user).order_by("created_at", "id").first()
    if membership is not None:
        return membership.team
    return MembershipFactory(user=user, team__name=f"{user.username} team", role=Membership.Role.OWNER).team


class TagCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagCategory
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    category = factory.SubFactory(TagCategoryFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))
    description = factory.LazyAttribute(lambda t: f"{t.name} content")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    platform = "instagram"
    handle = factory.Sequence(lambda n: f"creator{n}")
    external_id = factory.Sequence(lambda n: str(1000 + n))
    full_name = factory.Faker("name")
    bio = "Travel and food creator"
    followers_count = 10_000
    following_count = 500
    posts_count = 120


class ProfileSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileSnapshot

    profile = factory.SubFactory(ProfileFactory)
    followers_count = 10_000


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"community{n}")
    title = factory.LazyAttribute(lambda c: c.name.title())
    subscribers = 50_000


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    platform = "instagram"
    external_id = factory.Sequence(lambda n: f"post{n}")
    author = factory.SubFactory(ProfileFactory)
    caption = "Sunset in Lisbon #travel"
    # Distinct, newest-first times that stay inside every analytics window (30 to 180 days) however
    # many posts a whole test session creates: minutes apart, not days.
    posted_at = factory.Sequence(lambda n: timezone.now() - timedelta(minutes=n))
    likes_count = 500
    comments_count = 20


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda c: team_of(c.owner))
    name = factory.Sequence(lambda n: f"Campaign {n}")
    brand = "Acme"


class CampaignProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignProfile

    campaign = factory.SubFactory(CampaignFactory)
    profile = factory.SubFactory(ProfileFactory)


class CampaignPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignPost

    campaign = factory.SubFactory(CampaignFactory)
    post = factory.SubFactory(PostFactory)


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    kind = "image"
