"""Every backend answers through the same interface; tiny models exercise the real loading code."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pybreaker
import pytest

from intelligence.analyzers.base import AIConfig, Analyzer, CategoryResult, LanguageResult, SentimentResult
from intelligence.analyzers.embedded import MINILM_NAME
from intelligence.analyzers.registry import GuardedAnalyzer, get_analyzers
from intelligence.analyzers.rules import RuleSentimentAnalyzer
from intelligence.analyzers.sentiment_head import (
    HEAD_LABELS,
    RECIPE_VERSION,
    balanced_targets,
    cross_validate,
    head_file,
    model_name,
    rating_classes,
    soft_labels,
)
from intelligence.analyzers.training_data import RatedText

from .conftest import CATEGORIES, save_tiny

TEXTS = ["I love this new game", "This is bad", "Receta nueva de paella", "", "🔥🔥"]
REPO = Path(__file__).resolve().parents[2]


def _check_interface(analyzer_set, texts=TEXTS):
    sentiments = analyzer_set.sentiment.analyze(texts)
    languages = analyzer_set.language.analyze(texts)
    categories = analyzer_set.category.analyze(texts)
    assert len(sentiments) == len(languages) == len(categories) == len(texts)
    assert all(isinstance(r, SentimentResult) for r in sentiments)
    assert all(r.label in {"positive", "neutral", "negative"} and -1 <= r.score <= 1 for r in sentiments)
    assert all(isinstance(r, LanguageResult) and 0 <= r.confidence <= 1 for r in languages)
    assert all(isinstance(r, CategoryResult) for r in categories)
    keys = {k for k, _ in CATEGORIES}
    for text, result in zip(texts, categories, strict=True):
        if text.strip():
            assert result.category in keys
            # Each share is rounded to 4 decimals: the sum may be off by half a unit per category.
            assert abs(sum(result.distribution.values()) - 1) <= len(result.distribution) * 0.5e-4 + 1e-9
    for analyzer in (analyzer_set.sentiment, analyzer_set.language, analyzer_set.category):
        assert analyzer.model_name and analyzer.model_version
    assert analyzer_set.sentiment.analyze([]) == []


def test_transformers_backend_loads_tiny_models_from_the_cache_dir(tiny_models_dir, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tiny_models_dir), categories=CATEGORIES)
    analyzer_set = get_analyzers(config)
    assert analyzer_set.backend == "transformers"
    _check_interface(analyzer_set)
    # Nothing fell back to the rules: each answer came from the tiny model named in settings.
    assert analyzer_set.sentiment.backend == "transformers"
    assert analyzer_set.sentiment.model_name == "cardiffnlp/twitter-roberta-base-sentiment-latest"
    assert {r.code for r in analyzer_set.language.analyze(TEXTS[:3])} <= {"en", "es", "fr", "de"}
    # bart-large-mnli's stand-in has an entailment label, so categories go through zero-shot NLI.
    assert type(analyzer_set.category.primary).__name__ == "ZeroShotCategoryAnalyzer"
    assert "transformers:facebook/bart-large-mnli@" in analyzer_set.model_version


def test_transformers_category_model_without_nli_head_is_used_as_an_encoder(tiny_models_dir, fresh_registry):
    config = AIConfig(
        backend="transformers",
        models_cache_dir=str(tiny_models_dir),
        category_model="tiny/encoder",
        quantize=True,
        categories=CATEGORIES,
    )
    analyzer_set = get_analyzers(config)
    assert type(analyzer_set.category.primary).__name__ == "EmbeddingCategoryAnalyzer"
    _check_interface(analyzer_set)
    # int8 weights answer differently, so every version says so (and posts get re-analysed).
    assert analyzer_set.category.model_version.endswith("-int8")
    assert analyzer_set.sentiment.model_version.endswith("-int8")


def test_missing_model_falls_back_to_rules(tmp_path, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tmp_path), categories=CATEGORIES)
    analyzer_set = get_analyzers(config)
    assert analyzer_set.sentiment.backend == "rules"
    assert analyzer_set.language.backend == "rules"
    assert analyzer_set.category.backend == "rules"
    _check_interface(analyzer_set)


def test_models_load_once_per_process(tiny_models_dir, fresh_registry):
    config = AIConfig(backend="transformers", models_cache_dir=str(tiny_models_dir), categories=CATEGORIES)
    assert get_analyzers(config) is get_analyzers(config)


def test_bad_backend_name_is_refused():
    with pytest.raises(ValueError, match="AI_BACKEND"):
        AIConfig(backend="gpt")


class Flaky(Analyzer):
    """A model that raises while ``failing`` and calls every text negative once it recovers."""

    task = "sentiment"
    backend = "embedded"
    model_name = "boom"
    model_version = "1"

    def __init__(self) -> None:
        self.calls = 0
        self.failing = True

    def analyze(self, texts):
        self.calls += 1
        if self.failing:
            raise RuntimeError("model died")
        return [SentimentResult("negative", -1.0, 1.0) for _ in texts]


def test_breaker_answers_with_rules_and_stops_calling_a_failing_model():
    primary = Flaky()
    guarded = GuardedAnalyzer(primary, RuleSentimentAnalyzer(), fail_max=2, reset_timeout=60)
    for _ in range(4):
        assert guarded.analyze(["I love it"])[0].label == "positive"
    assert primary.calls == 2  # open after two failures: the model is not tried again during the timeout
    assert guarded.breaker.current_state == pybreaker.STATE_OPEN and guarded.backend == "rules"


def test_breaker_tries_the_model_again_after_the_reset_timeout():
    # Given a breaker opened by a failing model
    primary = Flaky()
    guarded = GuardedAnalyzer(primary, RuleSentimentAnalyzer(), fail_max=1, reset_timeout=0.2)
    guarded.analyze(["I love it"])
    assert guarded.breaker.current_state == pybreaker.STATE_OPEN
    # When the model has recovered and the reset timeout has passed
    primary.failing = False
    assert guarded.analyze(["I love it"])[0].label == "positive" and primary.calls == 1
    time.sleep(0.25)
    # Then the next batch goes to the model again, and the breaker closes
    assert guarded.analyze(["I love it"])[0].label == "negative" and primary.calls == 2
    assert guarded.breaker.current_state == pybreaker.STATE_CLOSED and guarded.backend == "embedded"


def test_breaker_lets_the_threads_of_a_worker_run_their_batches_side_by_side():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    # Given a model that answers only once two batches are inside it at the same time
    primary = Flaky()
    primary.failing = False
    both_inside = threading.Barrier(2, timeout=10)
    answer = primary.analyze

    def analyze(texts):
        both_inside.wait()  # raises (and the rules answer) if the breaker let one batch in at a time
        return answer(texts)

    primary.analyze = analyze
    guarded = GuardedAnalyzer(primary, RuleSentimentAnalyzer())
    # When two threads analyze through the one breaker
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: guarded.analyze(["I love it"])[0].label, range(2)))
    # Then both batches were answered by the model
    assert results == ["negative", "negative"]


def test_embedded_backend_answers_every_analysis(embedded_set):
    assert embedded_set.backend == "embedded"
    _check_interface(embedded_set)
    languages = embedded_set.language.analyze(
        ["RT @user: Hoy es un gran día para ir a la playa con mis amigos http", "Je suis très content de ce film"]
    )
    assert [r.code for r in languages] == ["es", "fr"]
    food, gaming = embedded_set.category.analyze(
        [
            "Homemade sourdough bread with a crunchy crust, recipe in bio",
            "New patch nerfed my favourite hero, ranked is a mess",
        ]
    )
    assert food.category == "food"
    assert gaming.category == "gaming"


def test_embedded_sentiment_without_a_built_head_is_vader(embedded_set):
    assert embedded_set.sentiment.model_name == "vader"
    good, bad = embedded_set.sentiment.analyze(["What a wonderful day!", "This is terrible and I hate it"])
    assert good.label == "positive" and bad.label == "negative"


@pytest.fixture(scope="module")
def two_layer_encoder(tmp_path_factory):
    """A tiny 2-layer encoder, so a 1-layer branch has a shared lower layer to start from."""
    import torch
    from transformers import BertModel

    from intelligence.analyzers.torch_models import TextEncoder

    torch.manual_seed(1)
    folder = tmp_path_factory.mktemp("two-layer") / "encoder"
    save_tiny(folder, BertModel, num_hidden_layers=2)
    return TextEncoder(str(folder))


@pytest.fixture
def changed_branch(two_layer_encoder):
    """A branch off the tiny encoder whose copied top layer has been changed, as fine-tuning changes it."""
    import torch

    from intelligence.analyzers.torch_models import SentimentBranch

    branch = SentimentBranch.from_encoder(two_layer_encoder, 1, HEAD_LABELS).eval()
    with torch.no_grad():
        for parameter in branch.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.5)
    return branch


def test_sentiment_branch_on_the_shared_pass_equals_a_whole_pass_of_the_fine_tuned_model(
    two_layer_encoder, changed_branch
):
    import copy

    import torch

    from intelligence.analyzers.torch_models import mean_pool

    # Given a branch whose copied top layer has been changed (as fine-tuning changes it)
    encoder, branch = two_layer_encoder, changed_branch
    texts = ["i love this game", "this is bad", "new post about food !", "a"]
    before = encoder.encode(texts)
    # When the embeddings and the branch's probabilities come from one pass
    vectors, probs = encoder.encode_with_branch(texts, branch)
    # Then the embeddings are the encoder's own, untouched by the branch
    assert np.allclose(vectors, before, atol=1e-6)
    # And the probabilities equal a separate whole pass of a model whose top layer is the branch's
    fine_tuned = copy.deepcopy(encoder.model)
    fine_tuned.encoder.layer[1] = branch.layers[0]
    batch = encoder._tokens(texts)
    with torch.no_grad():
        pooled = mean_pool(fine_tuned(**batch).last_hidden_state, batch["attention_mask"])
        expected = torch.softmax(branch.head(pooled * branch.SCALE), dim=-1).numpy()
    assert np.allclose(probs, expected, atol=1e-5)
    assert not np.allclose(probs, probs[0])  # different texts, different answers
    # And a pass that stops where the branch starts answers the same
    assert np.allclose(encoder.branch_probabilities(texts, branch), probs, atol=1e-6)


def test_sentiment_branch_answers_each_thread_from_its_own_pass(two_layer_encoder, changed_branch):
    from concurrent.futures import ThreadPoolExecutor

    # Given one encoder and branch shared by worker threads, and batches that answer differently
    encoder, branch = two_layer_encoder, changed_branch
    batches = [["i love this game"] * 3, ["this is bad food", "new post"], ["about the game !"] * 5]
    expected = [encoder.encode_with_branch(batch, branch)[1] for batch in batches]

    def one(i: int):
        batch = batches[i % len(batches)]
        if i % 4 == 3:  # plain encodes (lookalikes, tags) run beside sentiment passes too
            return i, encoder.encode(batch)
        if i % 4 == 2:  # and passes that stop at the branch (post analysis)
            return i, encoder.branch_probabilities(batch, branch)
        return i, encoder.encode_with_branch(batch, branch)[1]

    # When many passes run side by side
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(one, range(200)))
    # Then every sentiment pass answered for its own batch, and every plain encode gave embeddings
    for i, answer in answers:
        if i % 4 != 3:
            assert np.allclose(answer, expected[i % len(batches)], atol=1e-5)
        else:
            assert np.allclose(answer, encoder.encode(batches[i % len(batches)]), atol=1e-5)


def _fine_tune_top_layer(encoder, rows, *, epochs, learning_rate, batch_size, texts=None, targets=None, **options):
    """A 1-layer branch trained on ``rows`` (or on ``texts`` with soft ``targets``)."""
    from intelligence.analyzers.torch_models import train_branch

    if texts is None:
        texts, targets = [r.text for r in rows], balanced_targets(rows)
    return train_branch(
        encoder,
        texts,
        targets,
        HEAD_LABELS,
        trainable_layers=1,
        epochs=epochs,
        learning_rate=learning_rate,
        head_learning_rate=1e-2,
        batch_size=batch_size,
        **options,
    )


def test_sentiment_branch_learns_from_soft_labels_and_survives_a_save(two_layer_encoder, tmp_path):
    from intelligence.analyzers.torch_models import SentimentBranch

    # Given three kinds of text, rated by votes
    rows = [RatedText(f"i love this game {i}", 2.0, "tweets", (2, 3, 1)) for i in range(10)]
    rows += [RatedText(f"i hate this food {i}", -2.0, "tweets", (-2, -3, -1)) for i in range(10)]
    rows += [RatedText(f"new post about the {i}", 0.0, "tweets", (0, 0, 0)) for i in range(10)]
    # When a branch is fine-tuned on them, saved and loaded back
    branch = _fine_tune_top_layer(two_layer_encoder, rows, epochs=40, learning_rate=1e-2, batch_size=8)
    branch.save(tmp_path / "branch.safetensors", {"name": "test", "version": "t"})
    loaded, meta = SentimentBranch.load(tmp_path / "branch.safetensors", two_layer_encoder)
    # Then it tells them apart, and the loaded copy answers exactly as the trained one
    probe = ["i love this game 7", "i hate this food 3", "new post about the 5"]
    _, trained_probs = two_layer_encoder.encode_with_branch(probe, branch)
    _, loaded_probs = two_layer_encoder.encode_with_branch(probe, loaded)
    assert [loaded.labels[i] for i in loaded_probs.argmax(axis=1)] == ["positive", "negative", "neutral"]
    assert np.allclose(trained_probs, loaded_probs, atol=1e-6)
    assert meta["name"] == "test" and meta["start"] == "1" and loaded.start == 1


def test_balanced_targets_give_each_class_the_same_total_weight():
    rows = [RatedText("a", 2.0, "tweets", (2, 2)), RatedText("b", 0.0, "tweets", (0, 0))]
    rows += [RatedText("c", 0.0, "tweets", (0, 0)), RatedText("d", -1.0, "tweets", (-1, 0))]
    totals = balanced_targets(rows).sum(axis=0)
    assert np.allclose(totals, totals[0])


def test_cross_validation_scores_held_out_sentences_only():
    # Given two sources where the first letter tells the class, and a "model" that memorises its training rows
    votes = {"p": (2, 3, 2), "n": (-2, -3, -2), "z": (0, 0, 0)}
    rows = [
        RatedText(f"{c}{i}-{source}", float(np.mean(votes[c])), source, votes[c])
        for source in ("tweets", "nyt")
        for c in "pnz"
        for i in range(20)
    ]
    seen: list[set[str]] = []

    def fit_predict(training, scored):
        known = {r.text for r in training}
        seen.append(known)
        assert not known & {r.text for r in scored}  # a fold is never trained on
        learned = {r.text[0]: int(rating_classes([r.rating])[0]) for r in training}
        return np.array([learned[r.text[0]] for r in scored])

    assert cross_validate(rows, fit_predict, "tweets", folds=4) == 1.0
    assert len(seen) == 4 and all(any(t.endswith("-nyt") for t in known) for known in seen)
    # When the held-out source's gold disagrees with everything the model learns from, it scores low
    flipped = [RatedText(r.text, -r.rating, r.source, r.votes) if r.source == "tweets" else r for r in rows]

    def from_nyt_only(training, scored):
        learned = {r.text[0]: int(rating_classes([r.rating])[0]) for r in training if r.source == "nyt"}
        return np.array([learned[r.text[0]] for r in scored])

    assert cross_validate(flipped, from_nyt_only, "tweets", folds=4) < 0.5


def test_rating_classes_use_half_a_step_as_the_neutral_band():
    assert rating_classes([-2.0, -0.5, -0.49, 0.0, 0.49, 0.5, 3.1]).tolist() == [0, 0, 1, 1, 1, 2, 2]


def test_embedded_backend_answers_with_a_built_model(tmp_path, embedded_set, fresh_registry):
    # Given a branch fine-tuned on the real MiniLM, on a tiny set, where the registry looks for it
    encoder = embedded_set.category.primary.embeddings.encoder
    rows = [
        RatedText(text, 0.0, "tweets", votes)
        for text, votes in [
            ("I love this, best day ever", (3, 2, 3)),
            ("What a wonderful surprise", (2, 3, 2)),
            ("This is awful, I hate it", (-3, -2, -3)),
            ("Worst service, never again", (-2, -3, -2)),
            ("The meeting is at noon", (0, 0, 0)),
            ("The store opens on Monday", (0, 0, 0)),
        ]
    ]
    branch = _fine_tune_top_layer(encoder, rows, epochs=15, learning_rate=1e-4, batch_size=6)
    branch.save(head_file(tmp_path, MINILM_NAME), {"name": model_name(), "version": f"r{RECIPE_VERSION}"})
    # When the embedded backend loads
    sentiment = get_analyzers(
        AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=CATEGORIES)
    ).sentiment
    good, bad = sentiment.analyze(["I love it, what a great day", "I hate this, it is terrible"])
    # Then the branch answered (not VADER, not the rules fallback), and its name says which recipe it is
    # (English goes to the branch; other languages to the USE head, VADER until that is built)
    assert sentiment.model_name == f"{MINILM_NAME}+{model_name()}/vader"
    assert sentiment.model_version.startswith(f"r{RECIPE_VERSION}/") and sentiment.backend == "embedded"
    assert good.label == "positive" and bad.label == "negative"
    assert good.score > 0 > bad.score


def test_soft_labels_are_vote_shares():
    assert soft_labels([2, 0, -1, 1]).tolist() == [0.25, 0.25, 0.5]


def test_web_process_never_imports_torch():
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "import config.wsgi, config.urls, config.asgi;"
        "from django.test import Client; Client().get('/health');"
        "import intelligence.tasks, intelligence.models;"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules);"
        "print('heavy:', heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "heavy: []" in result.stdout


def test_a_batch_trained_in_token_bounded_slices_learns_what_the_whole_batch_teaches(tmp_path_factory):
    import torch
    from transformers import BertModel

    from intelligence.analyzers.torch_models import TextEncoder, _slices

    # Given an encoder without dropout (so both trainings draw nothing at random)
    torch.manual_seed(2)
    folder = tmp_path_factory.mktemp("no-dropout") / "encoder"
    save_tiny(folder, BertModel, num_hidden_layers=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    encoder = TextEncoder(str(folder))
    texts = [("i love this game " * (1 + i % 5)).strip() for i in range(16)]
    targets = np.tile(np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], dtype=np.float32), (8, 1))

    def trained(max_tokens):
        return _fine_tune_top_layer(
            encoder, [], epochs=2, learning_rate=1e-2, batch_size=8, texts=texts, targets=targets, max_tokens=max_tokens
        )

    # When one training takes each batch whole and the other in slices of at most 24 tokens
    assert len(_slices(encoder, sorted(texts, key=len)[-8:], 24)) > 2
    whole, sliced = trained(10**6), trained(24)
    # Then they end with the same weights (the same gradient, summed in another order)
    for a, b in zip(whole.state_dict().values(), sliced.state_dict().values(), strict=True):
        assert torch.allclose(a, b, atol=1e-4)
