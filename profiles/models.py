"""Platform accounts, their history, subreddits, and the analyst-owned data around them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from config.fields import EncryptedTextField
from config.querysets import TeamOwnedQuerySet
from profiles.categories import CATEGORY_CHOICES
from profiles.querysets import BioDocument, CommunityQuerySet, ProfileAccessQuerySet, ProfileQuerySet


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    REDDIT = "reddit", "Reddit"


class ReviewStatus(models.TextChoices):
    """An analyst's decision about a creator."""

    UNREVIEWED = "unreviewed", "Unreviewed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WATCHLIST = "watchlist", "Watchlist"


class CommunityReviewStatus(models.TextChoices):
    """An analyst's decision about a subreddit (the B9 review values)."""

    UNREVIEWED = "unreviewed", "Unreviewed"
    OK = "ok", "OK"
    NO_SELLER = "no_seller", "No seller"
    NON_RELATED = "non_related", "Non related"
    USER_FEED = "user_feed", "User feed"
    BANNED = "banned", "Banned"


class ScrapeStatus(models.TextChoices):
    NEVER = "never", "Never scraped"
    OK = "ok", "OK"
    FAILED = "failed", "Failed"
    PRIVATE = "private", "Private"
    NOT_FOUND = "not_found", "Not found"
    BANNED = "banned", "Banned"


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def _non_negative(fields: list[str], prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{f}__gte": 0}) | Q(**{f"{f}__isnull": True}), name=f"{prefix}_{f}_gte_0"
        )
        for f in fields
    ]


# The longest bio kept: Instagram bios hold 150 characters and Reddit's public descriptions about 200,
# while ~1 MB of distinct words has no tsvector (PostgreSQL's limit, see BioDocument) and would fail the
# write, and with it a scrape's whole upsert batch.
BIO_MAX_CHARS = 2_000


class TagCategory(models.Model):
    """A group in the analyst tag taxonomy (niche, format, style, production…)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "tag categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label analysts put on creators and communities; AI may suggest it, an analyst decides.

    ``description`` is what the AI compares content against, so a new tag works without code
    changes. A sensitive tag (one that would describe a person's protected or intimate attributes)
    is never suggested by the AI (DESIGN §5).
    """

    category = models.ForeignKey(TagCategory, on_delete=models.PROTECT, related_name="tags")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_sensitive = models.BooleanField(default=False, help_text="Never suggested by the AI.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__position", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="tag_unique_name_in_category")]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name}"


