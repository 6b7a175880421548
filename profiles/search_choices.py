"""The search page's choice lists, cached: they read the whole creator table but change rarely.

The distinct AI languages are a scan of every creator (10-20 ms at 100,000 creators, on every search)
and the tag list joins tags to categories. Both are kept in the shared cache under a version that
changes with what they are built from, so they are never stale:

- languages: ``Profile.objects.data_generation()`` (one probe of the ``profile_data_changed`` index,
  the version the API's search cache keys on too), which moves with every re-analysis;
- tags: their count and highest id (a new or deleted tag), and a saved or deleted tag or category
  drops the entry (``forget_search_tags``, connected in profiles/apps.py) for renames.

The cache degrading (Redis down) only means reading them again.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max

from config.formatting import language_name
from profiles.models import Profile, Tag

SEARCH_CHOICES_TTL = 3600
LANGUAGES_KEY = "profiles:search:languages"
TAGS_KEY = "profiles:search:tags"


def _cached(key: str, version, build):
    entry = cache.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    value = build()
    cache.set(key, (version, value), SEARCH_CHOICES_TTL)
    return value


def search_languages() -> list[tuple[str, str]]:
    """(code, name) of every creator's AI primary language, by name."""

    def build():
        codes = (
            Profile.objects.exclude(ai_primary_language="")
            .order_by()
            .values_list("ai_primary_language", flat=True)
            .distinct()
        )
        return sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])

    return _cached(LANGUAGES_KEY, Profile.objects.data_generation(), build)


def search_tags() -> list[Tag]:
    """Every tag with its category, in the picker's order."""
    version = tuple(Tag.objects.order_by().aggregate(count=Count("pk"), newest=Max("pk")).values())
    return _cached(
        TAGS_KEY,
        version,
        lambda: list(Tag.objects.select_related("category").order_by("category__position", "name")),
    )


def forget_search_tags(**kwargs) -> None:
    cache.delete(TAGS_KEY)
