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
