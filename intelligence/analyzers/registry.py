"""Which analyzers a process uses, loaded lazily once per process behind a lock.

``get_analyzers(config)`` returns the sentiment, language and category analyzers of the configured
backend. The first call in a worker loads the models (seconds); later calls return the same
objects. Any model that fails to load is replaced by its rule-based analyzer (logged), and every
model analyzer is wrapped in a small circuit breaker: an analyzer that keeps raising is skipped for
a while and the rules answer, so one broken model never stops the pipeline.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .base import Analyzer, CategoryAnalyzer, LanguageAnalyzer, SentimentAnalyzer
from .rules import RuleCategoryAnalyzer, RuleLanguageAnalyzer, RuleSentimentAnalyzer

logger = logging.getLogger(__name__)

BACKENDS = ("embedded", "transformers", "rules")


@dataclass(frozen=True)
class AIConfig:
    """Everything the analyzers need from settings, as a plain value (hashable: it keys the cache)."""

    backend: str = "embedded"
    models_cache_dir: str = ""
    artifacts_dir: str = "var/ai"
    batch_size: int = 32
    device: str = "cpu"
    quantize: bool = False
    num_threads: int = 2
    sentiment_model: str = "cardiffnlp/twitter-roberta-base-sentiment-latest"
    language_model: str = "papluca/xlm-roberta-base-language-detection"
    category_model: str = "facebook/bart-large-mnli"
    categories: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"AI_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.batch_size < 1:
            raise ValueError("AI_BATCH_SIZE must be at least 1")


@dataclass
class AnalyzerSet:
    """The three analyzers of one backend."""

    sentiment: SentimentAnalyzer
    language: LanguageAnalyzer
    category: CategoryAnalyzer
    backend: str

    @property
    def model_version(self) -> str:
        """The version posts should carry: the three configured models, named in one string.

        A post whose stored version differs (older model, or analysed by the rule fallback while a
        model was down) is due for re-analysis.
        """
        return "|".join(_configured(a).version_tag for a in (self.sentiment, self.language, self.category))

    @property
    def last_batch_version(self) -> str:
        """The version that answered the last batch (a rule fallback shows up here)."""
        return "|".join(a.version_tag for a in (self.sentiment, self.language, self.category))


def _configured(analyzer: Analyzer) -> Analyzer:
    return analyzer.primary if isinstance(analyzer, GuardedAnalyzer) else analyzer


class GuardedAnalyzer(Analyzer):
    """Runs the model analyzer; on an exception answers with the rules and counts the failure.

    After ``threshold`` consecutive failures the breaker opens for ``cooldown`` seconds and
    the rules answer straight away (no point paying a model's timeout on every batch).
    """

    def __init__(self, primary: Analyzer, fallback: Analyzer, threshold: int = 3, cooldown: float = 300.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self.task = primary.task
        self._lock = threading.Lock()
        # Per thread: a threads-pool worker runs several batches at once, and each must record
        # the analyzer that answered *it*.
        self._local = threading.local()

    @property
    def last_used(self) -> Analyzer:
        return getattr(self._local, "analyzer", self.primary)

    @last_used.setter
    def last_used(self, analyzer: Analyzer) -> None:
        self._local.analyzer = analyzer

    @property
    def backend(self) -> str:  # type: ignore[override]
        return self.last_used.backend

    @property
    def model_name(self) -> str:  # type: ignore[override]
        return self.last_used.model_name

    @property
    def model_version(self) -> str:  # type: ignore[override]
        return self.last_used.model_version

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and time.monotonic() - self.opened_at < self.cooldown

    def analyze(self, texts: Sequence[str]) -> list:
        if self.is_open:
            self.last_used = self.fallback
            return self.fallback.analyze(texts)
        try:
            results = self.primary.analyze(texts)
        except Exception:
            logger.exception("%s analyzer %s failed; answering with rules", self.task, self.primary.model_name)
            with self._lock:
                self.failures += 1
                if self.failures >= self.threshold:
                    self.opened_at = time.monotonic()
            self.last_used = self.fallback
            return self.fallback.analyze(texts)
        with self._lock:
            self.failures = 0
            self.opened_at = None
        self.last_used = self.primary
        return results


_lock = threading.Lock()
_cache: dict[AIConfig, AnalyzerSet] = {}


def get_analyzers(config: AIConfig) -> AnalyzerSet:
    """The process-wide analyzers for ``config``; the first call loads the models."""
    cached = _cache.get(config)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(config)
        if cached is None:
            cached = _cache[config] = _load(config)
        return cached


def reset() -> None:
    """Forget loaded models (tests, or a settings change in a long-lived shell)."""
    with _lock:
        _cache.clear()
        _encoders.clear()


def _categories(config: AIConfig) -> dict[str, str]:
    if config.categories:
        return dict(config.categories)
    from profiles.categories import CONTENT_CATEGORIES

    return dict(CONTENT_CATEGORIES)


def _attempt(what: str, loader: Callable[[], Analyzer], fallback: Analyzer) -> Analyzer:
    try:
        return GuardedAnalyzer(loader(), fallback)
    except Exception as exc:  # a missing model must never stop the pipeline
        logger.warning("%s model failed to load (%s: %s); using the rule-based analyzer", what, type(exc).__name__, exc)
        return fallback


def _load(config: AIConfig) -> AnalyzerSet:
    categories = _categories(config)
    rules = AnalyzerSet(
        RuleSentimentAnalyzer(), RuleLanguageAnalyzer(), RuleCategoryAnalyzer(categories), backend="rules"
    )
    if config.backend == "rules":
        return rules
    if config.backend == "embedded":
        return _load_embedded(config, categories, rules)
    return _load_transformers(config, categories, rules)


_encoders: dict[tuple, object] = {}


def content_embeddings(config: AIConfig):
    """The process's MiniLM encoder (an ``EmbeddingCache``), shared by the embedded analyzers,
    profile content vectors, lookalikes and tag suggestions whatever the backend."""
    from . import embedded
    from .torch_models import TextEncoder, configure_threads

    key = (config.device, config.quantize, config.num_threads, config.batch_size)
    cached = _encoders.get(key)
    if cached is not None:
        return cached
    with _encoder_lock:
        if key not in _encoders:
            configure_threads(config.num_threads)
            encoder = TextEncoder(embedded.minilm_path(), device=config.device, quantize=config.quantize)
            _encoders[key] = embedded.EmbeddingCache(encoder, config.batch_size)
        return _encoders[key]


_encoder_lock = threading.Lock()


def _load_embedded(config: AIConfig, categories: dict[str, str], rules: AnalyzerSet) -> AnalyzerSet:
    from . import embedded
    from .sentiment_head import head_file

    def embeddings() -> embedded.EmbeddingCache:
        return content_embeddings(config)

    def sentiment() -> SentimentAnalyzer:
        path = head_file(Path(config.artifacts_dir), embedded.MINILM_NAME)
        if path.exists():
            from .torch_models import SentimentBranch

            branch, meta = SentimentBranch.load(path, embeddings().encoder)
            return embedded.BranchSentimentAnalyzer(embeddings(), branch, meta["name"], meta["version"])
        logger.warning("no sentiment model at %s (run `manage.py build_ai_models`); using VADER alone", path)
        return embedded.VaderSentimentAnalyzer()

    return AnalyzerSet(
        sentiment=_attempt("sentiment", sentiment, rules.sentiment),
        language=_attempt("language", embedded.FastTextLanguageAnalyzer, rules.language),
        category=_attempt(
            "category", lambda: embedded.EmbeddingCategoryAnalyzer(embeddings(), categories), rules.category
        ),
        backend="embedded",
    )


def _load_transformers(config: AIConfig, categories: dict[str, str], rules: AnalyzerSet) -> AnalyzerSet:
    from . import hf

    return AnalyzerSet(
        sentiment=_attempt("sentiment", lambda: hf.TransformersSentimentAnalyzer(config), rules.sentiment),
        language=_attempt("language", lambda: hf.TransformersLanguageAnalyzer(config), rules.language),
        category=_attempt("category", lambda: hf.make_category_analyzer(config, categories), rules.category),
        backend="transformers",
    )


def default_threads() -> int:
    """Two threads at most: a worker shares the box with the web process and other workers."""
    return max(1, min(2, os.cpu_count() or 1))
