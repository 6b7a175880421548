"""Word lists, read once at import from the files in ``data/`` (one file per list).

- ``category_keywords.json``: words that describe each content category, keyed by
  ``profiles.categories`` keys. Used twice: the rule backend counts them in captions and
  hashtags, and the embedding backends embed each of them as one of the category's phrases. A
  category key that is not listed still works (its human label alone is embedded), so analysts
  can add categories without touching the file.
- ``positive_words.txt``, ``negative_words.txt``, ``negators.txt``, ``positive_emoji.txt``,
  ``negative_emoji.txt``: a small hand lexicon for the rule fallback (VADER's 7,500-word lexicon
  is the real one); one word or emoji a line.
- ``romanized_hindi.txt``: frequent Hindi words as spelt in Latin letters (Hinglish), for telling
  romanized Hindi from the Latin-script languages both language models know.
- ``stopwords.json``: frequent function words per language for the rule fallback (Latin-script
  languages only; other scripts are decided by their characters). The order of the languages is
  the order ties are broken in.
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA = Path(__file__).with_name("data")


def _lines(name: str) -> frozenset[str]:
    """The file's lines, stripped; blank lines and ``#`` comments skipped."""
    lines = (line.strip() for line in (_DATA / name).read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _table(name: str) -> dict[str, list[str]]:
    return json.loads((_DATA / name).read_text(encoding="utf-8"))


CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    key: tuple(words) for key, words in _table("category_keywords.json").items()
}
POSITIVE_WORDS = _lines("positive_words.txt")
NEGATIVE_WORDS = _lines("negative_words.txt")
NEGATORS = _lines("negators.txt")
POSITIVE_EMOJI = _lines("positive_emoji.txt")
NEGATIVE_EMOJI = _lines("negative_emoji.txt")
ROMANIZED_HINDI = _lines("romanized_hindi.txt")
STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(words) for lang, words in _table("stopwords.json").items()}
