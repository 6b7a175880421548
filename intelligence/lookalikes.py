"""Lookalike creators: nearest neighbours of a profile's content vector, by a plain NumPy scan.

A scan of N vectors × 384 floats is one matrix-vector product: 100k creators take ~15 ms, so
an approximate index (pgvector, FAISS) is not worth its operational cost at our size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import transaction

from intelligence.models import ProfileEmbedding
from profiles.models import Profile, RelatedProfile


def load_matrix(model_name: str, platform: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(profile ids, unit vectors) of every stored embedding of ``model_name``."""
    rows = ProfileEmbedding.objects.filter(model_name=model_name)
    if platform:
        rows = rows.filter(profile__platform=platform)
    pairs = list(rows.values_list("profile_id", "vector"))
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    ids = np.array([pk for pk, _ in pairs], dtype=np.int64)
    matrix = np.vstack([np.frombuffer(bytes(vec), dtype=np.float32) for _, vec in pairs])
    return ids, matrix


def nearest(vector: np.ndarray, ids: np.ndarray, matrix: np.ndarray, k: int, exclude: int) -> list[tuple[int, float]]:
    """Top-``k`` (id, cosine) by similarity to ``vector``, leaving out ``exclude``."""
    if not len(ids):
        return []
    sims = matrix @ vector
    sims[ids == exclude] = -np.inf
    k = min(k, int(np.isfinite(sims).sum()))
    if k <= 0:
        return []
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top])]
    return [(int(ids[i]), round(float(sims[i]), 4)) for i in top]


def refresh_lookalikes(profile_ids: Sequence[int], k: int) -> int:
    """Replace each profile's lookalike links with its ``k`` nearest same-platform creators."""
    written = 0
    embeddings = {e.profile_id: e for e in ProfileEmbedding.objects.filter(profile_id__in=list(profile_ids))}
    platforms = dict(Profile.objects.filter(pk__in=list(embeddings)).values_list("id", "platform"))
    matrices: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for profile_id, embedding in embeddings.items():
        key = (embedding.model_name, platforms.get(profile_id, ""))
        if key not in matrices:
            matrices[key] = load_matrix(*key)
        ids, matrix = matrices[key]
        neighbours = nearest(embedding.as_array(), ids, matrix, k, exclude=profile_id)
        with transaction.atomic():
            RelatedProfile.objects.filter(profile_id=profile_id, source=RelatedProfile.Source.LOOKALIKE).delete()
            RelatedProfile.objects.bulk_create(
                [
                    RelatedProfile(
                        profile_id=profile_id, related_id=other, source=RelatedProfile.Source.LOOKALIKE, score=score
                    )
                    for other, score in neighbours
                ]
            )
        written += len(neighbours)
    return written
