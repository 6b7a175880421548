"""Every backend answers through the same interface; tiny models exercise the real loading code."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from intelligence.analyzers.base import Analyzer, CategoryResult, LanguageResult, SentimentResult
from intelligence.analyzers.embedded import MINILM_NAME
from intelligence.analyzers.registry import AIConfig, GuardedAnalyzer, get_analyzers
from intelligence.analyzers.rules import RuleSentimentAnalyzer
from intelligence.analyzers.sentiment_head import (
    RECIPE_VERSION,
    SentimentHead,
    cached_encode,
    cross_validate,
    head_file,
    rating_classes,
    soft_labels,
    train_head,
)
from intelligence.analyzers.training_data import RatedText

from .conftest import CATEGORIES

TEXTS = ["I love this new game", "This is bad", "Receta nueva de paella", "", "🔥🔥"]
REPO = Path(__file__).resolve().parents[2]


def _check_interface(analyzer_set, texts=TEXTS):
    sentiments = analyzer_set.sentiment.analyze(texts)
    languages = analyzer_set.language.analyze(texts)
    categories = analyzer_set.category.analyze(texts)
    assert len(sentiments) == len(languages) == len(categories) == len(texts)
    assert all(isinstance(r, SentimentResult) for r in sentiments)
    assert all(r.label in {"positive", "neutral", "negative"} and -1 <= r.score <= 1 for r in sentiments)
    assert all(isinstance(r, LanguageResult) and 0 <= r.confidence <= 1 for r in languages)
    assert all(isinstance(r, CategoryResult) for r in categories)
    keys = {k for k, _ in CATEGORIES}
    for text, result in zip(texts, categories, strict=True):
        if text.strip():
            assert result.category in keys
            assert abs(sum(result.distribution.values()) - 1) < 1e-3
    for analyzer in (analyzer_set.sentiment, analyzer_set.language, analyzer_set.category):
        assert analyzer.model_name and analyzer.model_version
    assert analyzer_set.sentiment.analyze([]) == []


def test_transformers_backend_loads_tiny_models_from_the_cache_dir(tiny_models_dir, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tiny_models_dir), categories=CATEGORIES)
    analyzer_set = get_analyzers(config)
    assert analyzer_set.backend == "transformers"
    _check_interface(analyzer_set)
    # Nothing fell back to the rules: each answer came from the tiny model named in settings.
    assert analyzer_set.sentiment.backend == "transformers"
    assert analyzer_set.sentiment.model_name == "cardiffnlp/twitter-roberta-base-sentiment-latest"
    assert {r.code for r in analyzer_set.language.analyze(TEXTS[:3])} <= {"en", "es", "fr", "de"}
    # bart-large-mnli's stand-in has an entailment label, so categories go through zero-shot NLI.
    assert type(analyzer_set.category.primary).__name__ == "ZeroShotCategoryAnalyzer"
    assert "transformers:facebook/bart-large-mnli@" in analyzer_set.model_version


def test_transformers_category_model_without_nli_head_is_used_as_an_encoder(tiny_models_dir, fresh_registry):
    config = AIConfig(
        backend="transformers",
        models_cache_dir=str(tiny_models_dir),
        category_model="tiny/encoder",
        quantize=True,
        categories=CATEGORIES,
    )
    analyzer_set = get_analyzers(config)
    assert type(analyzer_set.category.primary).__name__ == "EmbeddingCategoryAnalyzer"
    _check_interface(analyzer_set)
    # int8 weights answer differently, so every version says so (and posts get re-analysed).
    assert analyzer_set.category.model_version.endswith("-int8")
    assert analyzer_set.sentiment.model_version.endswith("-int8")


def test_missing_model_falls_back_to_rules(tmp_path, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tmp_path), categories=CATEGORIES)
    analyzer_set = get_analyzers(config)
    assert analyzer_set.sentiment.backend == "rules"
    assert analyzer_set.language.backend == "rules"
    assert analyzer_set.category.backend == "rules"
    _check_interface(analyzer_set)


def test_models_load_once_per_process(tiny_models_dir, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tiny_models_dir), categories=CATEGORIES)
    assert get_analyzers(config) is get_analyzers(config)


def test_bad_backend_name_is_refused():
    with pytest.raises(ValueError, match="AI_BACKEND"):
        AIConfig(backend="gpt")


class Exploding(Analyzer):
    task = "sentiment"
    backend = "embedded"
    model_name = "boom"
    model_version = "1"
    calls = 0

    def analyze(self, texts):
        self.calls += 1
        raise RuntimeError("model died")


def test_breaker_answers_with_rules_and_stops_calling_a_failing_model():
    primary = Exploding()
    guarded = GuardedAnalyzer(primary, RuleSentimentAnalyzer(), threshold=2, cooldown=60)
    for _ in range(4):
        assert guarded.analyze(["I love it"])[0].label == "positive"
    assert primary.calls == 2  # open after two failures: the model is not tried again during cooldown
    assert guarded.is_open and guarded.backend == "rules"


def test_embedded_backend_answers_every_analysis(embedded_set):
    assert embedded_set.backend == "embedded"
    _check_interface(embedded_set)
    languages = embedded_set.language.analyze(
        ["RT @user: Hoy es un gran día para ir a la playa con mis amigos http", "Je suis très content de ce film"]
    )
    assert [r.code for r in languages] == ["es", "fr"]
    food, gaming = embedded_set.category.analyze(
        [
            "Homemade sourdough bread with a crunchy crust, recipe in bio",
            "New patch nerfed my favourite hero, ranked is a mess",
        ]
    )
    assert food.category == "food"
    assert gaming.category == "gaming"


def test_embedded_sentiment_without_a_built_head_is_vader(embedded_set):
    assert embedded_set.sentiment.model_name == "vader"
    good, bad = embedded_set.sentiment.analyze(["What a wonderful day!", "This is terrible and I hate it"])
    assert good.label == "positive" and bad.label == "negative"


def test_sentiment_head_learns_from_soft_labels_and_survives_a_save(tmp_path):
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(size=8), rng.normal(size=8)
    rows = [RatedText(f"p{i}", 2.0, "tweets", (2, 3, 1)) for i in range(30)]
    rows += [RatedText(f"n{i}", -2.0, "tweets", (-2, -3, -1)) for i in range(30)]
    rows += [RatedText(f"z{i}", 0.0, "tweets", (0, 0, 0)) for i in range(30)]

    def encode(texts):
        base = {"p": pos, "n": neg, "z": np.zeros(8)}
        return np.vstack([base[t[0]] + rng.normal(scale=0.1, size=8) for t in texts])

    head = train_head(rows, encode, "fake-encoder")
    head.save(tmp_path / "head.npz")
    loaded = SentimentHead.load(tmp_path / "head.npz")
    probs = loaded.predict_proba(np.vstack([pos, neg, np.zeros(8)]))
    assert [loaded.labels[i] for i in probs.argmax(axis=1)] == ["positive", "negative", "neutral"]
    assert np.allclose(probs.sum(axis=1), 1)


def test_cross_validation_scores_held_out_sentences_only(tmp_path):
    # Given two sources where only the first letter tells the class
    rng = np.random.default_rng(2)
    prototypes = {"p": rng.normal(size=8), "n": rng.normal(size=8), "z": np.zeros(8)}
    votes = {"p": (2, 3, 2), "n": (-2, -3, -2), "z": (0, 0, 0)}
    rows = [
        RatedText(f"{c}{i}", float(np.mean(votes[c])), source, votes[c])
        for source in ("tweets", "nyt")
        for c in "pnz"
        for i in range(20)
    ]

    def encode(texts):
        return np.vstack([prototypes[t[0]] + rng.normal(scale=0.1, size=8) for t in texts])

    assert cross_validate(rows, encode, "tweets", folds=4) == 1.0
    # When the held-out source's gold disagrees with everything the head learns from, it scores low
    flipped = [RatedText(r.text, -r.rating, r.source, r.votes) if r.source == "tweets" else r for r in rows]
    assert cross_validate(flipped, encode, "tweets", folds=4) < 0.5


def test_rating_classes_use_half_a_step_as_the_neutral_band():
    assert rating_classes([-2.0, -0.5, -0.49, 0.0, 0.49, 0.5, 3.1]).tolist() == [0, 0, 1, 1, 1, 2, 2]


def test_training_embeddings_are_cached_per_encoder_and_list_of_texts(tmp_path):
    calls = []

    def encode(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 4))

    first = cached_encode(encode, tmp_path, "enc")(["a", "b"])
    again = cached_encode(encode, tmp_path, "enc")(["a", "b"])
    cached_encode(encode, tmp_path, "enc")(["a", "c"])
    cached_encode(encode, tmp_path, "other-enc")(["a", "b"])
    # Same encoder and texts: read back, not re-encoded; other texts or encoder: encoded afresh.
    assert calls == [["a", "b"], ["a", "c"], ["a", "b"]]
    assert np.array_equal(first, again) and first.dtype == np.float32
    assert len(list(tmp_path.glob("training-embeddings-*.npy"))) == 3


def test_embedded_backend_answers_with_a_built_head(tmp_path, embedded_set, fresh_registry):
    # Given a head trained with the real MiniLM, on a tiny set, where the registry looks for it
    encoder = embedded_set.category.primary.embeddings.encoder
    rows = [
        RatedText(text, 0.0, "tweets", votes)
        for text, votes in [
            ("I love this, best day ever", (3, 2, 3)),
            ("What a wonderful surprise", (2, 3, 2)),
            ("This is awful, I hate it", (-3, -2, -3)),
            ("Worst service, never again", (-2, -3, -2)),
            ("The meeting is at noon", (0, 0, 0)),
            ("The store opens on Monday", (0, 0, 0)),
        ]
    ]
    train_head(rows, encoder.encode, MINILM_NAME).save(head_file(tmp_path, MINILM_NAME))
    # When the embedded backend loads
    sentiment = get_analyzers(
        AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=CATEGORIES)
    ).sentiment
    good, bad = sentiment.analyze(["I love it, what a great day", "I hate this, it is terrible"])
    # Then the head answered (not VADER, not the rules fallback), and its name says which recipe it is
    assert sentiment.model_name == f"{MINILM_NAME}+logreg-hutto-r{RECIPE_VERSION}"
    assert sentiment.model_version == f"r{RECIPE_VERSION}" and sentiment.backend == "embedded"
    assert good.label == "positive" and bad.label == "negative"
    assert good.score > 0 > bad.score


def test_soft_labels_are_vote_shares():
    assert soft_labels([2, 0, -1, 1]).tolist() == [0.25, 0.25, 0.5]


def test_web_process_never_imports_torch():
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "import config.wsgi, config.urls, config.asgi;"
        "from django.test import Client; Client().get('/health');"
        "import intelligence.tasks, intelligence.models, intelligence.api.urls;"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules);"
        "print('heavy:', heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "heavy: []" in result.stdout
