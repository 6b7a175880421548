"""The multilingual sentiment head's written sentences (``intelligence/analyzers/data/sentiment_written.csv``):
well-formed, balanced, kept apart from the evaluation sets, and weighed as the recipe says."""

import csv
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from intelligence.analyzers import sentiment_multilingual
from intelligence.analyzers.sentiment_head import HEAD_LABELS
from intelligence.analyzers.training_data import RatedText

SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def test_written_sentences_cover_every_language_and_class_without_duplicates():
    rows = sentiment_multilingual.written_rows()
    assert {r.lang for r in rows} == set(sentiment_multilingual.WRITTEN_LANGUAGES)
    assert {r.label for r in rows} <= set(HEAD_LABELS)
    assert all(r.text.strip() == r.text and r.text for r in rows)
    cells = Counter((r.lang, r.label) for r in rows)
    assert len(cells) == len(sentiment_multilingual.WRITTEN_LANGUAGES) * len(HEAD_LABELS)
    assert min(cells.values()) >= 13 and max(cells.values()) <= 14
    texts = [normalise(r.text) for r in rows]
    assert len(texts) == len(set(texts))


def test_no_written_sentence_occurs_in_the_evaluation_sets():
    files = sorted(SHARED_EVAL.glob("*.csv")) if SHARED_EVAL.is_dir() else []
    if not files:
        pytest.skip("../shared/eval not here")
    written = {normalise(r.text) for r in sentiment_multilingual.written_rows()}
    evaluated = set()
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            evaluated |= {normalise(row.get("text") or "") for row in csv.DictReader(handle)}
    assert evaluated and not written & evaluated


def test_written_sentences_weigh_their_class_and_folds_split_every_language_and_class():
    written = sentiment_multilingual.written_rows()
    rows = [
        RatedText("good", 2.0, "tweets", (2, 2)),
        RatedText("meh", 0.0, "tweets", (0, 1)),
        RatedText("bad", -2, "tweets", (-2,)),
    ]
    targets = sentiment_multilingual.training_targets(rows, written[:3], 3.0)
    assert targets.shape == (6, len(HEAD_LABELS))
    assert np.allclose(targets[3:].sum(axis=1), 3.0)
    assert [HEAD_LABELS[i] for i in targets[3:].argmax(axis=1)] == [w.label for w in written[:3]]
    fold = sentiment_multilingual.written_folds(written)
    for f in range(5):
        assert {(w.lang, w.label) for w, g in zip(written, fold, strict=True) if g == f} == {
            (w.lang, w.label) for w in written
        }


def test_cross_validation_of_the_written_sentences_scores_what_the_features_say():
    """Features that spell the class out give every language a perfect held-out score; noise does not."""
    written = sentiment_multilingual.written_rows()
    labels = np.array([HEAD_LABELS.index(w.label) for w in written])
    rng = np.random.default_rng(0)
    hutto = [RatedText("good", 2.0, "tweets", (2, 2)), RatedText("bad", -2.0, "tweets", (-2, -2))]
    hutto_features = np.zeros((2, 4))
    hutto_features[0, 2], hutto_features[1, 0] = 1.0, 1.0
    telling = np.hstack([np.eye(len(HEAD_LABELS))[labels], rng.normal(0, 0.05, (len(written), 1))])
    good = sentiment_multilingual.cross_validate_written(hutto_features, hutto, telling, written, weight=1.0)
    assert good["mean"] == 1.0 and set(good["per_language"]) == set(sentiment_multilingual.WRITTEN_LANGUAGES)
    noise = sentiment_multilingual.cross_validate_written(
        hutto_features, hutto, rng.normal(0, 1, (len(written), 4)), written, weight=1.0
    )
    assert noise["mean"] < 0.6


def test_cross_validation_of_the_tweets_scores_what_the_features_say():
    """The held-out Hutto tweets are predicted from what their features say, written sentences added or not."""
    written = sentiment_multilingual.written_rows()[:30]
    written_labels = np.array([HEAD_LABELS.index(w.label) for w in written])
    ratings = [-2.0, 0.0, 2.0] * 15
    hutto = [RatedText(f"tweet {i}", r, "tweets", (int(r),) * 3) for i, r in enumerate(ratings)]
    classes = np.array([0, 1, 2] * 15)
    rng = np.random.default_rng(0)
    telling = np.eye(len(HEAD_LABELS))[classes] * 3
    written_telling = np.eye(len(HEAD_LABELS))[written_labels] * 3
    assert sentiment_multilingual.cross_validate_tweets(telling, hutto, written_telling, written, weight=1.0) == 1.0
    noise = sentiment_multilingual.cross_validate_tweets(
        rng.normal(0, 1, (len(hutto), 3)), hutto, rng.normal(0, 1, (len(written), 3)), written, weight=1.0
    )
    assert noise < 0.6
