"""The scorecard (`evaluate_ai all`, the staff page), calibration error, romanized Hindi, model builds."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from intelligence.analyzers.base import AIConfig
from intelligence.analyzers.registry import get_analyzers
from intelligence.analyzers.rules import RuleLanguageAnalyzer, romanized_hindi
from intelligence.evaluation import build_instagram_category_set, expected_calibration_error
from intelligence.model_builds import LOCK_KEY, LOCK_SECONDS, Progress, build_models
from intelligence.models import AnalysisBatch, Scorecard
from intelligence.scorecard import EVAL_SETS

from .conftest import CATEGORIES

SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_romanized_hindi_is_told_from_latin_script_languages():
    assert romanized_hindi("yeh movie bahut acchi hai yaar") > 0.5
    assert romanized_hindi("kya baat hai, mujhe nahi pata") > 0.5
    # One shared spelling is not enough: Italian "hai", English and Spanish stay what they are
    assert romanized_hindi("hai ragione, è proprio vero") == 0
    assert romanized_hindi("the new game is out today and it is great") == 0
    assert romanized_hindi("hoy es un gran día para ir a la playa") == 0
    assert romanized_hindi("यह बहुत अच्छा है") == 0  # Devanagari is the script rule's job


def test_rule_language_analyzer_answers_hindi_for_hinglish():
    result = RuleLanguageAnalyzer().analyze(["aaj ka match bahut accha tha, kya baat hai"])[0]
    assert result.code == "hi" and result.confidence > 0.5


def test_calibration_error_is_the_gap_between_confidence_and_accuracy():
    # Shown at 90 % and right 9 times in 10: calibrated
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0, abs=1e-9)
    # Shown at 99 % and right half the time: off by 0.49
    assert expected_calibration_error([0.99] * 4, [True, False, True, False]) == pytest.approx(0.49)
    assert expected_calibration_error([], []) == 0.0


@pytest.mark.skipif(not (SHARED / "fixtures" / "instagram").is_dir(), reason="needs ../shared/fixtures")
def test_instagram_category_set_reads_captions_of_every_fixture_shape(tmp_path):
    out = tmp_path / "ig.csv"
    n = build_instagram_category_set(SHARED / "fixtures" / "instagram", out)
    text = out.read_text(encoding="utf-8")
    labels = json.loads((Path(__file__).parents[1] / "eval" / "instagram_categories.json").read_text())
    assert n == sum(len(codes) for key, codes in labels.items() if key != "_about")
    assert "Bw7jACTn3tC" in text  # the Apify README shape (shortCode, caption string)
    assert "CPh1nbwFYIT" in text  # the mobile reels shape (code, caption.text)
    assert "B7KT3V6l4ao" in text  # the GraphQL timeline shape (shortcode, edge_media_to_caption)


def _shared_copy(tmp_path: Path) -> Path:
    """A shared/ folder with tiny eval CSVs and the real fixtures (never the real eval files)."""
    root = tmp_path / "shared"
    (root / "eval").mkdir(parents=True)
    (root / "eval" / "sentiment_en_dev.csv").write_text(
        "id,text,label,label_name\n1,I love it so much,2,positive\n2,This is awful and I hate it,0,negative\n"
        "3,The store opens at noon,1,neutral\n",
        encoding="utf-8",
    )
    (root / "eval" / "sentiment_multilingual_dev.csv").write_text(
        "id,text,label,label_name,lang\n1,I love it,2,positive,en\n2,Odio esto es terrible,0,negative,es\n"
        "3,Je suis content,2,positive,fr\n",
        encoding="utf-8",
    )
    (root / "eval" / "language_dev.csv").write_text(
        "id,text,lang,script,romanized\n1,the cat is on the table and it is not moving,en,Latn,0\n"
        "2,el gato es muy bonito y no lo dejo en la casa,es,Latn,0\n3,yeh film bahut acchi hai yaar,hi,Latn,1\n",
        encoding="utf-8",
    )
    (root / "fixtures").symlink_to(SHARED / "fixtures")
    return root


@pytest.mark.django_db
@pytest.mark.skipif(not (SHARED / "fixtures").is_dir(), reason="needs ../shared/fixtures")
def test_evaluate_ai_all_scores_every_set_and_the_staff_page_shows_it(tmp_path, settings, client, bob):
    settings.AI_ARTIFACTS_DIR = str(tmp_path / "ai")
    shared = _shared_copy(tmp_path)
    out = StringIO()
    call_command("evaluate_ai", "all", "--backend", "rules", "--shared-dir", str(shared), "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    by_set = {r["set"]: r for r in summary["results"]}
    assert set(by_set) == {s.name for s in EVAL_SETS}
    assert all("error" not in r for r in by_set.values())
    assert by_set["language_all"]["n"] == 3 and by_set["language_clean"]["n"] == 2
    assert by_set["language_all"]["accuracy"] == 1.0  # the romanized Hindi row included
    assert set(by_set["sentiment_multilingual"]["per_language"]) == {"en", "es", "fr"}
    assert by_set["category_reddit"]["n"] > 100 and by_set["category_instagram"]["n"] > 20
    assert all(0 <= r["ece"] <= 1 for r in by_set.values())
    assert summary["model_versions"]["language"].startswith("rules:")
    card = Scorecard.objects.get(pk=summary["scorecard"])
    assert card.backend == "rules" and len(card.results) == len(EVAL_SETS)

    # The staff page shows every set, the model versions and the date
    client.force_login(bob)
    page = client.get("/ai/scorecard/")
    assert page.status_code == 200
    body = page.content.decode()
    for eval_set in EVAL_SETS:
        assert f'data-set="{eval_set.name}"' in body
    assert card.model_versions["category"] in body
    assert card.created_at.strftime("%Y-%m-%d") in body


@pytest.mark.django_db
def test_evaluate_ai_all_refuses_a_csv_and_a_missing_shared_folder(tmp_path):
    with pytest.raises(CommandError, match="takes no CSV"):
        call_command("evaluate_ai", "all", str(tmp_path / "x.csv"), "--backend", "rules")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("evaluate_ai", "all", "--backend", "rules", "--shared-dir", str(tmp_path / "absent"))
    with pytest.raises(CommandError, match="needs a CSV"):
        call_command("evaluate_ai", "sentiment", "--backend", "rules")


@pytest.mark.django_db
def test_scorecard_page_without_a_run_says_how_to_make_one(client, bob):
    client.force_login(bob)
    assert "evaluate_ai all" in client.get("/ai/scorecard/").content.decode()


@pytest.mark.django_db
def test_model_build_progress_lands_on_its_batch_row():
    batch = AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, backend="embedded")
    lines: list[str] = []
    progress = Progress(batch, lines.append)
    progress(1, 400)
    progress(2, 400)  # within a few seconds of the last report: not written
    progress(400, 400)  # the last step always is
    batch.refresh_from_db()
    assert (batch.requested, batch.processed) == (400, 400)
    assert lines[0].startswith("sentiment model: training step 1/400") and "400/400 (100 %)" in lines[-1]
    assert len(lines) == 2


@pytest.mark.django_db
def test_a_second_build_while_one_runs_does_nothing(tmp_path, settings):
    settings.AI_ARTIFACTS_DIR = str(tmp_path)
    cache.set(LOCK_KEY, "another worker", 60)
    try:
        outcome = build_models()
        assert outcome["busy"] is True and outcome["built"] is False
        assert not AnalysisBatch.objects.filter(kind=AnalysisBatch.Kind.MODELS).exists()
    finally:
        cache.delete(LOCK_KEY)


@pytest.mark.django_db
def test_the_build_lock_is_a_lease_its_progress_renews():
    """A killed build stops renewing, so its lock runs out within LOCK_SECONDS (it used to hold for 2 h)."""
    batch = AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, backend="embedded")
    cache.set(LOCK_KEY, "this build", 30)
    try:
        Progress(batch, what="sentiment model", lease="another build")(1, 10)
        assert cache.ttl(LOCK_KEY) <= 30  # not ours: left alone
        Progress(batch, what="sentiment model", lease="this build")(2, 10)
        assert 30 < cache.ttl(LOCK_KEY) <= LOCK_SECONDS
    finally:
        cache.delete(LOCK_KEY)


def test_registry_loads_anew_once_the_awaited_model_lands(tmp_path, fresh_registry):
    from intelligence.analyzers.embedded import MINILM_NAME
    from intelligence.analyzers.sentiment_head import head_file

    config = AIConfig(backend="embedded", artifacts_dir=str(tmp_path), categories=CATEGORIES)
    before = get_analyzers(config)
    assert before.sentiment.model_name == "vader"
    assert get_analyzers(config) is before  # nothing landed: the same set
    # When the model file appears (here: a copy of a branch saved by the build)
    branch_path = head_file(tmp_path, MINILM_NAME)
    encoder = before.category.primary.embeddings.encoder
    from intelligence.analyzers.sentiment_head import HEAD_LABELS, RECIPE_VERSION, model_name
    from intelligence.analyzers.torch_models import SentimentBranch

    SentimentBranch.from_encoder(encoder, 1, HEAD_LABELS).save(
        branch_path, {"name": model_name(), "version": f"r{RECIPE_VERSION}"}
    )
    after = get_analyzers(config)
    # Then the next call loads it, and the version posts carry changes (so they are re-analysed)
    assert after is not before
    assert after.sentiment.model_name.startswith(f"{MINILM_NAME}+{model_name()}")
    assert after.model_version != before.model_version


def test_no_tag_suggestion_shows_near_certain():
    from intelligence.suggestions import MAX_TAG_CONFIDENCE, cosine_to_confidence

    assert cosine_to_confidence(0.95) == MAX_TAG_CONFIDENCE < 0.95
    assert cosine_to_confidence(0.0) < 0.01


def test_low_confidence_labels_are_marked_uncertain(settings):
    from config.templatetags.creatorscope import uncertain

    settings.AI_UNCERTAIN_BELOW = 0.6
    assert uncertain(0.41) and not uncertain(0.6) and not uncertain(None)


def test_a_content_category_has_its_own_uncertain_threshold(settings):
    from config.templatetags.creatorscope import uncertain

    settings.AI_UNCERTAIN_BELOW = 0.6
    settings.AI_CATEGORY_UNCERTAIN_BELOW = 0.48
    assert uncertain(0.5) and not uncertain(0.5, "category") and uncertain(0.4, "category")
