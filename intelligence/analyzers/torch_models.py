"""Loading and running transformer models: the only module that imports torch.

Imported lazily by the registry inside a worker; the web process never reaches it (a test
checks ``'torch' not in sys.modules`` after importing the URL conf).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

logger = logging.getLogger(__name__)

_threads_set = False


def configure_threads(num_threads: int) -> None:
    """Pin torch's intra-op pool once per process.

    torch defaults to one thread per core and then fights the other worker processes on a
    2-core box (MiniLM fell from ~300 to ~40 sentences/s in the reference measurements).
    """
    global _threads_set
    if not _threads_set and num_threads > 0:
        torch.set_num_threads(num_threads)
        _threads_set = True


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("AI_DEVICE=cuda but no CUDA device is available")
    return device


def resolve_model_path(name: str, cache_dir: str | os.PathLike | None) -> str:
    """A model named like ``org/model`` is looked up as a folder inside the cache directory.

    Also accepts an absolute folder, and the Hugging Face hub cache layout
    (``models--org--model/snapshots/<rev>``) so a cache filled by ``huggingface-cli download``
    works as-is. Never downloads: a missing model is an error the registry turns into a fallback.
    """
    direct = Path(name)
    if direct.is_absolute() and direct.is_dir():
        return str(direct)
    if cache_dir:
        base = Path(cache_dir)
        plain = base / name
        if (plain / "config.json").exists():
            return str(plain)
        snapshots = base / ("models--" + name.replace("/", "--")) / "snapshots"
        if snapshots.is_dir():
            for snapshot in sorted(snapshots.iterdir()):
                if (snapshot / "config.json").exists():
                    return str(snapshot)
    raise FileNotFoundError(f"model {name!r} not found in AI_MODELS_CACHE_DIR={cache_dir!r}")


def _quantize(model: torch.nn.Module) -> torch.nn.Module:
    # Dynamic int8 on Linear layers: 3-4x faster on CPU for roberta-sized models (BENCHMARKS.md).
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


class _Loaded:
    def __init__(self, path: str, device: str, quantize: bool, max_length: int, cls: type) -> None:
        self.path = path
        self.device = resolve_device(device)
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = cls.from_pretrained(path, local_files_only=True)
        model.eval()
        # Quantised weights give (slightly) different answers: the flag ends up in model versions.
        self.quantized = quantize and self.device == "cpu"
        if self.quantized:
            model = _quantize(model)
        self.model = model.to(self.device)
        self.config = model.config

    def _tokens(self, texts: Sequence[str]) -> dict:
        batch = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        return {k: v.to(self.device) for k, v in batch.items()}


class TextEncoder(_Loaded):
    """Sentence embeddings: mean pooling over tokens, L2-normalised (all-MiniLM-L6-v2's recipe)."""

    def __init__(self, path: str, device: str = "cpu", quantize: bool = False, max_length: int = 128) -> None:
        super().__init__(path, device, quantize, max_length, AutoModel)

    @property
    def dim(self) -> int:
        return int(self.config.hidden_size)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self._tokens(texts[start : start + batch_size])
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                chunks.append(pooled.float().cpu().numpy())
        if not chunks:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(chunks)


class SequenceClassifier(_Loaded):
    """A fine-tuned classifier; returns class probabilities and the labels from its config."""

    def __init__(self, path: str, device: str = "cpu", quantize: bool = False, max_length: int = 128) -> None:
        super().__init__(path, device, quantize, max_length, AutoModelForSequenceClassification)
        id2label = self.config.id2label or {}
        self.labels = [str(id2label.get(i, f"LABEL_{i}")) for i in range(self.config.num_labels)]

    def predict_proba(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                logits = self.model(**self._tokens(texts[start : start + batch_size])).logits
                chunks.append(torch.softmax(logits.float(), dim=-1).cpu().numpy())
        if not chunks:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return np.vstack(chunks)

    def predict_pairs(self, premises: Sequence[str], hypotheses: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """NLI: probabilities for each (premise, hypothesis) pair (zero-shot classification)."""
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(premises), batch_size):
                batch = self.tokenizer(
                    list(premises[start : start + batch_size]),
                    list(hypotheses[start : start + batch_size]),
                    padding=True,
                    truncation="only_first",
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                batch = {k: v.to(self.device) for k, v in batch.items()}
                chunks.append(torch.softmax(self.model(**batch).logits.float(), dim=-1).cpu().numpy())
        if not chunks:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return np.vstack(chunks)
