"""The analyst's tool: triage, review and tag creators and subreddits; decide AI tag suggestions.

Changelists stay fast at 100,000 profiles: no per-row queries (avatars joined, tags prefetched,
pending suggestions as an EXISTS subquery evaluated only for the rows on the page), no second full
count, and review-status counts from one grouped query. Bulk edits go through ``profiles/bulk.py``
so each reports how many rows it actually changed and large selections run in the worker.

One module per kind of page: ``profiles`` (creators, their snapshots and the rest of a creator's
records), ``communities`` (subreddits) and ``taxonomy`` (tags, tag categories, AI tag suggestions).
What creators and subreddits share: ``actions`` (bulk actions and the action bar's inputs),
``review`` (review bookkeeping and counts), ``filters`` and ``resources`` (CSV/XLSX import and
export). The bases every app's admin uses are in ``config/admin.py``.
"""

# Imported for their @admin.register side effect: admin autodiscovery imports only this package.
from profiles.admin import audience, communities, profiles, taxonomy  # noqa: F401
