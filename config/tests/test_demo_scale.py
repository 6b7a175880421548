"""The benchmark data loader: tops up to the requested totals, resumes after an interruption, refuses
databases it must not touch, and writes valid rows."""

import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config.management.commands import demo_scale
from posts.models import Post
from profiles.models import Community, CommunitySnapshot, Profile, ProfileSnapshot

# Transactional, as a real run is: each chunk commits (its deferred foreign-key checks with it) before
# the indexes are rebuilt, and the load ends with a VACUUM, which cannot run inside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

# `make test` runs against the default test database, which the command refuses unless told.
OK = ["--allow-default-db"]
TINY = ["--profiles", "40", "--communities", "12", "--posts", "300"]
TINY += ["--profile-snapshots", "900", "--community-snapshots", "200"]
TINY_TOTALS = {"profiles": 40, "communities": 12, "posts": 300, "profile_snapshots": 900, "community_snapshots": 200}


def run(capsys, *args) -> dict:
    call_command("demo_scale", *args, *OK, "--json")
    output = capsys.readouterr().out.strip().splitlines()
    return {**json.loads(output[-1]), "lines": output}


def totals() -> dict[str, int]:
    return {
        "profiles": Profile.objects.filter(discovered_via="demo_scale").count(),
        "communities": Community.objects.filter(discovered_via="demo_scale").count(),
        "posts": Post.objects.filter(external_id__startswith="scale-").count(),
        "profile_snapshots": ProfileSnapshot.objects.count(),
        "community_snapshots": CommunitySnapshot.objects.count(),
    }


def test_demo_scale_tops_up_and_a_second_run_adds_nothing(capsys):
    first = run(capsys, "--profiles", "40", "--posts", "300")
    assert (first["profiles_created"], first["posts_created"]) == (40, 300)
    # Counts not given are 0 when --size is not named: the benches' calls load only what they ask.
    assert first["communities_total"] == first["profile_snapshots_total"] == 0
    second = run(capsys, "--profiles", "50", "--posts", "300")
    assert (second["profiles_created"], second["posts_created"], second["profiles_total"]) == (10, 0, 50)
    assert Profile.objects.filter(discovered_via="demo_scale").count() == 50
    assert Post.objects.filter(external_id__startswith="scale-").count() == 300


def test_demo_scale_loads_every_stage_with_realistic_shapes(capsys):
    summary = run(capsys, *TINY, "--reddit-share", "0.5")
    assert totals() == TINY_TOTALS
    assert summary["profile_snapshots_created"] == 900
    # Progress: rows, rate and ETA (every few seconds, and once when a snapshot stage ends).
    assert any(line.startswith("  profile_snapshots: 900/900 rows, ") and "ETA" in line for line in summary["lines"])
    assert set(summary["posts_cpu_s"]) == {"loader", "database"}  # CPU of the loader and its backend, per stage
    reddit = Profile.objects.filter(platform="reddit")
    assert reddit.exists() and not reddit.filter(total_karma__isnull=True).exists()
    # COPY leaves the generated search document to the database: every bio ("... creator from <city>") is found.
    assert Profile.objects.search("creator").count() == 40
    assert not reddit.filter(followers_count__isnull=False).exists()
    # Reddit posts sit in generated subreddits; Instagram posts in none.
    assert not Post.objects.filter(platform="reddit", community__isnull=True).exists()
    assert not Post.objects.filter(platform="instagram", community__isnull=False).exists()
    assert not Post.objects.filter(likes_hidden=True, likes_count__isnull=False).exists()
    # Bursty and long-tailed: some creators post far more than the mean.
    per_author = Counter(Post.objects.values_list("author_id", flat=True))
    assert max(per_author.values()) > 2 * 300 / 40
    # Spread in time: no pile of posts on one instant (the admin's newest-first list walks ties).
    assert max(Counter(Post.objects.values_list("posted_at", flat=True)).values()) <= 3
    # Snapshot history: daily points per owner, at most one a day, never in the future.
    per_day = Counter(ProfileSnapshot.objects.values_list("profile_id", "captured_at__date"))
    assert max(per_day.values()) == 1
    assert not CommunitySnapshot.objects.filter(subscribers__lt=0).exists()


def test_demo_scale_size_preset_and_overrides():
    command = demo_scale.Command()
    assert command.targets("tenth", {})["profile_snapshots"] == 6_000_000
    assert command.targets(None, {}) == demo_scale.SIZES["full"]
    assert command.targets("tenth", {"posts": 5})["posts"] == 5


