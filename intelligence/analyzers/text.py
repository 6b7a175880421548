"""Social-media text clean-up shared by every backend.

Language identifiers were trained on clean prose: retweet markers, @handles, URLs, hashtags
and emoji are noise to them (fastText's lid.176 calls a bare "@user http://t.co/x" English).
Sentiment models, on the other hand, read emoji and hashtag words, so they get a lighter clean-up.
"""

from __future__ import annotations

import re
import unicodedata

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+:?")
_RT = re.compile(r"^\s*RT\b:?", re.IGNORECASE)
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACE = re.compile(r"\s+")
# Datasets (and some scrapers) replace links with a bare "http".
_BARE_HTTP = re.compile(r"\bhttps?\b", re.IGNORECASE)
_HTML_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_REPEAT = re.compile(r"(\w)\1{3,}")


def _unescape(text: str) -> str:
    for entity, char in _HTML_ENTITIES.items():
        text = text.replace(entity, char)
    return text


def split_hashtag(tag: str) -> str:
    """``#SundayFunday`` → ``Sunday Funday``; underscores become spaces too."""
    return _CAMEL.sub(" ", tag).replace("_", " ")


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in order of appearance, lower-cased, without ``#``."""
    return [m.group(1).lower() for m in _HASHTAG.finditer(text or "")]


def is_symbol(char: str) -> bool:
    """Emoji, pictographs and other symbols carry no language."""
    return unicodedata.category(char) in {"So", "Sk", "Cs", "Co", "Cn"} or char in "\ufe0f\u200d"


def clean_for_language(text: str, hashtags: bool = True) -> str:
    """Drop what fastText mistakes for English: RT, @user, URLs, emoji; keep hashtag words
    (``hashtags=False``: drop them too)."""
    # NFKC folds Arabic presentation forms and full-width Latin into the letters models know.
    text = unicodedata.normalize("NFKC", _unescape(text or ""))
    text = _RT.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _BARE_HTTP.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + split_hashtag(m.group(1)) + " " if hashtags else " ", text)
    text = "".join(" " if is_symbol(c) else c for c in text)
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()


def clean_for_sentiment(text: str) -> str:
    """Normalise handles and links to placeholders (as TweetEval models expect), keep emoji."""
    text = _unescape(text or "")
    text = _RT.sub(" ", text)
    text = _URL.sub(" http ", text)
    text = _MENTION.sub(" @user ", text)
    text = _HASHTAG.sub(lambda m: " " + split_hashtag(m.group(1)) + " ", text)
    return _SPACE.sub(" ", text).strip()


def letters_ratio(text: str) -> float:
    """Share of alphabetic characters: below ~0.3 a language guess is not worth much."""
    if not text:
        return 0.0
    return sum(c.isalpha() for c in text) / len(text)
