"""The search page's choice lists, cached: they read the whole creator table but change rarely.

The distinct AI languages are a scan of every creator (9-23 ms at 100,000 creators, on every search)
and the tag list joins tags to categories. Both are kept in the shared cache for
``SEARCH_CHOICES_TTL`` seconds: a language that AI analysis finds for the first time shows up in the
picker within that; a saved or deleted tag or category drops the tag list at once
(``forget_search_tags``, connected in profiles/apps.py). No version query is made: with scrapes
updating creators all the time a version would change on nearly every search. The cache degrading
(Redis down) only means reading them again.
"""

from __future__ import annotations

from django.core.cache import cache

from config.formatting import language_name
from profiles.models import Profile, Tag

SEARCH_CHOICES_TTL = 600
LANGUAGES_KEY = "profiles:search:languages"
TAGS_KEY = "profiles:search:tags"
KEYS = (LANGUAGES_KEY, TAGS_KEY)


def search_languages() -> list[tuple[str, str]]:
    """(code, name) of every creator's AI primary language, by name."""
    languages = cache.get(LANGUAGES_KEY)
    if not isinstance(languages, list):
        codes = (
            Profile.objects.exclude(ai_primary_language="")
            .order_by()
            .values_list("ai_primary_language", flat=True)
            .distinct()
        )
        languages = sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])
        cache.set(LANGUAGES_KEY, languages, SEARCH_CHOICES_TTL)
    return languages


def search_tags() -> list[Tag]:
    """Every tag with its category, in the picker's order."""
    tags = cache.get(TAGS_KEY)
    if not isinstance(tags, list):
        tags = list(Tag.objects.select_related("category").order_by("category__position", "name"))
        cache.set(TAGS_KEY, tags, SEARCH_CHOICES_TTL)
    return tags


def forget_search_tags(**kwargs) -> None:
    cache.delete(TAGS_KEY)


def forget() -> None:
    """Drop both lists (the tests' databases are rebuilt while the shared cache lives on)."""
    cache.delete_many(KEYS)
