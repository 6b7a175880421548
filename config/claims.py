"""Claiming rows of a backlog for one worker: the one idiom every queue of work uses."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet


def claim(queryset: QuerySet, claimable: Q, *, limit: int | None = None, **changes: Any) -> list[Any]:
    """Mark up to ``limit`` rows of ``queryset`` matching ``claimable`` with ``changes``; return their pks.

    ``SELECT … FOR UPDATE SKIP LOCKED`` picks rows no other worker is claiming this instant (in the
    queryset's order), and the conditional ``UPDATE`` repeats ``claimable``, so running twice is
    harmless (Saleor, healthchecks). ``changes`` must make a row stop matching ``claimable`` (a
    status, a lease in the future); that is what keeps the next worker off it.
    """
    with transaction.atomic():
        pks = list(
            queryset.filter(claimable)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if pks:
            queryset.model._default_manager.filter(claimable, pk__in=pks).update(**changes)
    return pks
