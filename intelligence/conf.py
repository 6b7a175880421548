"""Settings → the analyzers' plain config (the analyzers themselves never read Django settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from intelligence.analyzers.base import AIConfig
from intelligence.analyzers.registry import AnalyzerSet, get_analyzers
from profiles.categories import CONTENT_CATEGORIES

if TYPE_CHECKING:  # torch stays out of import time
    from intelligence.analyzers.torch_models import EmbeddingCache


def ai_config(backend: str | None = None) -> AIConfig:
    """The AIConfig for ``backend`` (default: ``AI_BACKEND``) from the ``AI_*`` settings."""
    return AIConfig(
        backend=backend or settings.AI_BACKEND,
        models_cache_dir=settings.AI_MODELS_CACHE_DIR,
        artifacts_dir=settings.AI_ARTIFACTS_DIR,
        batch_size=settings.AI_BATCH_SIZE,
        device=settings.AI_DEVICE,
        quantize=settings.AI_QUANTIZE,
        num_threads=settings.AI_TORCH_THREADS,
        sentiment_model=settings.AI_SENTIMENT_MODEL,
        language_model=settings.AI_LANGUAGE_MODEL,
        category_model=settings.AI_CATEGORY_MODEL,
        categories=tuple(CONTENT_CATEGORIES.items()),
    )


def analyzers(backend: str | None = None) -> AnalyzerSet:
    """This process's analyzers (loaded on first use, then shared)."""
    return get_analyzers(ai_config(backend))


def content_embeddings() -> EmbeddingCache:
    """This process's MiniLM encoder (loaded on first use, then shared), whatever the backend."""
    # The embedded backend imports torch: imported on the first call, in a worker, never by the web.
    from intelligence.analyzers.embedded import content_embeddings

    return content_embeddings(ai_config())


def requirement_classifier():
    """The AI pass of requirement extraction, or ``None`` where it is not available: another
    backend, ``REQUIREMENTS_AI`` off, or a model that failed to load (the parser then answers alone).
    Called by the worker task that builds requirements; the web process never loads it."""
    import logging

    if settings.AI_BACKEND != "embedded" or not settings.REQUIREMENTS_AI:
        return None
    try:
        from intelligence.analyzers.embedded import requirement_classifier

        return requirement_classifier(ai_config())
    except Exception:  # a missing wheel, a broken file: degrade to the parser
        logging.getLogger(__name__).exception("requirement classifier unavailable; the parser answers alone")
        return None
