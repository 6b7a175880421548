"""Which analyzers a process uses, loaded lazily once per process behind a lock.

``get_analyzers(config)`` returns the sentiment, language and category analyzers of the configured
backend. Each backend is one module with one ``load(config, task)``: ``rules``, ``embedded`` and
``hf`` (transformers); the registry calls it once per task and is the only caller. The first call
in a worker loads the models (seconds); later calls return the same objects. Any model that fails
to load is replaced by its rule-based analyzer (logged), and every model analyzer runs behind a
circuit breaker: an analyzer that keeps raising is skipped for a while and the rules answer, so one
broken model never stops the pipeline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from pathlib import Path

import pybreaker

from . import rules
from .base import AIConfig, Analyzer, CategoryAnalyzer, LanguageAnalyzer, SentimentAnalyzer

logger = logging.getLogger(__name__)

TASKS = ("sentiment", "language", "category")
# Imported on first use only: both import torch, which the web process must never load.
_TORCH_BACKENDS = {"embedded": ".embedded", "transformers": ".hf"}


@dataclass
class AnalyzerSet:
    """The three analyzers of one backend."""

    sentiment: SentimentAnalyzer
    language: LanguageAnalyzer
    category: CategoryAnalyzer
    backend: str

    def awaited_model_landed(self) -> bool:
        """Whether a model that was still being built when this set loaded is there now.

        An analyzer answering in place of a model not built yet names the file it waits for
        (``awaiting``); once that file exists the set is stale and ``get_analyzers`` loads anew,
        so the new version reaches the posts the stand-in analysed. The same goes for a model a
        newer file replaces (``superseded``: the category head retrained on analysts' decisions).
        """
        for analyzer in (self.sentiment, self.language, self.category):
            awaiting = getattr(_configured(analyzer), "awaiting", None)
            if awaiting is not None and Path(awaiting).exists():
                return True
            # A model replaced by a newer file (the category head retrained on analysts' decisions).
            superseded = getattr(_configured(analyzer), "superseded", None)
            if superseded is not None and superseded():
                return True
        return False

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
    """Runs the model analyzer behind a circuit breaker; the rules answer whenever it does not.

    A failure is logged and answered by the rules. After ``fail_max`` failures in a row the
    breaker opens: for ``reset_timeout`` seconds the rules answer straight away (no point paying a
    model's timeout on every batch), then the next batch tries the model again.
    """

    def __init__(self, primary: Analyzer, fallback: Analyzer, fail_max: int = 3, reset_timeout: float = 300.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.task = primary.task
        # Tripping re-raises the model's own error (logged below) rather than pybreaker's.
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout,
            throw_new_error_on_trip=False,
            name=f"{primary.task} analyzer",
        )
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

    def analyze(self, texts: Sequence[str]) -> list:
        try:
            # calling(), not call(): call() holds the breaker's lock for the whole batch, which
            # would serialise the batches a threads-pool worker runs side by side.
            with self.breaker.calling():
                results = self.primary.analyze(texts)
        except pybreaker.CircuitBreakerError:  # open: the model is not tried
            return self._fall_back(texts)
        except Exception:
            logger.exception("%s analyzer %s failed; answering with rules", self.task, self.primary.model_name)
            return self._fall_back(texts)
        self.last_used = self.primary
        return results

    def _fall_back(self, texts: Sequence[str]) -> list:
        self.last_used = self.fallback
        return self.fallback.analyze(texts)


_lock = threading.Lock()
_cache: dict[AIConfig, AnalyzerSet] = {}


def get_analyzers(config: AIConfig) -> AnalyzerSet:
    """The process-wide analyzers for ``config``; the first call loads the models (and the first
    call after a model that was being built lands)."""
    cached = _cache.get(config)
    if cached is not None and not cached.awaited_model_landed():
        return cached
    with _lock:
        cached = _cache.get(config)
        if cached is None or cached.awaited_model_landed():
            cached = _cache[config] = _load(config)
        return cached


def reset() -> None:
    """Forget loaded analyzers (tests, a new sentiment head, a settings change in a long-lived shell).

    The shared MiniLM encoder (``embedded.content_embeddings``) stays: its cache key covers every
    setting it reads.
    """
    with _lock:
        _cache.clear()


def _load(config: AIConfig) -> AnalyzerSet:
    fallbacks = {task: rules.load(config, task) for task in TASKS}
    if config.backend == "rules":
        return AnalyzerSet(**fallbacks, backend="rules")
    backend = import_module(_TORCH_BACKENDS[config.backend], __package__)
    guarded = {task: _attempt(task, partial(backend.load, config, task), fallbacks[task]) for task in TASKS}
    return AnalyzerSet(**guarded, backend=config.backend)


def _attempt(task: str, load: Callable[[], Analyzer], fallback: Analyzer) -> Analyzer:
    try:
        return GuardedAnalyzer(load(), fallback)
    except Exception as exc:  # a missing model must never stop the pipeline
        logger.warning("%s model failed to load (%s: %s); using the rule-based analyzer", task, type(exc).__name__, exc)
        return fallback
