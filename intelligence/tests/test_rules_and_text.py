"""The rule fallback and the text clean-up: pure Python, no models, no database."""

import pytest

from intelligence.analyzers.base import normalise_distribution
from intelligence.analyzers.rules import RuleCategoryAnalyzer, RuleLanguageAnalyzer, RuleSentimentAnalyzer
from intelligence.analyzers.text import clean_for_language, clean_for_sentiment, extract_hashtags

from .conftest import CATEGORIES


def test_language_cleanup_drops_retweet_markers_handles_links_and_emoji():
    cleaned = clean_for_language("RT @someone: Qué bonito día 😍😍 https://t.co/abc #VeranoAzul http")
    assert cleaned == "Qué bonito día Verano Azul"


def test_language_cleanup_folds_arabic_presentation_forms():
    assert clean_for_language("ﻫﻲّ") == "هيّ"


def test_sentiment_cleanup_keeps_emoji_and_uses_placeholders():
    assert clean_for_sentiment("@bob love it 😍 http://x.co") == "@user love it 😍 http"


def test_hashtags_are_extracted_lowercased():
    assert extract_hashtags("#OOTD and #Summer_Vibes") == ["ootd", "summer_vibes"]


def test_rule_sentiment_reads_words_negation_and_emoji():
    results = RuleSentimentAnalyzer().analyze(["I love this 😍", "not good at all", "the bus is at 5", ""])
    assert [r.label for r in results] == ["positive", "negative", "neutral", "neutral"]
    assert results[0].score > 0 > results[1].score
    assert all(-1 <= r.score <= 1 and 0 <= r.confidence <= 1 for r in results)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("the weather is nice and I have a dog", "en"),
        ("el perro de mi casa es muy bonito y no lo dejo", "es"),
        ("Привет, как дела?", "ru"),
        ("مرحبا كيف حالك", "ar"),
        ("今日はいい天気ですね", "ja"),
        ("🔥🔥🔥", "und"),
    ],
)
def test_rule_language_uses_script_then_function_words(text, code):
    assert RuleLanguageAnalyzer().analyze([text])[0].code == code


def test_rule_category_counts_keywords_and_hashtags():
    analyzer = RuleCategoryAnalyzer(dict(CATEGORIES))
    food, fitness, empty = analyzer.analyze(["New recipe tonight #foodie #baking", "leg day at the gym #workout", " "])
    assert food.category == "food" and food.confidence > 0.5
    assert fitness.category == "fitness"
    assert abs(sum(food.distribution.values()) - 1) < 1e-6
    assert set(food.distribution) == {key for key, _ in CATEGORIES}
    assert empty.category == "" and empty.confidence == 0


def test_category_analyzer_refuses_fewer_than_two_categories():
    with pytest.raises(ValueError):
        RuleCategoryAnalyzer({"food": "Food"})


def test_distribution_is_uniform_when_nothing_scores():
    assert normalise_distribution({"a": 0.0, "b": 0.0}) == {"a": 0.5, "b": 0.5}


def test_word_lists_load_from_their_data_files():
    from intelligence.analyzers import vocab

    assert {"love", "great"} <= vocab.POSITIVE_WORDS and {"hate", "awful"} <= vocab.NEGATIVE_WORDS
    assert "don't" in vocab.NEGATORS and "😍" in vocab.POSITIVE_EMOJI and "💔" in vocab.NEGATIVE_EMOJI
    assert vocab.CATEGORY_KEYWORDS["fashion"][:3] == ("fashion", "outfit", "ootd")
    # Ties between languages go to the first listed: the file's order must survive loading.
    assert list(vocab.STOPWORDS)[:3] == ["en", "es", "fr"] and "und" in vocab.STOPWORDS["de"]
