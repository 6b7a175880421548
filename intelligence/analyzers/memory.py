"""Process memory housekeeping for long model builds (no torch import)."""

from __future__ import annotations

# glibc's mallopt parameter numbers.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _libc():
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def map_large_allocations(threshold: int = 64 * 1024) -> None:
    """Give blocks of ``threshold`` bytes or more their own pages, returned to the system when freed.

    glibc raises its mmap threshold as large blocks are freed, after which activation tensors
    come from the heap and the holes they leave keep the resident size up; a fixed threshold stops
    that. Called by the sentiment build (glibc only; nothing elsewhere).
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, threshold)
        libc.mallopt(_M_TRIM_THRESHOLD, 4 * threshold)


def release_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere).

    Batches of different lengths leave freed activation buffers scattered over the heap, which
    glibc keeps: without this the build's resident size creeps up by hundreds of MB.
    """
    import gc

    gc.collect()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
