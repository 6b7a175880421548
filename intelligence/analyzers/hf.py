"""The transformers backend: the models named in settings, loaded from AI_MODELS_CACHE_DIR.

Defaults are the seed's: cardiffnlp/twitter-roberta-base-sentiment-latest,
papluca/xlm-roberta-base-language-detection and facebook/bart-large-mnli (zero-shot). A category
model without an NLI head ("entailment" among its labels) is used as a sentence encoder instead,
compared with the category phrases like the embedded backend — far cheaper than one NLI pass
per (post, category) pair. Nothing is ever downloaded: ``local_files_only=True`` everywhere.

It imports torch: the registry imports it inside a worker, and nothing on the web path does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import (
    AIConfig,
    Analyzer,
    CategoryAnalyzer,
    CategoryResult,
    LanguageAnalyzer,
    LanguageResult,
    SentimentAnalyzer,
    SentimentResult,
)
from .text import clean_for_language, clean_for_sentiment
from .torch_models import (
    EmbeddingCache,
    EmbeddingCategoryAnalyzer,
    SequenceClassifier,
    TextEncoder,
    configure_threads,
    probabilities_to_results,
    resolve_model_path,
)


def load(config: AIConfig, task: str) -> Analyzer:
    """The transformers analyzer for ``task`` (``sentiment``, ``language`` or ``category``); raises
    when its model is not in the cache directory."""
    configure_threads(config.num_threads)
    if task == "sentiment":
        return TransformersSentimentAnalyzer(config)
    if task == "language":
        return TransformersLanguageAnalyzer(config)
    return _category_analyzer(config)


def _fingerprint(path: str, quantized: bool = False) -> str:
    """Model version: a short hash of the config file, so another checkpoint reads as another version."""
    config = Path(path) / "config.json"
    digest = hashlib.sha1(config.read_bytes()).hexdigest()[:10] if config.exists() else "unknown"
    return f"{digest}-int8" if quantized else digest


def _classifier(config: AIConfig, name: str) -> tuple[str, SequenceClassifier]:
    path = resolve_model_path(name, config.models_cache_dir)
    return path, SequenceClassifier(path, device=config.device, quantize=config.quantize)


_SENTIMENT_ALIASES = {"neg": "negative", "pos": "positive", "neu": "neutral"}


class TransformersSentimentAnalyzer(SentimentAnalyzer):
    """A 3-class sentiment classifier (negative/neutral/positive in its id2label, or LABEL_0..2)."""

    backend = "transformers"

    def __init__(self, config: AIConfig) -> None:
        self.batch_size = config.batch_size
        path, self.model = _classifier(config, config.sentiment_model)
        self.model_name = config.sentiment_model
        self.model_version = _fingerprint(path, self.model.quantized)
        labels = [_SENTIMENT_ALIASES.get(label.lower(), label.lower()) for label in self.model.labels]
        if sorted(labels) != ["negative", "neutral", "positive"]:
            if len(labels) != 3:
                raise ValueError(f"{self.model_name}: expected 3 sentiment labels, got {self.model.labels}")
            # cardiffnlp's older checkpoints say LABEL_0/1/2 for negative/neutral/positive.
            labels = ["negative", "neutral", "positive"]
        self.labels = labels

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        if not texts:
            return []
        probs = self.model.predict_proba([clean_for_sentiment(t) or "." for t in texts], self.batch_size)
        return probabilities_to_results(probs, self.labels)


class TransformersLanguageAnalyzer(LanguageAnalyzer):
    """A language-ID classifier whose labels are ISO 639-1 codes (papluca's are)."""

    backend = "transformers"

    def __init__(self, config: AIConfig) -> None:
        self.batch_size = config.batch_size
        path, self.model = _classifier(config, config.language_model)
        self.model_name = config.language_model
        self.model_version = _fingerprint(path, self.model.quantized)
        self.labels = [label.split("-")[0].lower()[:8] for label in self.model.labels]

    def analyze(self, texts: Sequence[str]) -> list[LanguageResult]:
        if not texts:
            return []
        cleaned = [clean_for_language(t) for t in texts]
        probs = self.model.predict_proba([c or "." for c in cleaned], self.batch_size)
        results = []
        for text, row in zip(cleaned, probs, strict=True):
            if not any(ch.isalpha() for ch in text):
                results.append(LanguageResult("und", 0.0))
                continue
            best = int(np.argmax(row))
            results.append(LanguageResult(self.labels[best], round(float(row[best]), 4)))
        return results


class ZeroShotCategoryAnalyzer(CategoryAnalyzer):
    """NLI zero-shot (bart-large-mnli): P(entailment) of "This post is about {label}." per category.

    One forward pass per (post, category) pair, so 26 categories cost 26 passes per post: use a
    GPU or int8 (AI_QUANTIZE) for this one.
    """

    backend = "transformers"
    hypothesis = "This post is about {}."

    def __init__(self, config: AIConfig, categories: dict[str, str], model) -> None:
        super().__init__(categories)
        self.model = model
        self.batch_size = config.batch_size
        self.model_name = config.category_model
        self.model_version = _fingerprint(model.path, model.quantized)
        lowered = [label.lower() for label in model.labels]
        self.entailment = lowered.index("entailment")
        self.contradiction = lowered.index("contradiction") if "contradiction" in lowered else None
        self.keys = list(self.categories)
        self.hypotheses = [self.hypothesis.format(self.categories[k].lower()) for k in self.keys]

    def analyze(self, texts: Sequence[str]) -> list[CategoryResult]:
        if not texts:
            return []
        cleaned = [clean_for_sentiment(t) or "." for t in texts]
        premises = [t for t in cleaned for _ in self.keys]
        hypotheses = self.hypotheses * len(cleaned)
        probs = self.model.predict_pairs(premises, hypotheses, self.batch_size)
        # As in transformers' zero-shot pipeline: a softmax over the entailment logits of each label.
        entail = probs[:, self.entailment].reshape(len(cleaned), len(self.keys))
        results = []
        for row in entail:
            dist = row / row.sum() if row.sum() > 0 else np.full(len(row), 1 / len(row))
            best = int(np.argmax(dist))
            distribution = {k: round(float(p), 4) for k, p in zip(self.keys, dist, strict=True)}
            results.append(CategoryResult(self.keys[best], round(float(dist[best]), 4), distribution))
        return results


def _category_analyzer(config: AIConfig) -> CategoryAnalyzer:
    categories = config.category_labels()
    path = resolve_model_path(config.category_model, config.models_cache_dir)
    model_config = json.loads((Path(path) / "config.json").read_text())
    labels = {str(v).lower() for v in (model_config.get("id2label") or {}).values()}
    if "entailment" in labels:
        model = SequenceClassifier(path, device=config.device, quantize=config.quantize)
        return ZeroShotCategoryAnalyzer(config, categories, model)
    encoder = TextEncoder(path, device=config.device, quantize=config.quantize)
    analyzer = EmbeddingCategoryAnalyzer(EmbeddingCache(encoder, config.batch_size), categories, config.category_model)
    analyzer.backend = "transformers"
    analyzer.model_version = _fingerprint(path, encoder.quantized)
    return analyzer