class Profile(models.Model):
    """A creator's account on one platform: an Instagram creator or a Reddit user.

    Counts the platform hides are NULL, never 0. Analyst-owned fields (review status, niche, notes,
    tags) are never written by a scrape. Cached metrics name their formula in ``posts/metrics.py``.
    """

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=64, blank=True, default="")
    handle = models.CharField(max_length=64, help_text="Username as the platform shows it.")
    full_name = models.CharField(max_length=255, blank=True, default="")
    # Forms and the scrape's upsert (scraping.ingest clips strings to max_length) keep it bounded.
    bio = models.TextField(blank=True, default="", max_length=BIO_MAX_CHARS)
    # What creator search matches the bio against: written by the database, never by us (see BioDocument).
    search_document = models.GeneratedField(expression=BioDocument(), output_field=SearchVectorField(), db_persist=True)
    external_url = models.URLField(max_length=500, blank=True, default="")
    links = models.JSONField(default=list, blank=True)
    is_verified = models.BooleanField(default=False)
    is_private = models.BooleanField(default=False)
    is_business = models.BooleanField(default=False)
    category = models.CharField(
        max_length=120, blank=True, default="", help_text="The platform's own business category."
    )
    avatar_url = models.URLField(max_length=1000, blank=True, default="")
    avatar_asset = models.ForeignKey("media.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    followers_count = models.BigIntegerField(null=True, blank=True)
    following_count = models.BigIntegerField(null=True, blank=True)
    posts_count = models.BigIntegerField(null=True, blank=True)
    # Reddit only.
    link_karma = models.BigIntegerField(null=True, blank=True)
    comment_karma = models.BigIntegerField(null=True, blank=True)
    total_karma = models.BigIntegerField(null=True, blank=True)
    account_created_at = models.DateTimeField(null=True, blank=True)

    # Cached metrics (recomputed after each ingest; formulas and windows in posts/metrics.py).
    engagement_rate = models.FloatField(
        null=True, blank=True, help_text="Mean (likes+comments)/followers, last 12 posts, %."
    )
    engagement_rate_median = models.FloatField(
        null=True, blank=True, help_text="Median likes/followers over 60 days, %."
    )
    engagement_rate_views = models.FloatField(
        null=True, blank=True, help_text="Mean (likes+comments)/views on videos, %."
    )
    avg_likes = models.FloatField(null=True, blank=True)
    median_likes = models.FloatField(null=True, blank=True)
    avg_comments = models.FloatField(null=True, blank=True)
    median_comments = models.FloatField(null=True, blank=True)
    avg_views = models.FloatField(null=True, blank=True)
    posts_per_week = models.FloatField(null=True, blank=True)
    posting_consistency = models.FloatField(null=True, blank=True)
    best_posting_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    best_posting_weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    follower_growth_7d = models.FloatField(null=True, blank=True, help_text="%")
    follower_growth_30d = models.FloatField(null=True, blank=True, help_text="%")
    follower_growth_90d = models.FloatField(null=True, blank=True, help_text="%")
    growth_spike = models.BooleanField(default=False)
    comments_per_100_likes = models.FloatField(null=True, blank=True)
    views_per_like = models.FloatField(null=True, blank=True)
    is_mass_follower = models.BooleanField(default=False)
    sponsored_share = models.FloatField(null=True, blank=True)
    sponsored_engagement_rate = models.FloatField(null=True, blank=True)
    organic_engagement_rate = models.FloatField(null=True, blank=True)
    metrics_computed_at = models.DateTimeField(null=True, blank=True)

    # AI aggregates over the profile's analysed posts (intelligence/aggregate.py).
    ai_primary_content_type = models.CharField(max_length=32, choices=CATEGORY_CHOICES, blank=True, default="")
    ai_primary_language = models.CharField(max_length=8, blank=True, default="")
    ai_content_distribution = models.JSONField(default=dict, blank=True)
    ai_language_distribution = models.JSONField(default=dict, blank=True)
    ai_average_sentiment = models.FloatField(null=True, blank=True)
    ai_content_quality_score = models.FloatField(null=True, blank=True)
    ai_analyzed_at = models.DateTimeField(null=True, blank=True)

    # Audience estimates (intelligence/audience.py) and peer benchmarks (profiles/benchmarks.py).
    audience_credibility = models.FloatField(
        null=True, blank=True, help_text="Audience credibility 0-100, an estimate from public data."
    )
    audience_credibility_parts = models.JSONField(default=dict, blank=True)
    audience_estimated_at = models.DateTimeField(null=True, blank=True)
    benchmarks = models.JSONField(default=dict, blank=True, help_text="Percentiles among peers, nightly.")

    # Analyst-owned: never written by a scrape.
    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED)
    niche = models.CharField(max_length=120, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="profiles")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # Scrape bookkeeping.
    scrape_enabled = models.BooleanField(default=True)
    scrape_priority = models.PositiveSmallIntegerField(default=5, help_text="1 = most urgent, 9 = least.")
    scrape_status = models.CharField(max_length=16, choices=ScrapeStatus.choices, default=ScrapeStatus.NEVER)
    last_error = models.TextField(blank=True, default="")
    last_scraped_at = models.DateTimeField(null=True, blank=True)
    next_scrape_at = models.DateTimeField(null=True, blank=True)
    discovered_via = models.CharField(max_length=120, blank=True, default="", help_text="How discovery found it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What every scrape writes, in field order: scraping/ingest.py upserts these from
    # scraping.schemas.ProfileData (same names).
    SCRAPED_FIELDS = (
        "external_id",
        "handle",
        "full_name",
        "bio",
        "external_url",
        "links",
        "is_verified",
        "is_private",
        "is_business",
        "category",
        "avatar_url",
        "followers_count",
        "following_count",
        "posts_count",
        "link_karma",
        "comment_karma",
        "total_karma",
        "account_created_at",
    )
    # Analyst-owned: a re-scrape never writes them.
    ANALYST_FIELDS = ("review_status", "niche", "notes", "tags", "reviewed_at")

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-followers_count", "id"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), "platform", name="profile_unique_handle_per_platform"),
            _choices_check("platform", Platform, "profile_platform_valid"),
            _choices_check("review_status", ReviewStatus, "profile_review_status_valid"),
            models.CheckConstraint(
                condition=Q(scrape_priority__gte=1, scrape_priority__lte=9), name="profile_priority_1_9"
            ),
            *_non_negative(["followers_count", "following_count", "posts_count"], "profile"),
        ]
        indexes = [
            models.Index(fields=["platform", "external_id"], name="profile_platform_extid"),
            models.Index(fields=["platform", "-followers_count"], name="profile_platform_followers"),
            # The default order of creator search (API and page), biggest first and unknown counts last,
            # has its index "profile_followers_nl" (followers_count DESC NULLS LAST, id) built on
            # PostgreSQL only by migration 0005, outside the model state (SQLite cannot build it).
            # Admin's engagement, growth and last-scrape columns sort on (column DESC NULLS LAST, id)
            # indexes from migration 0017, PostgreSQL only for the same reason.
            models.Index(fields=["engagement_rate"], name="profile_engagement"),
            # With -id: admin's category and review columns sort by (column, -pk) (Django adds the
            # key), and the first page then reads 50 entries instead of sorting a 300,000-row group.
            models.Index(fields=["ai_primary_content_type", "-id"], name="profile_category"),
            models.Index(fields=["ai_primary_language"], name="profile_language"),
            models.Index(fields=["review_status", "-id"], name="profile_review_status"),
            # ...and its reversed click: the 50,000 "watchlist" creators sorted wide took 1.3 s.
            models.Index(fields=["-review_status", "-id"], name="profile_review_status_desc"),
            # With id, "credibility ≥ x" and its count join the audience filters by index-only scans.
            models.Index(fields=["audience_credibility", "id"], name="profile_credibility"),
            models.Index(fields=["scrape_enabled", "next_scrape_at"], name="profile_due"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"

    @property
    def permalink(self) -> str:
        if self.platform == Platform.REDDIT:
            return f"https://www.reddit.com/user/{self.handle}/"
        return f"https://www.instagram.com/{self.handle}/"


class ProfileSnapshot(models.Model):
    """One scrape's counts for a profile: the time series that growth is computed from."""

    # No index of its own: psnap_profile_time starts with profile_id and serves the foreign key's
    # lookups and cascades (docs/partitioning.md).
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    captured_at = models.DateTimeField(default=timezone.now)
    followers_count = models.BigIntegerField(null=True, blank=True)
    following_count = models.BigIntegerField(null=True, blank=True)
    posts_count = models.BigIntegerField(null=True, blank=True)
    total_karma = models.BigIntegerField(null=True, blank=True)
    engagement_rate = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-captured_at"]
        get_latest_by = "captured_at"
        indexes = [models.Index(fields=["profile", "captured_at"], name="psnap_profile_time")]
        constraints = _non_negative(["followers_count", "following_count", "posts_count"], "psnap")

    def __str__(self) -> str:
        return f"{self.profile} @ {self.captured_at:%Y-%m-%d %H:%M}"


class Community(models.Model):
    """A subreddit, with its rules, computed metrics and the analyst's review."""

    name = models.CharField(max_length=64, help_text="Without the r/ prefix.")
    external_id = models.CharField(max_length=32, blank=True, default="")
    title = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    public_description = models.TextField(blank=True, default="")
    subscribers = models.BigIntegerField(null=True, blank=True)
    visitors = models.BigIntegerField(
        null=True, blank=True, help_text="Weekly visitors, where Reddit shows them instead of subscribers."
    )
    active_users = models.BigIntegerField(null=True, blank=True)
    is_nsfw = models.BooleanField(default=False)
    created_utc = models.DateTimeField(null=True, blank=True)
    subreddit_type = models.CharField(max_length=32, blank=True, default="")
    rules = models.JSONField(default=list, blank=True, help_text="[{short_name, description, kind}]")
    allowed_post_types = models.JSONField(default=list, blank=True)
    verification_required = models.BooleanField(null=True, blank=True)
    icon_url = models.URLField(max_length=1000, blank=True, default="")

    # Computed metrics (posts/metrics.py).
    avg_upvotes = models.FloatField(null=True, blank=True)
    comments_per_upvote = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    posts_per_day = models.FloatField(null=True, blank=True)
    best_posting_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    subscriber_growth_7d = models.FloatField(null=True, blank=True)
    subscriber_growth_30d = models.FloatField(null=True, blank=True)
    # Mean sentiment (-1..1) of the analysed comments under its posts, and how many (posts/metrics.py).
    comment_sentiment = models.FloatField(null=True, blank=True)
    comments_analyzed = models.PositiveIntegerField(default=0)
    metrics_computed_at = models.DateTimeField(null=True, blank=True)

    # AI suggestion; the analyst's decision lives in primary_category.
    ai_suggested_category = models.CharField(max_length=32, choices=CATEGORY_CHOICES, blank=True, default="")
    ai_category_confidence = models.FloatField(null=True, blank=True)

    # Analyst-owned.
    review_status = models.CharField(
        max_length=16, choices=CommunityReviewStatus.choices, default=CommunityReviewStatus.UNREVIEWED
    )
    primary_category = models.CharField(max_length=32, choices=CATEGORY_CHOICES, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="communities")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    scrape_enabled = models.BooleanField(default=True)
    scrape_status = models.CharField(max_length=16, choices=ScrapeStatus.choices, default=ScrapeStatus.NEVER)
    last_error = models.TextField(blank=True, default="")
    last_scraped_at = models.DateTimeField(null=True, blank=True)
    next_scrape_at = models.DateTimeField(null=True, blank=True)
    discovered_via = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What every scrape writes, in field order: scraping/ingest.py upserts these from
    # scraping.schemas.CommunityData (same names).
    SCRAPED_FIELDS = (
        "name",
        "external_id",
        "title",
        "description",
        "public_description",
        "subscribers",
        "visitors",
        "active_users",
        "is_nsfw",
        "created_utc",
        "subreddit_type",
        "rules",
        "allowed_post_types",
        "verification_required",
        "icon_url",
    )
    # Analyst-owned: a re-scrape never writes them.
    ANALYST_FIELDS = ("review_status", "primary_category", "notes", "tags", "reviewed_at")
    # What names a subreddit at a glance: the first columns of every list and export of them.
    HEADLINE_FIELDS = ("id", "name", "title", "subscribers", "active_users", "is_nsfw")

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-subscribers", "id"]
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="community_unique_name"),
            _choices_check("review_status", CommunityReviewStatus, "community_review_status_valid"),
            *_non_negative(["subscribers", "visitors", "active_users"], "community"),
        ]
        indexes = [
            models.Index(fields=["review_status"], name="community_review_status"),
            models.Index(fields=["-subscribers"], name="community_subscribers"),
            models.Index(fields=["scrape_enabled", "next_scrape_at"], name="community_due"),
        ]

    def __str__(self) -> str:
        return f"r/{self.name}"

    @property
    def permalink(self) -> str:
        return f"https://www.reddit.com/r/{self.name}/"


