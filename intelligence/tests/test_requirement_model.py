"""The AI pass of requirement extraction (issue 21): training data kept apart from the evaluation set,
how model items merge with the parser's, and the real MiniLM head in the worker task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings

from intelligence import requirements, tasks
from intelligence.analyzers import requirement_head
from profiles.models import CommunityRequirements
from tests.factories import CommunityFactory

EVAL_SET = Path(requirements.__file__).parent / "eval" / "subreddit_rules" / "rules_eval.json"


class Scripted:
    """A classifier answering from a table (the merge rules, without loading MiniLM)."""

    version = "scripted-1"

    def __init__(self, table: dict[str, dict[str, float]]) -> None:
        self.table = table

    @property
    def name(self) -> str:
        return f"model {self.version}"

    def predict(self, sentences):
        return [self.table.get(s, {}) for s in sentences]


def rules(*texts: str) -> list[dict[str, str]]:
    return [{"short_name": f"Rule {i}", "description": text} for i, text in enumerate(texts, 1)]


def test_training_sentences_are_labelled_and_apart_from_the_evaluation_set():
    rows = requirement_head.load_sentences()
    assert len(rows) >= 300
    kinds = {kind for row in rows for kind in row.kinds}
    assert kinds == set(requirement_head.KINDS)  # every kind has examples
    assert sum(not row.kinds for row in rows) >= 80  # and many sentences state nothing
    cases = json.loads(EVAL_SET.read_text())
    assert not {row.source for row in rows} & {case["id"] for case in cases}
    eval_text = " ".join(
        f"{r.get('short_name', '')} {r.get('description', '')}" for case in cases for r in case["rules"]
    ).lower()
    assert not [row.text for row in rows if len(row.text) > 25 and row.text.lower() in eval_text]


def test_model_adds_what_the_patterns_miss_with_its_source_and_confidence():
    text = "Keep your shop and pricing off this sub."
    assert requirements.extract(rules(text)).known() == {}
    got = requirements.extract(rules(text), classifier=Scripted({text: {"no_selling": 0.88}}))
    assert got.known() == {"selling_allowed": False}
    [item] = got.evidence
    assert item.as_dict() == {
        "field": "selling_allowed",
        "value": False,
        "source": "rules",
        "rule": "Rule 1",
        "quote": text,
        "by": "model scripted-1",
        "confidence": 0.88,
    }
    assert got.version == f"{requirements.VERSION}+scripted-1"


def test_model_confirms_the_parser_and_never_overrides_it():
    agree = "No selling."
    disagree = "Sellers are welcome."
    got = requirements.extract(
        rules(agree, disagree), classifier=Scripted({agree: {"no_selling": 0.9}, disagree: {"no_selling": 0.7}})
    )
    assert got.values["selling_allowed"] is False  # the parser's "no wins" rule, as without the model
    confirmed = [e for e in got.evidence if e.confirmed_by]
    assert [(e.quote, e.by, e.confidence) for e in confirmed] == [("No selling.", "parser", 0.9)]
    assert all(e.by == "parser" for e in got.evidence)


def test_model_never_invents_numbers():
    text = "Low-karma accounts cannot post here."
    got = requirements.extract(rules(text), classifier=Scripted({text: {"karma_minimum": 0.95}}))
    assert got.known() == {} and got.evidence == []
    numbered = "You need 100 karma to post."
    got = requirements.extract(rules(numbered), classifier=Scripted({numbered: {"karma_minimum": 0.9}}))
    assert got.known() == {"min_total_karma": 100}
    assert got.evidence[0].confirmed_by == "model scripted-1"


def test_a_failing_model_leaves_the_parser_alone():
    class Broken(Scripted):
        def predict(self, sentences):
            raise RuntimeError("out of memory")

    got = requirements.extract(rules("No selling."), classifier=Broken({}))
    assert got.known() == {"selling_allowed": False} and got.version == requirements.VERSION


def test_title_and_post_type_items_from_the_model():
    title, images = "Say where it was taken, up front.", "Photos of your pet, nothing else."
    got = requirements.extract(
        rules(title, images), classifier=Scripted({title: {"title_rule": 0.8}, images: {"images_only": 0.7}})
    )
    assert got.known() == {"title_rules": [title], "allowed_post_types": ["image"]}


@pytest.mark.django_db
def test_worker_task_runs_the_real_model_and_the_parser_answers_alone_without_it(tmp_path):
    community = CommunityFactory(
        rules=[
            {"short_name": "Shops", "description": "Keep your shop and pricing off this sub."},
            {
                "short_name": "Identity",
                "description": "You have to confirm your identity with the mods before you post.",
            },
            {"short_name": "Karma", "description": "You need 50 comment karma to post."},
        ]
    )
    with override_settings(AI_BACKEND="embedded", AI_ARTIFACTS_DIR=str(tmp_path), AI_TORCH_THREADS=1):
        tasks.assess_communities([community.pk])  # the task body, as the worker runs it
    row = CommunityRequirements.objects.get(community=community)
    assert row.extractor_version.startswith(f"{requirements.VERSION}+req-head-r{requirement_head.RECIPE_VERSION}")
    by_field = {e["field"]: e for e in row.evidence}
    assert row.selling_allowed is False and by_field["selling_allowed"]["by"].startswith("model req-head")
    assert row.verification_required is True and by_field["verification_required"]["confidence"] >= 0.6
    assert row.min_comment_karma == 50 and by_field["min_comment_karma"]["by"] == "parser"
    assert list(tmp_path.glob("requirement-head-*.npz"))  # built on first use
    suggestion = community.review_suggestions.get(status="pending")
    assert suggestion.suggested_status == "no_seller"
    assert suggestion.signals[0]["signal"].startswith("selling_allowed: no (AI ")

    with override_settings(REQUIREMENTS_AI=False):
        tasks.assess_communities([community.pk])
    row.refresh_from_db()
    assert row.extractor_version == requirements.VERSION
    assert row.selling_allowed is None and row.min_comment_karma == 50
