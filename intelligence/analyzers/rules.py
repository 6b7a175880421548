"""Rule-based analyzers: keywords, hashtags, emoji and scripts.

They need nothing but the standard library, so they always answer: the registry falls back to
them when a model fails to load or keeps failing. Their accuracy is modest and their results
carry the ``rules`` backend in the model version, so the pipeline re-analyses those posts once a
real model is back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from .base import (
    EMPTY_CATEGORY,
    AIConfig,
    Analyzer,
    CategoryAnalyzer,
    CategoryResult,
    LanguageAnalyzer,
    LanguageResult,
    SentimentAnalyzer,
    SentimentResult,
    normalise_distribution,
)
from .text import clean_for_language, extract_hashtags, split_hashtag
from .vocab import (
    CATEGORY_KEYWORDS,
    NEGATIVE_EMOJI,
    NEGATIVE_WORDS,
    NEGATORS,
    POSITIVE_EMOJI,
    POSITIVE_WORDS,
    ROMANIZED_HINDI,
    STOPWORDS,
)

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)

# Scripts that identify one language on their own (or its most likely one).
_SCRIPT_LANG = (
    ("ARABIC", "ar"),
    ("CYRILLIC", "ru"),
    ("DEVANAGARI", "hi"),
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
    ("GREEK", "el"),
    ("HEBREW", "he"),
    ("THAI", "th"),
    ("BENGALI", "bn"),
    ("TAMIL", "ta"),
)


def load(config: AIConfig, task: str) -> Analyzer:
    """The rule analyzer for ``task`` (``sentiment``, ``language`` or ``category``)."""
    if task == "sentiment":
        return RuleSentimentAnalyzer()
    if task == "language":
        return RuleLanguageAnalyzer()
    return RuleCategoryAnalyzer(config.category_labels())


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


class RuleSentimentAnalyzer(SentimentAnalyzer):
    """Counts lexicon words and emoji; a negator flips the next sentiment word."""

    backend = "rules"
    model_name = "lexicon"
    model_version = "1"

    def analyze(self, texts: Sequence[str]) -> list[SentimentResult]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> SentimentResult:
        total = 0.0
        hits = 0
        negate = False
        for word in words(text):
            if word in NEGATORS:
                negate = True
                continue
            polarity = 1 if word in POSITIVE_WORDS else -1 if word in NEGATIVE_WORDS else 0
            if polarity:
                total += -polarity if negate else polarity
                hits += 1
            negate = False
        for char in text or "":
            if char in POSITIVE_EMOJI:
                total += 1
                hits += 1
            elif char in NEGATIVE_EMOJI:
                total -= 1
                hits += 1
        if not hits:
            return SentimentResult("neutral", 0.0, 0.5)
        # Squash like VADER's compound: a couple of hits is already a clear signal.
        score = total / math.sqrt(total * total + 4)
        label = "positive" if score >= 0.2 else "negative" if score <= -0.2 else "neutral"
        return SentimentResult(label, round(score, 4), round(0.5 + abs(score) / 2, 4))


# Romanized Hindi: at least this many different Hinglish words, making up at least this share of
# the words. Set a priori (two function words in a five-word caption), not tuned on any data.
ROMANIZED_MIN_DISTINCT = 2
ROMANIZED_MIN_SHARE = 0.2


def romanized_hindi(text: str) -> float:
    """0 unless ``text`` (cleaned for language) reads as Hindi in Latin letters; else a confidence.

    Neither language model was trained on romanized Hindi: they call it English, Indonesian or
    Tagalog. Frequent Hinglish function words ("hai", "nahi", "kya", "mein", "bahut") give it away.
    """
    tokens = words(text)
    if not tokens or any(not c.isascii() for c in "".join(tokens)):
        return 0.0
    hits = [t for t in tokens if t in ROMANIZED_HINDI]
    share = len(hits) / len(tokens)
    if len(set(hits)) < ROMANIZED_MIN_DISTINCT or share < ROMANIZED_MIN_SHARE:
        return 0.0
    return round(min(0.95, 0.5 + share), 4)


class RuleLanguageAnalyzer(LanguageAnalyzer):
    """Script first (Arabic, Cyrillic, CJK…), then frequent function words for Latin scripts."""

    backend = "rules"
    model_name = "scripts+stopwords"
    model_version = "2"

    def analyze(self, texts: Sequence[str]) -> list[LanguageResult]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> LanguageResult:
        text = clean_for_language(text)
        scripts: dict[str, int] = {}
        letters = 0
        for char in text:
            if not char.isalpha():
                continue
            letters += 1
            name = unicodedata.name(char, "")
            for prefix, lang in _SCRIPT_LANG:
                if name.startswith(prefix):
                    scripts[lang] = scripts.get(lang, 0) + 1
                    break
        if not letters:
            return LanguageResult("und", 0.0)
        if scripts:
            # Kana next to kanji means Japanese, not Chinese.
            if scripts.get("ja"):
                scripts["ja"] += scripts.pop("zh", 0)
            lang, count = max(scripts.items(), key=lambda kv: kv[1])
            if count / letters >= 0.5:
                return LanguageResult(lang, round(min(0.95, count / letters), 4))
        hinglish = romanized_hindi(text)
        if hinglish:
            return LanguageResult("hi", hinglish)
        tokens = words(text)
        counts = {lang: sum(t in stop for t in tokens) for lang, stop in STOPWORDS.items()}
        lang, best = max(counts.items(), key=lambda kv: kv[1])
        if best == 0:
            return LanguageResult("und", 0.0)
        share = best / sum(counts.values())
        return LanguageResult(lang, round(min(0.9, share * min(1.0, best / 3)), 4))


class RuleCategoryAnalyzer(CategoryAnalyzer):
    """Counts category keywords in text and hashtags (hashtags weigh double)."""

    backend = "rules"
    model_name = "keywords"
    model_version = "1"

    def __init__(self, categories: dict[str, str]) -> None:
        super().__init__(categories)
        self._keywords: dict[str, list[tuple[str, ...]]] = {}
        for key, label in self.categories.items():
            phrases = {key, *words(label)} | set(CATEGORY_KEYWORDS.get(key, ()))
            self._keywords[key] = [tuple(p.lower().split()) for p in phrases if p]

    def analyze(self, texts: Sequence[str]) -> list[CategoryResult]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> CategoryResult:
        if not (text or "").strip():
            return EMPTY_CATEGORY
        tokens = words(text)
        tags = extract_hashtags(text)
        tag_tokens = [w for tag in tags for w in words(split_hashtag(tag))] + tags
        scores: dict[str, float] = {}
        for key, phrases in self._keywords.items():
            score = 0.0
            for phrase in phrases:
                score += _count_phrase(tokens, phrase) + 2 * _count_phrase(tag_tokens, phrase)
            scores[key] = score
        best = max(scores, key=lambda k: scores[k])
        if scores[best] == 0:
            fallback = "lifestyle" if "lifestyle" in scores else best
            return CategoryResult(fallback, 0.0, normalise_distribution({k: 0.0 for k in scores}))
        distribution = normalise_distribution(scores)
        return CategoryResult(best, round(distribution[best], 4), distribution)


def _count_phrase(tokens: list[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    if n == 1:
        return tokens.count(phrase[0])
    return sum(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))
