"""AI bookkeeping: analysis batches (a row per job a user can see) and per-profile content embeddings."""

from __future__ import annotations

import numpy as np
from django.db import models
from django.utils import timezone


class AnalysisBatch(models.Model):
    """One run of the analysis pipeline over a set of posts (or profiles), with its outcome.

    Every task and every ``manage.py analyze`` creates one, so staff can see what ran, how many
    posts it analysed, which backend answered, what failed and how long it took.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        PARTIAL = "partial", "Done with failures"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        POSTS = "posts", "Posts"
        PROFILE = "profile", "Profile"
        COMMENTS = "comments", "Comments"
        COMMUNITIES = "communities", "Communities"
        TAGS = "tags", "Tag suggestions"
        LOOKALIKES = "lookalikes", "Lookalikes"
        MODELS = "models", "Model build"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.POSTS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    backend = models.CharField(max_length=16, blank=True, default="")
    model_version = models.CharField(max_length=200, blank=True, default="")
    requested = models.PositiveIntegerField(default=0, help_text="Items asked for.")
    processed = models.PositiveIntegerField(default=0, help_text="Items analysed and written.")
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="Gone, or claimed by another worker.")
    errors = models.JSONField(default=list, blank=True, help_text="[{id, error}] — the first 50.")
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="Last sign of life of its worker; the reaper closes a batch silent too long."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "analysis batches"
        indexes = [models.Index(fields=["status", "-started_at"], name="analysisbatch_status")]

    def __str__(self) -> str:
        return f"{self.kind} batch #{self.pk} ({self.status}, {self.processed}/{self.requested})"

    @property
    def items_per_second(self) -> float | None:
        if not self.duration_seconds:
            return None
        return self.processed / self.duration_seconds


class ProfileEmbedding(models.Model):
    """A creator's content vector: the mean of their analysed posts' sentence embeddings.

    Stored as float32 bytes (384 floats for MiniLM = 1.5 kB) and compared with a NumPy scan for
    lookalikes; ``model_name`` keeps vectors of different encoders from ever being compared.
    """

    profile = models.OneToOneField("profiles.Profile", on_delete=models.CASCADE, related_name="ai_embedding")
    model_name = models.CharField(max_length=200)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    posts_count = models.PositiveIntegerField(default=0, help_text="Posts averaged into the vector.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["model_name"], name="profileembedding_model")]

    def __str__(self) -> str:
        return f"embedding of {self.profile_id} ({self.model_name}, {self.posts_count} posts)"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)

    @staticmethod
    def pack(vector: np.ndarray) -> bytes:
        return np.asarray(vector, dtype=np.float32).tobytes()


class Scorecard(models.Model):
    """One run of ``manage.py evaluate_ai all``: every task's figures on every evaluation set.

    ``results`` is a list of ``{set, task, source, n, accuracy, macro_f1, ece, texts_per_s,
    per_class, per_language, language_mean_macro_f1, target}``; ``model_versions`` names the model
    that answered each task. Kept so the staff page can show a regression next to the run before.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    backend = models.CharField(max_length=16)
    model_versions = models.JSONField(default=dict)
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"scorecard #{self.pk} ({self.backend}, {self.created_at:%Y-%m-%d %H:%M})"
