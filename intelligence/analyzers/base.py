"""The one analyzer interface (a batch of texts in, typed results out) and the analyzers' config.

Every analyzer names its model and version so each stored prediction can say
where it came from, and so a change of version triggers re-analysis.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
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

    def category_labels(self) -> dict[str, str]:
        """{key: label} of the categories to score: the configured ones, else ``profiles.categories``'."""
        if self.categories:
            return dict(self.categories)
        from profiles.categories import CONTENT_CATEGORIES

        return dict(CONTENT_CATEGORIES)


@dataclass(frozen=True)
class SentimentResult:
    """Positive/neutral/negative with a signed score in −1..1 and a confidence in 0..1."""

    label: str
    score: float
    confidence: float


@dataclass(frozen=True)
class LanguageResult:
    """An ISO 639-1 code ("und" when nothing can be said) and a confidence in 0..1."""

    code: str
    confidence: float


@dataclass(frozen=True)
class CategoryResult:
    """The top category, its confidence, and the share of every category (sums to 1)."""

    category: str
    confidence: float
    distribution: dict[str, float] = field(default_factory=dict)


# Nothing to categorise (no caption, no title): no category rather than a guess.
EMPTY_CATEGORY = CategoryResult("", 0.0, {})

R = TypeVar("R")


class Analyzer(ABC, Generic[R]):
    """A batch analyzer. Subclasses set ``task``, ``model_name`` and ``model_version``."""

    task: str = ""
    backend: str = ""
    model_name: str = ""
    model_version: str = ""

    @abstractmethod
    def analyze(self, texts: Sequence[str]) -> list[R]:
        """Return one result per text, in order; never raises for odd text (empty, emoji only)."""

    @property
    def version_tag(self) -> str:
        """What is stored next to each prediction, e.g. ``embedded:vader+minilm-head@3``."""
        return f"{self.backend}:{self.model_name}@{self.model_version}"


class SentimentAnalyzer(Analyzer[SentimentResult]):
    task = "sentiment"


class LanguageAnalyzer(Analyzer[LanguageResult]):
    task = "language"


class CategoryAnalyzer(Analyzer[CategoryResult]):
    """Scores texts against a fixed set of categories given as {key: description}."""

    task = "category"

    def __init__(self, categories: dict[str, str]) -> None:
        if len(categories) < 2:
            raise ValueError("a category analyzer needs at least two categories")
        self.categories = dict(categories)


def normalise_distribution(scores: dict[str, float]) -> dict[str, float]:
    """Scale non-negative scores to shares that sum to 1 (uniform when all are zero)."""
    total = sum(max(v, 0.0) for v in scores.values())
    if total <= 0:
        n = len(scores) or 1
        return {k: 1.0 / n for k in scores}
    return {k: max(v, 0.0) / total for k, v in scores.items()}
