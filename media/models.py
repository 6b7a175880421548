"""Stored media: content-addressed files, one row per distinct set of bytes."""

from __future__ import annotations

from django.db import models


class Asset(models.Model):
    """A stored photo, video, thumbnail or poster frame, identified by the sha256 of its source bytes.

    Two posts pointing at the same bytes share one asset. ``file`` is set only after the storage
    accepted the upload, so a row never points at a half-written file.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        THUMBNAIL = "thumbnail", "Thumbnail"
        POSTER = "poster", "Poster frame"

    sha256 = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_url = models.URLField(max_length=2000, blank=True, default="")
    file = models.FileField(max_length=300, blank=True)
    thumbnail = models.FileField(max_length=300, blank=True)
    poster = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mime_type = models.CharField(max_length=64, blank=True, default="")
    bytes_original = models.BigIntegerField(null=True, blank=True)
    bytes_stored = models.BigIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["image", "video", "thumbnail", "poster"]), name="asset_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(bytes_stored__gte=0) | models.Q(bytes_stored__isnull=True), name="asset_bytes_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"

    # URL helpers for admin and pages: they go through the configured storage, so they are local
    # /media/ paths, public S3 URLs or expiring signed URLs depending on MEDIA_SIGNED_URLS.
    @property
    def url(self) -> str:
        """Where the stored file can be fetched; empty while nothing is stored."""
        return self.file.url if self.file else ""

    @property
    def thumbnail_url(self) -> str:
        """The list-size JPEG (for videos: of the poster frame); empty when there is none."""
        return self.thumbnail.url if self.thumbnail else ""

    @property
    def poster_url(self) -> str:
        """A video's poster frame (for ``<video poster=...>``); empty for images."""
        return self.poster.url if self.poster_id and self.poster else ""

    @property
    def is_video(self) -> bool:
        return self.kind == self.Kind.VIDEO


class RemoteSource(models.Model):
    """One remote URL we were asked to fetch, and what came of it.

    Keyed by a hash of the URL with Instagram's rotating signature parameters removed, so a
    re-scrape that hands us the same picture under a fresh signature does not download it again.
    The original URL is kept, also when the download failed, so the backfill can retry it. A
    worker claims the row (``claimed_until``) with a conditional UPDATE before downloading, so two
    workers never fetch the same URL at once. A "done" row whose asset was deleted in admin counts
    as missing and is fetched again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        POST = "post", "Post media"
        PROFILE = "profile", "Profile picture"

    url_key = models.CharField(max_length=64, unique=True)
    url = models.TextField()
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.POST)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources")
    error = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=32, blank=True, default="")
    permanent = models.BooleanField(default=False, help_text="The last failure cannot be fixed by retrying.")
    attempts = models.PositiveIntegerField(default=0)
    bytes_downloaded = models.BigIntegerField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "permanent"], name="remotesource_status")]

    def __str__(self) -> str:
        return f"{self.status} {self.url[:80]}"
