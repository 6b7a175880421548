"""Sentiment for posts not in English: a logistic-regression head on the Universal Sentence Encoder
multilingual embedding (``use_encoder``), trained on the same English rated sentences as the
MiniLM branch (``sentiment_head.py``). USE places 16 languages in one space, so a head fitted on
English reads Spanish, Portuguese, German, French, Italian or Arabic posts too; Hindi is not
among USE's languages (its posts get what the shared space gives them).

Recipe (``RECIPE_VERSION``; bump it whenever anything below changes):
- data and labels: ``sentiment_head.TRAINING_SOURCES`` with the balanced soft labels of
  ``sentiment_head.balanced_targets`` (each sentence is three weighted rows, one per class);
- features: USE-multilingual v3 of ``clean_for_sentiment(text)``;
- model: scikit-learn ``LogisticRegression``, C ``C``.

Chosen by ``sentiment_head.cross_validate`` (5 class-stratified folds of the Hutto tweets,
macro-F1), never on shared/eval: C 1 0.705, C 3 0.702, C 10 0.701. The MiniLM branch scores 0.781
on the same folds, so English posts keep the branch and this head answers the rest (the
language is decided by the language analyzer's fastText + langid.py models).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .sentiment_head import HEAD_LABELS, balanced_targets, training_rows

__all__ = ["HEAD_LABELS", "UseSentimentHead", "build_head", "head_file"]
from .text import clean_for_sentiment
from .use_encoder import encode_in_chunks

RECIPE_VERSION = "1"
C = 1.0


def head_file(artifacts_dir: Path, encoder_name: str) -> Path:
    digest = hashlib.sha1(encoder_name.encode()).hexdigest()[:8]
    return Path(artifacts_dir) / f"sentiment-multilingual-r{RECIPE_VERSION}-{digest}.npz"


def model_name() -> str:
    return f"lr-hutto-r{RECIPE_VERSION}"


def fit(features: np.ndarray, targets: np.ndarray, c: float = C):
    """Logistic regression on soft targets: each row three times, weighted by its class shares."""
    from sklearn.linear_model import LogisticRegression

    n = len(features)
    stacked = np.vstack([features] * len(HEAD_LABELS))
    classes = np.repeat(np.arange(len(HEAD_LABELS)), n)
    weight = targets.T.reshape(-1)
    keep = weight > 0
    return LogisticRegression(C=c, max_iter=2000).fit(stacked[keep], classes[keep], sample_weight=weight[keep])


class UseSentimentHead:
    def __init__(self, coef: np.ndarray, intercept: np.ndarray, meta: dict) -> None:
        self.coef, self.intercept, self.meta = coef, intercept, meta

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = features @ self.coef.T + self.intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, coef=self.coef, intercept=self.intercept, meta=np.array(json.dumps(self.meta, sort_keys=True)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> UseSentimentHead:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["coef"], data["intercept"], json.loads(str(data["meta"])))


def build_head(
    artifacts_dir: Path,
    encode: Callable[[list[str]], np.ndarray],
    encoder_name: str,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    path = head_file(artifacts_dir, encoder_name)
    if path.exists() and not force:
        return path
    rows = training_rows(Path(artifacts_dir))
    chunk = 256
    features = encode_in_chunks(encode, [clean_for_sentiment(r.text) for r in rows], chunk, progress, steps_after=1)
    total = -(-len(rows) // chunk) + 1
    model = fit(features, balanced_targets(rows))
    head = UseSentimentHead(
        model.coef_.astype(np.float32),
        model.intercept_.astype(np.float32),
        {"name": model_name(), "version": f"r{RECIPE_VERSION}", "encoder": encoder_name, "rows": len(rows)},
    )
    head.save(path)
    if progress:
        progress(total, total)
    return path
