"""Filtering for posts."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.querysets import SignedInQuerySet


class PostQuerySet(SignedInQuerySet):
    def recent(self, days: int) -> PostQuerySet:
        return self.filter(posted_at__gte=timezone.now() - timedelta(days=days))

    def viral(self) -> PostQuerySet:
        return self.filter(is_viral=True)

    def with_engagement(self) -> PostQuerySet:
        """Annotate ``engagement``: likes + comments on Instagram, net score + comments on Reddit.

        Hidden likes and unknown counts count as nothing here (Coalesce), so a post with hidden
        likes ranks by its comments; the stored columns stay NULL.
        """
        zero = models.Value(0, output_field=models.BigIntegerField())
        likes = models.Case(
            models.When(platform="reddit", then=Coalesce("score", zero)),
            default=Coalesce("likes_count", zero),
        )
        return self.annotate(engagement=likes + Coalesce("comments_count", zero))

    def pending_analysis(self) -> PostQuerySet:
        return self.filter(ai_status="pending")
