"""Process memory housekeeping for long model builds (no torch import)."""

from __future__ import annotations


def release_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere).

    Batches of different lengths leave freed activation buffers scattered over the heap, which
    glibc keeps: without this the build's resident size creeps up by hundreds of MB.
    """
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass
