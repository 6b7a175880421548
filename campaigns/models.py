"""Campaigns: the creators a brand works with and the posts tracked for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from config.querysets import TeamOwnedQuerySet


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


class CampaignPost(models.Model):
    """A post tracked for a campaign's results."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_posts")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="campaign_entries")
    added_at = models.DateTimeField(auto_now_add=True)

    team_field, author_field = "campaign__team", "campaign__owner"  # the campaign's rule, as above
    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "-added_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "post"], name="campaign_post_unique")]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.post}"
