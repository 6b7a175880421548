"""Profile-level AI aggregates and content vectors, computed from the profile's analysed posts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from django.db import transaction
from django.utils import timezone

from intelligence.analyzers.registry import AnalyzerSet
from intelligence.models import ProfileEmbedding
from intelligence.pipeline import post_text
from posts.models import AIStatus, Post
from profiles.models import Profile

# The window every aggregate is computed over: a creator's recent content, not their 2016 posts.
RECENT_POSTS = 60
EMBEDDING_POSTS = 30
EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def content_quality_score(sentiment_scores: Sequence[float], categories: Sequence[str], texts: Sequence[str]) -> float:
    """Content quality score, 0..100, over the last ``RECENT_POSTS`` analysed posts.

    A brand-safety-and-substance score, not a judgement of taste. Four parts:

    - tone (40 points): mean sentiment score mapped from −1..1 to 0..40 — consistently hostile
      content scores low, neutral content gets 20;
    - focus (25 points): share of posts in the profile's top category — a clear niche is what
      advertisers buy;
    - substance (20 points): share of posts whose text has at least 8 words — captions that say
      something rather than a lone emoji;
    - volume (15 points): min(1, analysed posts / 12) — a score from two posts is shaky, so it is
      damped until there are a dozen (the window of the engagement-rate metric).

    Returns 0 for a profile with no analysed posts.
    """
    n = len(sentiment_scores)
    if not n:
        return 0.0
    tone = (float(np.mean(sentiment_scores)) + 1) / 2 * 40
    named = [c for c in categories if c]
    focus = (Counter(named).most_common(1)[0][1] / len(named) * 25) if named else 0.0
    substance = sum(len(t.split()) >= 8 for t in texts) / len(texts) * 20 if texts else 0.0
    volume = min(1.0, n / 12) * 15
    return round(tone + focus + substance + volume, 2)


def _shares(values: Sequence[str]) -> dict[str, float]:
    named = [v for v in values if v]
    if not named:
        return {}
    return {k: round(c / len(named), 4) for k, c in Counter(named).most_common()}


def aggregate_profile(profile_id: int) -> Profile | None:
    """Recompute one profile's ai_* aggregates; None when the profile is gone."""
    posts = list(
        Post.objects.filter(author_id=profile_id, ai_status=AIStatus.DONE)
        .order_by("-posted_at", "-id")
        .values("caption", "body", "hashtags", "ai_sentiment_score", "ai_category", "ai_language")[:RECENT_POSTS]
    )
    sentiment = [p["ai_sentiment_score"] for p in posts if p["ai_sentiment_score"] is not None]
    categories = [p["ai_category"] for p in posts]
    languages = [p["ai_language"] for p in posts]
    texts = [post_text(p["caption"], p["body"], p["hashtags"]) for p in posts]
    distribution = _shares(categories)
    language_distribution = _shares(languages)
    fields = {
        "ai_primary_content_type": next(iter(distribution), ""),
        "ai_content_distribution": distribution,
        "ai_primary_language": next(iter(language_distribution), ""),
        "ai_language_distribution": language_distribution,
        "ai_average_sentiment": round(float(np.mean(sentiment)), 4) if sentiment else None,
        "ai_content_quality_score": content_quality_score(sentiment, categories, texts) if posts else None,
        "ai_analyzed_at": timezone.now(),
    }
    updated = Profile.objects.filter(pk=profile_id).update(**fields)
    return Profile.objects.filter(pk=profile_id).first() if updated else None


def aggregate_profiles(profile_ids: Sequence[int], analyzer_set: AnalyzerSet | None = None) -> int:
    """Aggregate each profile; returns how many still existed."""
    done = 0
    for profile_id in profile_ids:
        with transaction.atomic():
            done += aggregate_profile(profile_id) is not None
    return done


def update_profile_embedding(profile_id: int, embeddings) -> ProfileEmbedding | None:
    """Mean of the sentence embeddings of the profile's recent posts, re-normalised to unit length."""
    posts = list(
        Post.objects.filter(author_id=profile_id)
        .order_by("-posted_at", "-id")
        .values("caption", "body", "hashtags")[:EMBEDDING_POSTS]
    )
    texts = [t for t in (post_text(p["caption"], p["body"], p["hashtags"]) for p in posts) if t.strip()]
    if not texts or not Profile.objects.filter(pk=profile_id).exists():
        return None
    vectors = embeddings.encoder.encode(texts, batch_size=embeddings.batch_size)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm == 0:
        return None
    mean = mean / norm
    obj, _ = ProfileEmbedding.objects.update_or_create(
        profile_id=profile_id,
        defaults={
            "model_name": EMBEDDING_MODEL,
            "dim": int(mean.shape[0]),
            "vector": ProfileEmbedding.pack(mean),
            "posts_count": len(texts),
        },
    )
    return obj
