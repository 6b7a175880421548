"""Campaigns: the creators a brand works with and the posts tracked for it."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from config.querysets import TeamOwnedQuerySet


def normalise_terms(values: Iterable[str], prefix: str) -> list[str]:
    """``["@Acme", " acme ", "@@x"]`` → ``["acme", "x"]``: lower-case, without the prefix, no repeats."""
    seen: list[str] = []
    for value in values:
        term = str(value).strip().lstrip(prefix).strip().lower()
        if term and term not in seen:
            seen.append(term)
    return seen


class Campaign(models.Model):
    """A brand campaign of one team: its members read it, its author and the team's owners and managers change it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="campaigns")
    # The author (who created it); "owner" predates teams and is kept as the API and admin name it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # Automatic tracking (campaigns/tracking.py): a post by one of the campaign's creators, posted
    # between start_date and end_date, that mentions one of these handles or carries one of these
    # hashtags is attached by itself after ingest. Stored lower-case, without "@" / "#".
    track_handles = models.JSONField(default=list, blank=True, help_text="Brand handles, e.g. ['acme'].")
    track_hashtags = models.JSONField(default=list, blank=True, help_text="Hashtags, e.g. ['acmepartner'].")
    profiles = models.ManyToManyField("profiles.Profile", through="CampaignProfile", related_name="campaigns")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    author_field = "owner"  # for TeamOwnedQuerySet.restrict
    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "completed", "archived"]), name="campaign_status_valid"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0) | Q(budget__isnull=True), name="campaign_budget_gte_0"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="campaign_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="campaign_owner_recent"),
            models.Index(fields=["team", "-created_at"], name="campaign_team_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.track_handles = normalise_terms(self.track_handles or [], "@")
        self.track_hashtags = normalise_terms(self.track_hashtags or [], "#")
        super().save(*args, **kwargs)


class CampaignProfile(models.Model):
    """A creator in a campaign and where they stand in the pipeline."""

    class Pipeline(models.TextChoices):
        SHORTLISTED = "shortlisted", "Shortlisted"
        CONTACTED = "contacted", "Contacted"
        CONFIRMED = "confirmed", "Confirmed"
        PUBLISHED = "published", "Published"
        PAID = "paid", "Paid"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_profiles")
    profile = models.ForeignKey("profiles.Profile", on_delete=models.CASCADE, related_name="campaign_entries")
    status = models.CharField(max_length=16, choices=Pipeline.choices, default=Pipeline.SHORTLISTED)
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The campaign's team rule (TeamOwnedQuerySet.restrict): its readers read this row, its editors edit it.
    team_field, author_field = "campaign__team", "campaign__owner"
    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "profile"], name="campaign_profile_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["shortlisted", "contacted", "confirmed", "published", "paid"]),
                name="campaign_profile_status_valid",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0) | Q(fee__isnull=True), name="campaign_profile_fee_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.profile} ({self.status})"


class CampaignPostQuerySet(TeamOwnedQuerySet):
    def tracked(self) -> CampaignPostQuerySet:
        """The posts that count: everything but the automatic matches an analyst removed."""
        return self.filter(removed_at__isnull=True)


class CampaignPost(models.Model):
    """A post tracked for a campaign's results, attached by an analyst or automatically.

    Removing an automatic match keeps the row with ``removed_at`` set, so the next ingest, which
    would match the post again, leaves it out (campaigns/tracking.py); a manual entry is deleted.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTO = "auto", "Automatic"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_posts")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="campaign_entries")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    matched_on = models.CharField(max_length=120, blank=True, default="", help_text="What matched: @handle or #tag.")
    removed_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    team_field, author_field = "campaign__team", "campaign__owner"  # the campaign's rule, as above
    objects = CampaignPostQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "post"], name="campaign_post_unique"),
            models.CheckConstraint(condition=Q(source__in=["manual", "auto"]), name="campaign_post_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.post}"
