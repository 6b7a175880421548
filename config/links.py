"""One rule for URLs that come from outside (upstream responses, imports): http and https only.

A ``javascript:`` or ``data:`` URL stored as a permalink would run in our origin when an analyst
clicks it. Every ingest path passes foreign URLs through ``clean_url`` (the scraping dataclasses in
``scraping/schemas.py``, the admin import resources), and every page and admin field renders links
through ``safe_url`` (the ``safe_url`` template filter, the admin's read-only URL fields), so a value
stored before this rule, or written by hand, is shown as text and never becomes a link.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})


def is_web_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host, and nothing else (no control characters)."""
    if not isinstance(value, str) or not value:
        return False
    # Browsers strip tabs and newlines inside a URL ("java\tscript:" is "javascript:"), and a NUL
    # or other control character has no place in a link; refuse them all before parsing.
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


def clean_url(value: object, *, source: str) -> str:
    """The URL itself when it is a web URL; ``""`` (dropped, with a warning naming ``source``) otherwise."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if is_web_url(text):
        return text
    logger.warning("dropped a non-http(s) URL from %s: %.80r", source, text)
    return ""


def clean_urls(values: list[str], *, source: str) -> list[str]:
    return [url for url in (clean_url(value, source=source) for value in values) if url]


def safe_url(value: object) -> str:
    """What a template may put in ``href``/``src``: the URL when it is http(s), else ``""``."""
    return str(value) if is_web_url(value) else ""
