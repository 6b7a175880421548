"""Scraper control rows, the record of every scrape run, and the system log staff browse."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from config.querysets import TeamOwnedQuerySet


class Scraper(models.Model):
    """A collector staff can start and stop; workers poll ``enabled`` and beat the heartbeat."""

    class Upstream(models.TextChoices):
        REDDIT = "reddit", "Reddit"
        INSTAGRAM = "instagram", "Instagram"

    class Status(models.TextChoices):
        IDLE = "idle", "Idle"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"
        STALLED = "stalled", "Stalled"
        ERROR = "error", "Error"

    name = models.CharField(max_length=64, unique=True)
    upstream = models.CharField(max_length=16, choices=Upstream.choices)
    description = models.CharField(max_length=300, blank=True, default="")
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDLE)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    current_run = models.ForeignKey("ScrapeRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    config = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScrapeRun(models.Model):
    """One scrape job a user can see: what it targeted, what it got, what it cost, how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partially succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    scraper = models.ForeignKey(Scraper, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    kind = models.CharField(max_length=32, help_text="subreddit, reddit-user, instagram, discovery…")
    target = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    targets_total = models.PositiveIntegerField(default=0)
    items_scraped = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    snapshots = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    # What a run counted, in the order staff read them (admin list, operations API).
    COUNT_FIELDS = ("items_scraped", "created", "updated", "snapshots", "api_calls", "errors")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="scraperun_recent"),
            models.Index(fields=["status"], name="scraperun_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} ({self.status})"


class SystemLog(models.Model):
    """A line staff browse in admin and the monitor: what happened, where, how bad."""

    class Level(models.TextChoices):
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"
        CRITICAL = "critical", "Critical"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    source = models.CharField(max_length=64, help_text="scraping.reddit, intelligence, media…")
    message = models.TextField()
    context = models.JSONField(default=dict, blank=True)
    scrape_run = models.ForeignKey(ScrapeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["level", "source", "-created_at"], name="syslog_level_source")]

    def __str__(self) -> str:
        return f"[{self.level}] {self.source}: {self.message[:60]}"


class LookupQuerySet(TeamOwnedQuerySet):
    """A lookup belongs to the team it was asked in, like a campaign: the team's members read it, other
    teams get 404 (``TeamOwnedQuerySet.restrict``, the one rule of API, pages and admin)."""

    def in_flight(self) -> LookupQuerySet:
        return self.filter(status__in=Lookup.IN_FLIGHT)


class Lookup(models.Model):
    """One person's on-demand request for a creator or subreddit report: progress, outcome, cost.

    Concurrent lookups of one target share one upstream fetch: the first is the leader (the only one
    enqueued), the others follow it (``leader``) and finish with its outcome. The partial unique
    constraint makes "one leader in flight per target" a database fact, not a race.
    """

    class Kind(models.TextChoices):
        INSTAGRAM = "instagram", "Instagram creator"
        REDDIT_USER = "reddit-user", "Reddit user"
        SUBREDDIT = "subreddit", "Subreddit"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING_PROFILE = "profile", "Fetching profile"
        FETCHING_POSTS = "posts", "Fetching posts"
        ANALYSING = "analysing", "Analysing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    IN_FLIGHT = (Status.QUEUED, Status.FETCHING_PROFILE, Status.FETCHING_POSTS, Status.ANALYSING)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="lookups"
    )
    # Empty only for lookups run from the command line (no requester): superusers alone see those.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="lookups")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    handle = models.CharField(max_length=64, help_text="Normalised: no @, no URL, the platform's spelling.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    leader = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followers",
        help_text="The lookup whose fetch this one shares.",
    )
    steps = models.JSONField(default=list, blank=True, help_text="[{name, started_at, seconds}] in order.")
    error_code = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="not_found, private, banned, rate_limited, upstream_down, timeout…",
    )
    error_message = models.TextField(blank=True, default="")
    retry_after = models.FloatField(null=True, blank=True, help_text="Seconds to wait before asking again.")
    stale = models.BooleanField(
        default=False, help_text="Answered with the last stored copy after an upstream failure."
    )
    from_cache = models.BooleanField(default=False, help_text="A fresh-enough stored copy answered; no upstream call.")
    profile = models.ForeignKey("profiles.Profile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    community = models.ForeignKey(
        "profiles.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scrape_run = models.ForeignKey(ScrapeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment_post_ids = models.JSONField(
        default=list, blank=True, help_text="Posts whose comments were sent for sentiment analysis."
    )
    api_calls = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = LookupQuerySet.as_manager()
    author_field = "requester"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "kind",
                Lower("handle"),
                condition=Q(leader__isnull=True, status__in=["queued", "profile", "posts", "analysing"]),
                name="lookup_one_leader_in_flight",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="lookup_requester_recent"),
            models.Index(fields=["team", "-created_at"], name="lookup_team_recent"),
            models.Index(fields=["status", "created_at"], name="lookup_status_created"),
        ]

    def __str__(self) -> str:
        return f"lookup {self.kind} {self.handle} ({self.status})"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.created_at).total_seconds()