class CommunitySnapshot(models.Model):
    """One scrape's counts for a subreddit."""

    # Indexed by csnap_community_time, as ProfileSnapshot.profile is by psnap_profile_time.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    captured_at = models.DateTimeField(default=timezone.now)
    subscribers = models.BigIntegerField(null=True, blank=True)
    visitors = models.BigIntegerField(null=True, blank=True)
    active_users = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-captured_at"]
        get_latest_by = "captured_at"
        indexes = [models.Index(fields=["community", "captured_at"], name="csnap_community_time")]
        constraints = _non_negative(["subscribers", "visitors", "active_users"], "csnap")

    def __str__(self) -> str:
        return f"{self.community} @ {self.captured_at:%Y-%m-%d %H:%M}"


class AudienceSource(models.TextChoices):
    """Where an audience figure comes from: verified by the platform, or estimated by us."""

    GRAPH_INSIGHTS = "graph_insights", "Verified: Instagram insights (creator connect)"
    COMMENT_ESTIMATE = "comment_estimate", "Estimate: from public comments"


class AudienceSegment(models.TextChoices):
    """Whose demographics: everyone following, or the accounts that engaged (Meta's two metrics)."""

    FOLLOWERS = "followers", "Followers"
    ENGAGED = "engaged", "Engaged audience"
    COMMENTERS = "commenters", "Commenters"


