"""Fixtures for the intelligence tests: tiny transformer models built from a config, never downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligence.analyzers.base import AIConfig
from intelligence.analyzers.registry import get_analyzers, reset
from profiles.categories import CONTENT_CATEGORIES

CATEGORIES = tuple(CONTENT_CATEGORIES.items())
VOCAB = (
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    + list("abcdefghijklmnopqrstuvwxyz0123456789#@!.,")
    + ["i", "love", "hate", "the", "this", "is", "good", "bad", "new", "game", "food", "post", "about"]
)


def save_tiny(folder: Path, model_cls, num_hidden_layers: int = 1, **config) -> None:
    """A 16-wide BERT (1 layer unless asked) with random weights and a real WordPiece tokenizer, saved like a hub model."""
    from transformers import BertConfig, BertTokenizer

    folder.mkdir(parents=True)
    # transformers 5 takes the vocabulary itself; given only a vocab_file it knows just the special tokens.
    BertTokenizer(vocab={token: i for i, token in enumerate(VOCAB)}).save_pretrained(folder)
    cfg = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=256,
        **config,
    )
    model_cls(cfg).save_pretrained(folder)


def _labels(names: list[str]) -> dict:
    return {
        "num_labels": len(names),
        "id2label": dict(enumerate(names)),
        "label2id": {n: i for i, n in enumerate(names)},
    }


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> Path:
    """A models cache holding tiny stand-ins under the seed's model names."""
    import torch
    from transformers import BertForSequenceClassification, BertModel

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("models")
    save_tiny(
        root / "cardiffnlp/twitter-roberta-base-sentiment-latest",
        BertForSequenceClassification,
        **_labels(["negative", "neutral", "positive"]),
    )
    save_tiny(
        root / "papluca/xlm-roberta-base-language-detection",
        BertForSequenceClassification,
        **_labels(["en", "es", "fr", "de"]),
    )
    save_tiny(
        root / "facebook/bart-large-mnli",
        BertForSequenceClassification,
        **_labels(["contradiction", "neutral", "entailment"]),
    )
    save_tiny(root / "tiny/encoder", BertModel)
    return root


@pytest.fixture(scope="session")
def embedded_set(tmp_path_factory):
    """The embedded backend's analyzers, loaded once for the session (MiniLM takes seconds)."""
    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path_factory.mktemp("ai")), categories=CATEGORIES)
    return get_analyzers(config)


@pytest.fixture
def fresh_registry():
    reset()
    yield
    reset()
