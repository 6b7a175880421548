"""The embedded category head and the multilingual sentiment route: training data kept apart from
evaluation, a build that lands and replaces the stand-in, calibrated output."""

import json
from pathlib import Path

import numpy as np
import pytest

from intelligence.analyzers import category_head, use_encoder
from intelligence.analyzers.base import AIConfig
from intelligence.analyzers.embedded import FastTextLanguageAnalyzer, RoutedSentimentAnalyzer
from intelligence.analyzers.registry import get_analyzers
from intelligence.analyzers.rules import RuleSentimentAnalyzer
from intelligence.evaluation import build_instagram_category_set, build_reddit_category_set

SHARED = Path(__file__).resolve().parents[3] / "shared"
FEW = {"food": "Food & drink", "gaming": "Gaming", "pets": "Pets & animals", "fashion": "Fashion"}


def test_training_rows_never_share_a_community_or_a_text_with_the_evaluation_sets(tmp_path):
    rows = category_head.training_rows(list(category_head_categories()))
    held_out = category_head.evaluation_subreddits()
    trained_subreddits = {r.text[2:].lower() for r in rows if r.kind == "subreddit"}
    assert trained_subreddits and not trained_subreddits & held_out
    if not (SHARED / "fixtures" / "reddit").is_dir():
        pytest.skip("../shared/fixtures not here")
    build_reddit_category_set(SHARED / "fixtures" / "reddit", tmp_path / "r.csv")
    build_instagram_category_set(SHARED / "fixtures" / "instagram", tmp_path / "i.csv")
    import csv

    evaluated = set()
    for name in ("r.csv", "i.csv"):
        with open(tmp_path / name, encoding="utf-8") as handle:
            evaluated |= {category_head.normalise(row["text"]) for row in csv.DictReader(handle)}
    assert evaluated and not {category_head.normalise(r.text) for r in rows} & evaluated


def category_head_categories():
    from profiles.categories import CONTENT_CATEGORIES

    return CONTENT_CATEGORIES


def test_a_subreddit_named_under_two_categories_teaches_neither(tmp_path, monkeypatch):
    rows = category_head.training_rows(list(category_head_categories()))
    names = [r.text for r in rows if r.kind == "subreddit"]
    assert len(names) == len(set(n.lower() for n in names))


def test_temperature_and_threshold_come_from_held_out_predictions():
    rng = np.random.default_rng(0)
    predicted = rng.integers(0, 3, 300)
    gold = np.where(rng.random(300) < 0.7, predicted, rng.integers(0, 3, 300))
    logits = rng.normal(size=(300, 3))
    logits[np.arange(300), predicted] += 8.0  # sure of itself, right about 80 % of the time
    t = category_head.fit_temperature(logits, gold)
    assert t > 1.0
    confidence = category_head.softmax(logits, t).max(axis=1)
    correct = category_head.softmax(logits, t).argmax(axis=1) == gold
    threshold = category_head.uncertain_threshold(confidence, correct, 0.9)
    assert (correct[confidence >= threshold]).mean() >= 0.9


@pytest.mark.django_db(transaction=False)
def test_category_head_lands_and_replaces_the_stand_in(tmp_path, fresh_registry):
    # Given the embedded backend before any build: phrase similarity answers, waiting for the head
    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=tuple(FEW.items()), num_threads=1)
    before = get_analyzers(config)
    assert type(before.category.primary).__name__ == "EmbeddingCategoryAnalyzer"
    # When the head is built (the worker's build step; four categories here to keep it short)
    steps: list[tuple[int, int]] = []
    encoder = use_encoder.get_encoder(1)
    path = category_head.build_head(
        tmp_path, encoder.encode, list(FEW), use_encoder.NAME, progress=lambda s, t: steps.append((s, t))
    )
    assert path == category_head.head_file(tmp_path, use_encoder.NAME, list(FEW)) and path.exists()
    assert steps[-1][0] == steps[-1][1]
    after = get_analyzers(config)
    # Then the registry loads it, posts get a new version, and it answers with a calibrated distribution
    assert after is not before and after.model_version != before.model_version
    head = after.category.primary
    assert type(head).__name__ == "HeadCategoryAnalyzer"
    food, cat, empty = head.analyze(["Slow-cooked beef stew with fresh bread", "Mi gato duerme en mi cama", " "])
    assert food.category == "food" and cat.category == "pets"
    assert abs(sum(food.distribution.values()) - 1) < 1e-3 and set(food.distribution) == set(FEW)
    assert empty.category == ""
    meta = category_head.CategoryHead.load(path).meta
    assert {"accuracy", "macro_f1", "ece", "temperature", "uncertain_below"} <= set(meta["cv"])
    json.dumps(meta)


def test_sentiment_goes_to_the_english_model_or_the_multilingual_one_by_language():
    class Named(RuleSentimentAnalyzer):
        def __init__(self, name):
            super().__init__()
            self.model_name = name
            self.seen = []

        def analyze(self, texts):
            self.seen += list(texts)
            return super().analyze(texts)

    english, other = Named("english"), Named("other")
    routed = RoutedSentimentAnalyzer(english, other, FastTextLanguageAnalyzer())
    texts = ["What a wonderful day with my friends", "Qué día tan maravilloso con mis amigos", "🙂"]
    results = routed.analyze(texts)
    assert len(results) == 3 and all(r is not None for r in results)
    assert english.seen == [texts[0], texts[2]] and other.seen == [texts[1]]
    assert routed.model_name == "english/other"


def test_use_encoder_encodes_each_recent_text_once_whatever_subset_is_asked():
    encoder = use_encoder.UseEncoder(threads=1)
    texts = ["que calor hace hoy", "new camera review is up", "Heute gibt es Pasta", "bom dia gente"]
    alone = np.vstack([encoder.encode([t]) for t in texts])
    encoder = use_encoder.UseEncoder(threads=1)
    calls = []
    real = encoder._use.encode
    encoder._use.encode = lambda batch: calls.append(list(batch)) or real(batch)
    # Sentiment asks for the posts not in English, then category for the whole batch (one repeated)
    subset = encoder.encode([texts[0], texts[2], texts[3]])
    whole = encoder.encode([*texts, texts[0]])
    assert calls == [[texts[0], texts[2], texts[3]], [texts[1]]]
    assert np.allclose(subset, alone[[0, 2, 3]], atol=1e-5)
    assert np.allclose(whole, np.vstack([alone, alone[:1]]), atol=1e-5)
    # Only the most recent texts are kept
    encoder.encode([f"post number {i}" for i in range(use_encoder.RECENT_TEXTS)])
    calls.clear()
    encoder.encode([texts[1]])
    assert calls == [[texts[1]]]
    assert encoder.encode([]).shape == (0, 512)