class AudienceDemographics(models.Model):
    """Who follows a profile, as shares (0..1) per bucket, from one source on one date.

    One row per (profile, source, segment, day); rows are never overwritten by a later day, so the
    history is kept like snapshots. ``graph_insights`` rows come from the creator's own Instagram
    insights (``follower_demographics`` / ``engaged_audience_demographics``, profiles/audience.py
    refuses shares that do not sum to 1 and unknown country codes); ``comment_estimate`` rows are
    estimates from public comments (intelligence/audience.py) with their ``sample_size``.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="demographics")
    source = models.CharField(max_length=64)
    segment = models.CharField(max_length=16, choices=AudienceSegment.choices, default=AudienceSegment.FOLLOWERS)
    captured_on = models.DateField(default=timezone.now)
    countries = models.JSONField(default=dict, blank=True)
    cities = models.JSONField(default=dict, blank=True)
    genders = models.JSONField(default=dict, blank=True)
    ages = models.JSONField(default=dict, blank=True)
    age_genders = models.JSONField(default=dict, blank=True, help_text='{"25-34": {"F": 0.2, "M": 0.1, "U": 0.01}}')
    languages = models.JSONField(default=dict, blank=True)
    reach = models.BigIntegerField(null=True, blank=True, help_text="Accounts reached, last 28 days (insights).")
    profile_views = models.BigIntegerField(null=True, blank=True, help_text="Profile views, last 28 days (insights).")
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Comments the estimate rests on (estimates only)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-captured_on", "-id"]
        verbose_name_plural = "audience demographics"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "source", "segment", "captured_on"], name="demographics_unique_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} audience ({self.source}/{self.segment}, {self.captured_on})"


class AudienceShare(models.Model):
    """A profile's current audience share in one bucket (``country``/``language``), for search filters.

    Rebuilt from the latest demographics whenever they change (profiles/audience.py), so "audience in
    US ≥ 30 %" is one index range scan on (dimension, code, share) instead of reading JSON of every
    creator.
    """

    class Dimension(models.TextChoices):
        COUNTRY = "country", "Country"
        LANGUAGE = "language", "Language"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="audience_shares")
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    code = models.CharField(max_length=8)
    share = models.FloatField()
    source = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "dimension", "code"], name="audienceshare_unique"),
            models.CheckConstraint(condition=Q(share__gte=0, share__lte=1), name="audienceshare_range"),
        ]
        indexes = [models.Index(fields=["dimension", "code", "share", "profile"], name="audienceshare_lookup")]

    def __str__(self) -> str:
        return f"{self.profile} {self.dimension}={self.code} {self.share:.0%}"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    BROKEN = "broken", "Broken: reconnect needed"
    DELETED = "deleted", "Deleted at the creator's request"


class ConnectionLogin(models.TextChoices):
    """Which Meta login granted the token, and so which Graph host reads the insights."""

    INSTAGRAM = "instagram", "Business Login for Instagram (graph.instagram.com)"
    FACEBOOK = "facebook", "Facebook Login for Business, through a Page (graph.facebook.com)"


class InstagramConnection(models.Model):
    """A creator's Instagram professional account connected through Meta's OAuth.

    Two logins lead here (``login``): Business Login for Instagram (an Instagram user token, read on
    graph.instagram.com) or Facebook Login for Business (the Page linked to the Instagram business
    account, its Page token read on graph.facebook.com; ``page_id`` and the app-scoped Facebook user
    id ``meta_user_id`` that Meta's callbacks name).

    The long-lived token (60 days, refreshed by scraping/audience.py before it lapses) is encrypted at
    rest. A revoked or expired token marks the connection ``broken`` with the reason, and the sync
    stops calling Meta for it; stored demographics stay. A data-deletion request from Meta drops the
    token and the insights rows (``deleted``).
    """

    Status = ConnectionStatus

    profile = models.OneToOneField(Profile, on_delete=models.CASCADE, related_name="instagram_connection")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ig_user_id = models.CharField(max_length=64, db_index=True, help_text="Instagram-scoped user id.")
    login = models.CharField(max_length=16, choices=ConnectionLogin.choices, default=ConnectionLogin.INSTAGRAM)
    page_id = models.CharField(max_length=64, blank=True, default="", help_text="Facebook Page (Facebook login).")
    meta_user_id = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text="App-scoped Facebook user id (Facebook login): what the deauthorize and deletion callbacks name.",
    )
    access_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    permissions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True, default="")
    connected_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            _choices_check("status", ConnectionStatus, "igconnection_status_valid"),
            _choices_check("login", ConnectionLogin, "igconnection_login_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_sync_at"], name="igconnection_due")]

    def __str__(self) -> str:
        return f"{self.profile} ({self.get_status_display()})"

    def mark_broken(self, reason: str) -> None:
        """Stop syncing until the creator reconnects; history stays (never a retry storm)."""
        InstagramConnection.objects.filter(pk=self.pk).update(
            status=self.Status.BROKEN, status_reason=reason[:300], next_sync_at=None
        )
        Profile.objects.filter(pk=self.profile_id).update(updated_at=timezone.now())
        self.status, self.status_reason, self.next_sync_at = self.Status.BROKEN, reason[:300], None


class DataDeletionRequest(models.Model):
    """A data-deletion request Meta forwarded for an Instagram user; its code is the status page's key."""

    confirmation_code = models.CharField(max_length=32, unique=True)
    ig_user_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    deleted_rows = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"deletion {self.confirmation_code} ({self.ig_user_id})"


class Mention(models.Model):
    """A profile @mentioning a handle in its captions, aggregated per (profile, handle)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="mentions_made")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    mentioned_handle = models.CharField(max_length=64)
    mentioned_profile = models.ForeignKey(
        Profile, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentioned_by"
    )
    times = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-times"]
        constraints = [models.UniqueConstraint(Lower("mentioned_handle"), "profile", name="mention_unique_per_profile")]

    def __str__(self) -> str:
        return f"{self.profile} → @{self.mentioned_handle}"


class RelatedProfile(models.Model):
    """A link between two creators: the provider's 'related', a lookalike by content, a mention."""

    class Source(models.TextChoices):
        PROVIDER = "provider", "Provider"
        LOOKALIKE = "lookalike", "Lookalike (content embedding)"
        MENTION = "mention", "Mention"
        COMMUNITY = "community", "Same communities"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "related", "source"], name="related_unique"),
            models.CheckConstraint(condition=~Q(profile=models.F("related")), name="related_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ~ {self.related} ({self.source})"


class TagSuggestion(models.Model):
    """A tag the AI proposes for a profile or a community; an analyst accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="suggestions")
    profile = models.ForeignKey(
        Profile, null=True, blank=True, on_delete=models.CASCADE, related_name="tag_suggestions"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="tag_suggestions"
    )
    confidence = models.FloatField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    model_version = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(profile__isnull=False) & Q(community__isnull=True))
                | (Q(profile__isnull=True) & Q(community__isnull=False)),
                name="suggestion_one_target",
            ),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="suggestion_confidence_0_1"),
            models.UniqueConstraint(fields=["tag", "profile"], name="suggestion_unique_profile"),
            models.UniqueConstraint(fields=["tag", "community"], name="suggestion_unique_community"),
        ]
        indexes = [models.Index(fields=["status"], name="suggestion_status")]

    def __str__(self) -> str:
        return f"{self.tag} → {self.profile or self.community} ({self.confidence:.2f})"

    @property
    def target(self) -> Profile | Community:
        return self.profile or self.community

    @transaction.atomic
    def accept(self, user=None) -> None:
        """Add the tag to the target and record who decided."""
        self.target.tags.add(self.tag)
        self._decide(self.Status.ACCEPTED, user)

    def reject(self, user=None) -> None:
        self._decide(self.Status.REJECTED, user)

    def _decide(self, status: str, user) -> None:
        self.status = status
        self.decided_by = user
        self.decided_at = timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at"])


class Favorite(models.Model):
    """A creator a user starred in their team's shortlist; teammates see it."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="favorites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="favorited_by")
    note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["team", "user", "profile"], name="favorite_unique")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.profile}"


