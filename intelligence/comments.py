"""Comment sentiment: what the audience says under a post, one ``CommentSentiment`` row per comment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from intelligence.analyzers.registry import AnalyzerSet
from posts.metrics import compute_comment_sentiment
from posts.models import CommentSentiment, Post


@dataclass(frozen=True)
class CommentIn:
    """A comment as collectors hand it over."""

    external_id: str
    text: str
    author_handle: str = ""
    posted_at: datetime | None = None


def analyze_comments(post: Post, comments: Sequence[CommentIn], analyzer_set: AnalyzerSet) -> int:
    """Score the comments and upsert them by (post, external_id); returns rows written."""
    comments = [c for c in comments if c.external_id and c.text.strip()]
    if not comments:
        return 0
    texts = [c.text for c in comments]
    sentiments = analyzer_set.sentiment.analyze(texts)
    languages = analyzer_set.language.analyze(texts)
    version = f"{analyzer_set.sentiment.version_tag}|{analyzer_set.language.version_tag}"
    rows = [
        CommentSentiment(
            post=post,
            external_id=c.external_id[:64],
            author_handle=c.author_handle[:64],
            text=c.text,
            posted_at=c.posted_at,
            sentiment=s.label,
            score=max(-1.0, min(1.0, s.score)),
            confidence=s.confidence,
            language="" if lang.code == "und" else lang.code,
            model_version=version,
        )
        for c, s, lang in zip(comments, sentiments, languages, strict=True)
    ]
    with transaction.atomic():
        CommentSentiment.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["post", "external_id"],
            update_fields=["text", "sentiment", "score", "confidence", "language", "model_version", "author_handle"],
        )
        compute_comment_sentiment([post.pk])
    return len(rows)


def rescore_outdated_comments(analyzer_set: AnalyzerSet, limit: int = 2000) -> int:
    """Re-score stored comments whose model version is not the current one (bounded)."""
    version = f"{_configured_tag(analyzer_set.sentiment)}|{_configured_tag(analyzer_set.language)}"
    stale = list(CommentSentiment.objects.exclude(model_version=version).select_related("post")[:limit])
    by_post: dict[int, list[CommentSentiment]] = {}
    for row in stale:
        by_post.setdefault(row.post_id, []).append(row)
    written = 0
    for rows in by_post.values():
        written += analyze_comments(
            rows[0].post,
            [CommentIn(r.external_id, r.text, r.author_handle, r.posted_at) for r in rows],
            analyzer_set,
        )
    return written


def _configured_tag(analyzer) -> str:
    return getattr(analyzer, "primary", analyzer).version_tag
