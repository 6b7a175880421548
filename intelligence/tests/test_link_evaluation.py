"""Measuring identity links (issue 21): the labelled pairs, the command, analysts' decisions as labels."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intelligence import identity
from profiles.models import Profile, ProfileLink

pytestmark = pytest.mark.django_db


def test_a_profile_url_is_not_also_read_as_a_mention():
    assert identity.named_accounts("PT, programs on instagram.com/dana.core.fit") == [
        ("instagram", "dana.core.fit", "instagram.com/dana.core.fit")
    ]


def test_evaluate_links_measures_the_labelled_pairs_and_leaves_nothing_behind():
    out = StringIO()
    call_command("evaluate_links", "--json", stdout=out)
    summary = json.loads(out.getvalue().splitlines()[-1])
    assert summary["pairs"] == 48 and summary["unlabelled"] == 0
    shipped = summary["shipped"]
    assert shipped["tp"] + shipped["fn"] == 27  # every true pair counted once
    assert 0 < shipped["precision"] <= 1 and shipped["recall"] >= 0.85
    assert set(summary["cv"]) == {
        "shipped weights, every candidate suggested",
        "shipped weights, threshold by CV",
        "measured weights, threshold by CV",
    }
    assert not Profile.objects.exists()  # rolled back


def test_decided_links_are_the_labels_of_the_decided_mode():
    reddit = Profile.objects.create(platform="reddit", handle="decided_user")
    for handle, status, kind in [
        ("same.one", "confirmed", "named_on_reddit"),
        ("other.one", "rejected", "same_handle"),
    ]:
        ProfileLink.objects.create(
            profile=reddit,
            platform="instagram",
            handle=handle,
            confidence=0.5,
            status=status,
            evidence=[{"kind": kind, "text": handle, "where": "x"}],
        )
    assert sorted((r["same"], r["kinds"][0]) for r in identity.decided_rows()) == [
        (False, "same_handle"),
        (True, "named_on_reddit"),
    ]
    out = StringIO()
    call_command("evaluate_links", "--decided", stdout=out)
    assert "precision 0.5  recall 1.0" in out.getvalue()


def test_evaluate_links_bad_input_is_one_line(tmp_path):
    empty = tmp_path / "pairs.json"
    empty.write_text("[]")
    with pytest.raises(CommandError, match="holds no pairs"):
        call_command("evaluate_links", str(empty))
    with pytest.raises(CommandError, match="no confirmed or rejected"):
        call_command("evaluate_links", "--decided")