class ProfileAccess(models.Model):
    """A user's time-limited access to a profile's full analytics (30 days by default).

    With ``PROFILE_ACCESS_SCOPE=team`` a grant records the team it was opened in; it then covers the
    whole team and the monthly quota counts the team's grants. A user's own grant (the "user" scope)
    has no team (``profiles/access.py``).
    """

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="profile_accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_accesses")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="accesses")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = ProfileAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name_plural = "profile accesses"
        constraints = [
            # One own grant per user and profile, and one per user, team and profile (two partial
            # constraints: SQLite, the embedded default, has no NULLS NOT DISTINCT).
            models.UniqueConstraint(fields=["user", "profile"], condition=Q(team__isnull=True), name="access_unique"),
            models.UniqueConstraint(
                fields=["user", "team", "profile"], condition=Q(team__isnull=False), name="access_unique_team"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="access_expires_after_grant"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "granted_at"], name="access_user_granted"),
            models.Index(fields=["team", "granted_at"], name="access_team_granted"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.profile} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()

    @classmethod
    def period(cls) -> timedelta:
        return timedelta(days=settings.PROFILE_ACCESS_DAYS)


class SearchHistory(models.Model):
    """One creator search a user ran, with its filters, so they and their team can run it again."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="searches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="searches")
    query = models.CharField(max_length=300, blank=True, default="")
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "search history"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="search_user_recent"),
            models.Index(fields=["team", "-created_at"], name="search_team_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.query or '(filters only)'}"

    @classmethod
    def record(cls, *, team, user, query: str, filters: dict, result_count: int | None) -> SearchHistory:
        """Remember a search run by a GET (the search page, the API list): idempotent.

        The same search again moves its one row to the top with the new count; it never adds a
        second row, so reloading, prefetching or paging back leaves the history as one search made.
        """
        same = {"team": team, "user": user, "query": query[:300], "filters": filters}
        # The newest match (rows from before this rule may repeat a search; they are left as they are).
        entry = cls.objects.filter(**same).order_by("-created_at").first()
        if entry is None:
            return cls.objects.create(**same, result_count=result_count)
        entry.result_count, entry.created_at = result_count, timezone.now()
        entry.save(update_fields=["result_count", "created_at"])
        return entry


class Contact(models.Model):
    """One way to reach a creator: an e-mail address, a phone number or a contact link, with where it came from.

    Scraped contacts (every source but ``analyst``) are replaced by each scrape of the profile;
    an analyst's entry is never touched by one (scraping/ingest.py), and when an analyst corrects a
    scraped contact the correction is stored as their own entry.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        LINK = "link", "Contact link"

    class Source(models.TextChoices):
        BUSINESS_EMAIL = "business_email", "Business e-mail (platform)"
        PUBLIC_EMAIL = "public_email", "Public e-mail (platform)"
        BUSINESS_PHONE = "business_phone_number", "Business phone (platform)"
        CONTACT_PHONE = "contact_phone_number", "Contact phone (platform)"
        PUBLIC_PHONE = "public_phone_number", "Public phone (platform)"
        BIO = "bio", "Bio text"
        LINK = "link", "Profile link"
        ANALYST = "analyst", "Analyst"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=500, help_text="E-mail lower-cased, phone in E.164, link as a URL.")
    source = models.CharField(max_length=24, choices=Source.choices)
    label = models.CharField(max_length=120, blank=True, default="", help_text="e.g. 'management', 'bookings'.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-source", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "value"], name="contact_unique_value"),
            models.CheckConstraint(condition=Q(kind__in=["email", "phone", "link"]), name="contact_kind_valid"),
            models.CheckConstraint(
                condition=Q(
                    source__in=[
                        "business_email",
                        "public_email",
                        "business_phone_number",
                        "contact_phone_number",
                        "public_phone_number",
                        "bio",
                        "link",
                        "analyst",
                    ]
                ),
                name="contact_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["kind", "profile"], name="contact_kind_profile")]

    def __str__(self) -> str:
        return f"{self.profile} {self.kind}: {self.value} ({self.source})"

    @property
    def is_analyst(self) -> bool:
        return self.source == self.Source.ANALYST


class List(models.Model):
    """A named list of creators or of subreddits that a team keeps (a client's shortlist, "Favorites")."""

    class Kind(models.TextChoices):
        CREATORS = "creators", "Creators"
        COMMUNITIES = "communities", "Subreddits"

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="lists")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CREATORS)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    FAVORITES = "Favorites"

    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", "user", name="list_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=["creators", "communities"]), name="list_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def favorites_of(cls, team, user) -> List:
        """The user's "Favorites" list in the team (the former single favorites list), made on first use."""
        existing = cls.objects.filter(team=team, user=user, name__iexact=cls.FAVORITES).first()
        return existing or cls.objects.create(team=team, user=user, name=cls.FAVORITES, kind=cls.Kind.CREATORS)


