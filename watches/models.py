"""Users' watches on creators, lists and subreddits, the events they raise, and how each user is told.

Not the staff operations alerts (``monitoring/alerts.py``): these are an analyst's own alerts about
the creators and subreddits they follow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.querysets import TeamOwnedQuerySet


class EventKind(models.TextChoices):
    """What a watch can report; watches/events.py says what triggers each."""

    FOLLOWER_SPIKE = "follower_spike", "Follower spike"
    FOLLOWER_DROP = "follower_drop", "Follower drop"
    ENGAGEMENT_CHANGE = "engagement_change", "Engagement-rate change"
    SPONSORED_POST = "sponsored_post", "New sponsored post"
    BRAND_MENTION = "brand_mention", "Post mentioning a brand"
    RULE_CHANGE = "rule_change", "Subreddit rule change"


class Watch(models.Model):
    """A user's watch on one creator, one list or one subreddit, with the events they want to hear of.

    Team-owned like campaigns (``TeamOwnedQuerySet``): the team sees its members' watches, another
    team's answer 404; the events go to the watch's user alone.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    profile = models.ForeignKey(
        "profiles.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    community = models.ForeignKey(
        "profiles.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    watched_list = models.ForeignKey(
        "profiles.List", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    events = models.JSONField(default=list, help_text="EventKind values this watch reports.")
    follower_threshold_pct = models.FloatField(
        default=5.0, help_text="Follower change between two scrapes, in %, that counts as a spike or drop."
    )
    engagement_threshold_pct = models.FloatField(
        default=25.0, help_text="Relative change of the engagement rate between two scrapes, in %."
    )
    brand = models.CharField(max_length=120, blank=True, default="", help_text="@handle, #hashtag or brand name.")
    # The subreddit rules last seen per community id (a hash), so a change is told once.
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, community__isnull=True, watched_list__isnull=True)
                | Q(profile__isnull=True, community__isnull=False, watched_list__isnull=True)
                | Q(profile__isnull=True, community__isnull=True, watched_list__isnull=False),
                name="watch_one_target",
            ),
            models.CheckConstraint(condition=Q(follower_threshold_pct__gt=0), name="watch_follower_threshold_gt_0"),
            models.CheckConstraint(condition=Q(engagement_threshold_pct__gt=0), name="watch_engagement_threshold_gt_0"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="watch_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} watches {self.target}"

    @property
    def target(self):
        return self.profile or self.community or self.watched_list


class AlertSettings(models.Model):
    """How one user hears of their events: e-mail and/or a webhook, at once or in a digest."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "At once"
        HOURLY = "hourly", "Hourly digest"
        DAILY = "daily", "Daily digest"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings")
    email_enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True, default="")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "alert settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["immediate", "hourly", "daily"]), name="alertsettings_frequency_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"

    @classmethod
    def of(cls, user) -> AlertSettings:
        return cls.objects.get_or_create(user=user)[0]


class EventQuerySet(models.QuerySet):
    def restrict(self, user, team=None, action: str = "view") -> EventQuerySet:
        """A user's inbox is theirs alone (superusers included: it is not a team row)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def unread(self) -> EventQuerySet:
        return self.filter(read_at__isnull=True)


class Event(models.Model):
    """Something a watch saw after an ingest, in one user's inbox.

    ``key`` names the occurrence (the kind and the snapshot or post it was read from), unique per
    user: evaluating the same ingest twice, or two watches that cover the same creator, store it
    once, and so it is sent once. E-mail and webhook delivery are claimed per event
    (``emailed_at``, ``webhook_status``) so no event goes out twice.
    """

    class Webhook(models.TextChoices):
        NONE = "none", "No webhook"
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_events")
    watch = models.ForeignKey(Watch, null=True, blank=True, on_delete=models.SET_NULL, related_name="raised")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    key = models.CharField(max_length=200)
    profile = models.ForeignKey("profiles.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "profiles.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    webhook_status = models.CharField(max_length=8, choices=Webhook.choices, default=Webhook.NONE)
    webhook_attempts = models.PositiveSmallIntegerField(default=0)
    webhook_error = models.TextField(blank=True, default="")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="event_unique_per_user"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(webhook_status__in=["none", "pending", "sending", "sent", "failed"]),
                name="event_webhook_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="event_user_recent"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="event_user_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"
