"""manage.py analyze / evaluate_ai: JSON summary as the last line, one-line errors, non-zero exit."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.models import Post
from tests.factories import PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_analyze_pending_prints_a_json_summary():
    PostFactory.create_batch(3, caption="so happy with this #travel trip")
    summary = run("analyze", "--pending", "--backend", "rules", "--json")
    assert summary["mode"] == "pending" and summary["processed"] == 3 and summary["failed"] == 0
    assert summary["backend"] == "rules"
    assert set(Post.objects.values_list("ai_category", flat=True)) == {"travel"}


def test_analyze_profile_reanalyses_one_creators_posts():
    creator = ProfileFactory(handle="chef_ana")
    PostFactory.create_batch(2, author=creator, caption="new pasta recipe #food", ai_status="done")
    other = PostFactory(caption="gym time")
    summary = run("analyze", "--profile", "@Chef_Ana", "--backend", "rules", "--json")
    assert (summary["profile"], summary["posts"], summary["processed"]) == ("chef_ana", 2, 2)
    assert summary["primary_content_type"] == "food"
    other.refresh_from_db()
    assert other.ai_status == "pending"


def test_analyze_unknown_profile_is_a_one_line_error():
    with pytest.raises(CommandError, match="no profile with handle 'nobody'"):
        call_command("analyze", "--profile", "nobody")


def test_evaluate_ai_reports_per_class_scores_and_json(tmp_path):
    csv_path = tmp_path / "lang.csv"
    csv_path.write_text(
        "id,text,lang,romanized\n"
        "1,the cat is on the table and it is not moving,en,0\n"
        "2,el gato es muy bonito y no lo dejo en la casa,es,0\n"
        "3,Привет как дела,ru,0\n"
        "4,mera naam kya hai,hi,1\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command(
        "evaluate_ai", "language", str(csv_path), "--backend", "rules", "--exclude-romanized", "--json", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    report = json.loads(lines[-1])
    assert report["n"] == 3 and report["accuracy"] == 1.0 and report["macro_f1"] == 1.0
    assert report["backend"] == "rules" and report["texts_per_s"] > 0
    assert set(report["per_class"]) == {"en", "es", "ru"}
    assert any(line.startswith("macro-F1") for line in lines)


def test_evaluate_ai_rejects_a_csv_without_the_label_column(tmp_path):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("text,label\nhello,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("evaluate_ai", "sentiment", str(csv_path), "--backend", "rules")
    with pytest.raises(CommandError, match="no such file"):
        call_command("evaluate_ai", "sentiment", str(tmp_path / "absent.csv"), "--backend", "rules")