class ListEntry(models.Model):
    """A creator or a subreddit on a list, with the team's note about it."""

    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="entries")
    profile = models.ForeignKey(Profile, null=True, blank=True, on_delete=models.CASCADE, related_name="list_entries")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="list_entries"
    )
    note = models.TextField(blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["list", "added_at", "id"]
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(fields=["list", "profile"], name="listentry_unique_profile"),
            models.UniqueConstraint(fields=["list", "community"], name="listentry_unique_community"),
            models.CheckConstraint(
                condition=(Q(profile__isnull=False) & Q(community__isnull=True))
                | (Q(profile__isnull=True) & Q(community__isnull=False)),
                name="listentry_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list}: {self.profile or self.community}"

    @property
    def target(self) -> Profile | Community:
        return self.profile or self.community


class ImportJob(models.Model):
    """One admin spreadsheet import, run by the worker in batches (never inside a web request).

    Holds the uploaded text (capped by ``IMPORT_MAX_BYTES`` / ``IMPORT_MAX_ROWS`` before the row is
    written), which import resource reads it, how far it got and the first row errors.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    MAX_ERRORS = 100  # row errors kept; the count of failed rows is exact

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resource = models.CharField(max_length=200, help_text="Dotted path of the import resource class.")
    model_label = models.CharField(max_length=100)
    file_name = models.CharField(max_length=255, blank=True, default="")
    data = models.TextField(help_text="The uploaded CSV, as text.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0, help_text="Rows validated (first pass, writes nothing).")
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows written (second pass, after a clean check).")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="importjob_user_recent")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.file_name or self.model_label})"

    @property
    def progress(self) -> int:
        """Percent of the work done (0-100): every row is checked once, then written once."""
        if self.is_finished or not self.rows_total:
            return 100 if self.is_finished else 0
        return min(100, round(50 * (self.rows_checked + self.rows_done) / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class CommunityRequirements(models.Model):
    """What it takes to post in a subreddit, each item with its evidence (issue 21).

    Three sources, kept apart: what Reddit itself answers (``/api/v1/{sub}/post_requirements``,
    ``reddit``), what the rules and sidebar state (the typed columns, extracted by
    ``intelligence/requirements.py``), and what was observed (``observed``: the lowest karma and the
    youngest account among authors whose posts stayed up, per period). NULL means unknown: rules that
    say nothing about karma leave the karma columns NULL, never 0. ``evidence`` links every stated
    item to the rule it came from; ``contradictions`` lists stated items that observation disproves.
    """

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="requirements")
    # Stated in rules or sidebar.
    min_post_karma = models.IntegerField(null=True, blank=True)
    min_comment_karma = models.IntegerField(null=True, blank=True)
    min_total_karma = models.IntegerField(null=True, blank=True)
    min_account_age_days = models.PositiveIntegerField(null=True, blank=True)
    verification_required = models.BooleanField(null=True, blank=True)
    flair_required = models.BooleanField(null=True, blank=True)
    allowed_post_types = models.JSONField(default=list, blank=True, help_text="Stated; empty = unknown.")
    submission_type = models.CharField(
        max_length=8, blank=True, default="", help_text="'link' or 'self' when the rules allow only one."
    )
    title_rules = models.JSONField(default=list, blank=True)
    selling_allowed = models.BooleanField(null=True, blank=True)
    onlyfans_allowed = models.BooleanField(null=True, blank=True)
    promotion_allowed = models.BooleanField(null=True, blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="[{field, value, source (rules|sidebar|reddit|observed), rule, quote}]"
    )
    # From Reddit's post_requirements endpoint, as parsed (scraping/reddit.py).
    reddit = models.JSONField(default=dict, blank=True)
    reddit_fetched_at = models.DateTimeField(null=True, blank=True)
    # Observed lower bounds per period: {"30": {"posts", "authors", "min_total_karma", "min_account_age_days"}}.
    observed = models.JSONField(default=dict, blank=True)
    contradictions = models.JSONField(default=list, blank=True)
    extractor_version = models.CharField(max_length=40, blank=True, default="")
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "community requirements"
        constraints = [
            models.CheckConstraint(
                condition=Q(submission_type__in=["", "link", "self"]), name="requirements_submission_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"requirements of {self.community}"

    @property
    def is_unknown(self) -> bool:
        """Nothing stated, nothing from Reddit: the page says "unknown" instead of inventing numbers."""
        return not self.evidence and not self.reddit


class Decision(models.TextChoices):
    """An analyst's answer to a suggestion."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class CommunityReviewSuggestion(models.Model):
    """A suggested review status for an unreviewed subreddit, with the rule text or signals behind it.

    Accepting writes the analyst's ``review_status`` (which no scrape overwrites); a rejected
    suggestion keeps its row so the same suggestion is never made again.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="review_suggestions")
    suggested_status = models.CharField(max_length=16, choices=CommunityReviewStatus.choices)
    confidence = models.FloatField()
    signals = models.JSONField(default=list, blank=True, help_text="[{signal, text, rule}]")
    status = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    model_version = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["community", "suggested_status"], name="review_suggestion_unique"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="review_suggestion_confidence_0_1"
            ),
            _choices_check("status", Decision, "review_suggestion_status_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="review_suggestion_status")]

    def __str__(self) -> str:
        return f"{self.community} → {self.suggested_status} ({self.confidence:.2f})"

    @transaction.atomic
    def accept(self, user=None) -> None:
        """The suggestion becomes the analyst's decision; the community's other pending ones are dropped."""
        now = timezone.now()
        Community.objects.filter(pk=self.community_id).update(review_status=self.suggested_status, reviewed_at=now)
        self.status, self.decided_by, self.decided_at = Decision.ACCEPTED, user, now
        self.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        CommunityReviewSuggestion.objects.filter(community_id=self.community_id, status=Decision.PENDING).delete()

    def reject(self, user=None) -> None:
        self.status, self.decided_by, self.decided_at = Decision.REJECTED, user, timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


class ProfileLink(models.Model):
    """The same person on two platforms: a Reddit user and an Instagram creator (or another handle).

    ``profile`` is always the Reddit side; ``linked`` is the other profile when it is one we track,
    else only ``platform`` + ``handle`` name it (a TikTok, OnlyFans or X handle found in a bio).
    Suggestions come with evidence and a confidence; an analyst confirms or rejects. A rejected
    pair keeps its row, so no later suggestion crosses it.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="identity_links")
    linked = models.ForeignKey(
        Profile, null=True, blank=True, on_delete=models.CASCADE, related_name="identity_links_in"
    )
    platform = models.CharField(max_length=24, help_text="instagram, tiktok, onlyfans, x, linktree…")
    handle = models.CharField(max_length=100)
    confidence = models.FloatField()
    evidence = models.JSONField(default=list, blank=True, help_text="[{kind, text, where}]")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUGGESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence"]
        constraints = [
            models.UniqueConstraint("profile", "platform", Lower("handle"), name="profile_link_unique"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="profile_link_confidence"),
            models.CheckConstraint(condition=~Q(profile=F("linked")), name="profile_link_not_self"),
            models.CheckConstraint(
                condition=Q(status__in=["suggested", "confirmed", "rejected"]), name="profile_link_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="profile_link_status")]

    def __str__(self) -> str:
        return f"{self.profile} = {self.platform}:{self.handle} ({self.status})"

    @property
    def platform_label(self) -> str:
        return dict(Platform.choices).get(self.platform, self.platform.capitalize())

    def decide(self, status: str, user=None) -> None:
        self.status, self.decided_by, self.decided_at = status, user, timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])

    @classmethod
    def for_profile(cls, profile: Profile, *, statuses: tuple[str, ...] = ("confirmed",)) -> models.QuerySet:
        """Links touching ``profile`` from either side (a Reddit user or the creator it links to)."""
        return (
            cls.objects.filter(Q(profile=profile) | Q(linked=profile), status__in=statuses)
            .select_related("profile", "linked")
            .order_by("-confidence")
        )
