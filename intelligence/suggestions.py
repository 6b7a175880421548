"""Suggestions analysts decide on: taxonomy tags for creators and communities, and a community's category.

The AI only suggests (DESIGN §5): tags become ``TagSuggestion`` rows (pending) and a community's
category lands in ``ai_suggested_category``; an analyst accepts or rejects. Tags come from the
database, so a new tag is suggested without code changes; a tag marked sensitive (protected or
intimate attributes of a person) is never scored at all.
"""

from __future__ import annotations

import math

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction

from intelligence.aggregate import EMBEDDING_MODEL
from intelligence.models import ProfileEmbedding
from posts.models import Post
from profiles.models import Community, Profile, Tag, TagSuggestion

RECENT_TITLES = 25
# The most a tag suggestion ever shows. A cosine between a content vector and a tag's text is
# evidence, not proof: a community about building PCs sits as close to "Home workouts" (build,
# set-up, gear) as many right tags do, and the logistic curve alone called that 99 %. No labelled
# accepted/rejected suggestions exist yet to calibrate the curve, so nothing shows above this.
MAX_TAG_CONFIDENCE = 0.85


def cosine_to_confidence(cosine: float, midpoint: float = 0.25, scale: float = 0.05) -> float:
    """Map a MiniLM cosine similarity (content vector vs. tag text) to 0..``MAX_TAG_CONFIDENCE``.

    In our checks a creator's mean post vector sits at 0.35–0.7 from a tag that describes them
    and at −0.05–0.15 from unrelated tags; a logistic curve centred at 0.25 puts the default
    suggestion threshold of 0.75 at a cosine of about 0.30, between the two groups.
    """
    return min(MAX_TAG_CONFIDENCE, 1.0 / (1.0 + math.exp(-(cosine - midpoint) / scale)))


def tag_text(tag: Tag) -> str:
    """What a tag is embedded as: its name, its description, and its category for context."""
    parts = [tag.name]
    if tag.description:
        parts.append(tag.description)
    return f"{tag.category.name}: " + ". ".join(parts)


def suggestable_tags() -> list[Tag]:
    return list(Tag.objects.filter(is_sensitive=False).select_related("category").order_by("id"))


class TagMatrix:
    """The suggestable tags and their vectors, embedded once per run (not once per profile)."""

    def __init__(self, embeddings) -> None:
        self.tags = suggestable_tags()
        self.vectors = embeddings.encoder.encode([tag_text(t) for t in self.tags]) if self.tags else None

    def score(self, vector: np.ndarray) -> list[tuple[Tag, float]]:
        """(tag, confidence 0..1) for every tag, best first."""
        if self.vectors is None:
            return []
        confidences = [cosine_to_confidence(float(c)) for c in self.vectors @ vector]
        return sorted(zip(self.tags, confidences, strict=True), key=lambda tc: -tc[1])


def _store(tag_scores, threshold: float, model_version: str, **target) -> int:
    """Create pending suggestions above ``threshold``; a tag already suggested (in any status) is
    left alone, so a rejected suggestion never comes back."""
    created = 0
    existing = set(TagSuggestion.objects.filter(**target).values_list("tag_id", flat=True))
    owner = target.get("profile") or target.get("community")
    have = set(owner.tags.values_list("id", flat=True))
    for tag, confidence in tag_scores:
        if confidence < threshold or tag.pk in existing or tag.pk in have:
            continue
        try:
            with transaction.atomic():
                TagSuggestion.objects.create(
                    tag=tag, confidence=round(min(confidence, 1.0), 4), model_version=model_version, **target
                )
            created += 1
        except IntegrityError:  # suggested by a concurrent run meanwhile
            continue
    return created


def suggest_profile_tags(profile: Profile, tags: TagMatrix, threshold: float | None = None) -> int:
    """Suggest tags for a creator from their content vector (``ProfileEmbedding``)."""
    threshold = settings.AI_TAG_SUGGESTION_THRESHOLD if threshold is None else threshold
    embedding = ProfileEmbedding.objects.filter(profile=profile, model_name=EMBEDDING_MODEL).first()
    if embedding is None:
        return 0
    return _store(tags.score(embedding.as_array()), threshold, f"embedded:{EMBEDDING_MODEL}", profile=profile)


def community_text(community: Community) -> str:
    """Name, title, descriptions, rules and recent titles: everything that says what a subreddit is about."""
    rules = [
        f"{r.get('short_name', '')}: {r.get('description', '')}".strip(": ")
        for r in (community.rules or [])
        if isinstance(r, dict)
    ]
    titles = list(
        Post.objects.filter(community=community)
        .order_by("-posted_at")
        .values_list("caption", flat=True)[:RECENT_TITLES]
    )
    parts = [
        f"r/{community.name}",
        community.title,
        community.public_description,
        community.description[:1000],
        *rules[:10],
        *titles,
    ]
    return "\n".join(p for p in parts if p)


def categorize_community(
    community: Community, analyzer_set, embeddings=None, tags: TagMatrix | None = None, threshold: float | None = None
) -> int:
    """Set ``ai_suggested_category`` (never ``primary_category``) and suggest tags; returns tags suggested."""
    text = community_text(community)
    result = analyzer_set.category.analyze([text])[0]
    Community.objects.filter(pk=community.pk).update(
        ai_suggested_category=result.category, ai_category_confidence=result.confidence if result.category else None
    )
    if embeddings is None or tags is None or not text.strip():
        return 0
    threshold = settings.AI_TAG_SUGGESTION_THRESHOLD if threshold is None else threshold
    vector = embeddings.encoder.encode([text])[0]
    return _store(tags.score(vector), threshold, f"embedded:{EMBEDDING_MODEL}", community=community)
