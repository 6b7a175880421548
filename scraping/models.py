"""Scraper control rows, the record of every scrape run, and the system log staff browse."""

from __future__ import annotations

from django.db import models


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
