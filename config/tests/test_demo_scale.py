"""The benchmark data loader: tops up to the requested totals, idempotent, valid rows."""

import json

import pytest
from django.core.management import CommandError, call_command

from posts.models import Post
from profiles.models import Profile

pytestmark = pytest.mark.django_db


def test_demo_scale_tops_up_and_a_second_run_adds_nothing(capsys):
    call_command("demo_scale", "--profiles", "40", "--posts", "300", "--json")
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (first["profiles_created"], first["posts_created"]) == (40, 300)
    call_command("demo_scale", "--profiles", "50", "--posts", "300", "--json")
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["profiles_created"], second["posts_created"], second["profiles_total"]) == (10, 0, 50)
    assert Profile.objects.filter(discovered_via="demo_scale").count() == 50
    assert Post.objects.filter(external_id__startswith="scale-").count() == 300


def test_demo_scale_rows_are_servable(alice, client_for):
    """Handles fit each platform's rules, so every generated report URL answers (not 400)."""
    call_command("demo_scale", "--profiles", "30", "--posts", "0")
    client = client_for(alice)
    for profile in Profile.objects.filter(discovered_via="demo_scale"):
        assert client.get(f"/api/v1/profiles/{profile.platform}/{profile.handle}/").status_code == 200
    # Hidden likes stay unknown, never 0.
    call_command("demo_scale", "--profiles", "30", "--posts", "400")
    assert not Post.objects.filter(likes_hidden=True, likes_count__isnull=False).exists()


def test_demo_scale_rejects_nonsense_totals():
    with pytest.raises(CommandError):
        call_command("demo_scale", "--profiles", "0")