@pytest.mark.parametrize("fail_on_call", [1, 3, 6])
def test_demo_scale_resumes_where_an_interrupted_run_stopped(capsys, monkeypatch, fail_on_call):
    """Killed mid-stage (here: the n-th COPY fails), the next run completes the same totals exactly."""
    monkeypatch.setattr(demo_scale, "CHUNK_ROWS", 70)
    monkeypatch.setattr(demo_scale, "OWNER_BATCH", 7)
    real_load_lines, calls = demo_scale.Loader.load_lines, []

    def interrupted(self, columns, lines, progress=None):
        calls.append(1)
        if len(calls) == fail_on_call:
            raise KeyboardInterrupt
        return real_load_lines(self, columns, lines, progress)

    monkeypatch.setattr(demo_scale.Loader, "load_lines", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("demo_scale", *TINY, *OK, "--drop-indexes-from", "0")
    monkeypatch.setattr(demo_scale.Loader, "load_lines", real_load_lines)
    run(capsys, *TINY, "--drop-indexes-from", "0")
    assert totals() == TINY_TOTALS
    external_ids = set(Post.objects.values_list("external_id", flat=True))
    assert external_ids == {f"scale-{n}" for n in range(300)}


def _secondary_indexes(table: str) -> dict[str, tuple]:
    """Each index of ``table``: definition, valid, and whether every partition of the table carries it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid), x.indisvalid,
                   (SELECT count(*) FROM pg_inherits h WHERE h.inhparent = i.oid)
                   = (SELECT count(*) FROM pg_inherits h WHERE h.inhparent = t.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace
            """,
            [table],
        )
        return {name: rest for name, *rest in cursor.fetchall()}


def test_demo_scale_rebuilds_dropped_indexes_exactly(capsys):
    before = {m._meta.db_table: _secondary_indexes(m._meta.db_table) for m in demo_scale.STAGE_MODELS.values()}
    output = run(capsys, *TINY, "--drop-indexes-from", "0")
    assert output["posts_created"] == 300
    after = {m._meta.db_table: _secondary_indexes(m._meta.db_table) for m in demo_scale.STAGE_MODELS.values()}
    assert after == before
    assert "post_hashtags_trgm" in after["posts_post"]  # a RunSQL-made index comes back too
    assert all(valid and on_every_partition for i in after.values() for _, valid, on_every_partition in i.values())


def test_demo_scale_refuses_a_database_with_real_data(capsys):
    Profile.objects.create(platform="instagram", handle="real.person")
    with pytest.raises(CommandError, match="holds 1 creators/subreddits it did not generate"):
        call_command("demo_scale", *TINY, *OK)
    assert not Post.objects.exists()
    run(capsys, "--profiles", "5", "--force")
    assert Profile.objects.count() == 6


# Not transactional: it loads nothing, and the flush after a transactional test would connect to the
# database name patched in here.
@pytest.mark.django_db
@pytest.mark.parametrize("name", ["creatorscope", "test_creatorscope"])
def test_demo_scale_refuses_the_default_databases(monkeypatch, name):
    monkeypatch.setitem(connection.settings_dict, "NAME", name)
    with pytest.raises(CommandError, match=f"refusing the development/test default database '{name}'"):
        call_command("demo_scale", "--profiles", "5")
    assert not Profile.objects.exists()


def test_demo_scale_refusal_is_one_line_and_non_zero_exit():
    """Through manage.py, as a person runs it: exit status 1, one line on stderr."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/creatorscope"}
    done = subprocess.run(
        [sys.executable, "manage.py", "demo_scale", "--size", "thousandth"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: demo_scale: refusing the development/test default database 'creatorscope'; "
        "point DATABASE_URL at a database of its own (e.g. .../cs_bench) or pass --allow-default-db"
    ]


def test_demo_scale_rows_are_servable(alice, client_for):
    """Handles fit each platform's rules, so every generated report URL answers (not 400)."""
    call_command("demo_scale", "--profiles", "30", "--posts", "0", *OK)
    client = client_for(alice)
    for profile in Profile.objects.filter(discovered_via="demo_scale"):
        assert client.get(f"/api/v1/profiles/{profile.platform}/{profile.handle}/").status_code == 200


def test_demo_scale_rejects_nonsense_totals():
    with pytest.raises(CommandError):
        call_command("demo_scale", "--profiles", "0", "--posts", "5", *OK)
    with pytest.raises(CommandError):
        call_command("demo_scale", "--communities", "0", "--community-snapshots", "5", *OK)
