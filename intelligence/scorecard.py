"""The AI scorecard: every task on every evaluation set, in one run, stored so regressions show.

``manage.py evaluate_ai all`` runs it and saves a ``Scorecard`` row; the staff page
(``/ai/scorecard/``) shows the latest run next to the one before. Evaluation only: nothing read
here ever trains a model, selects a recipe or sets a threshold.

The sets and where they come from:

| set | task | source |
| --- | --- | --- |
| ``sentiment_en`` | sentiment | ``shared/eval/sentiment_en_dev.csv`` (UMSAB / SemEval-2017 dev, research use; read by path) |
| ``sentiment_multilingual`` | sentiment | ``shared/eval/sentiment_multilingual_dev.csv`` (UMSAB, 8 languages) |
| ``language_clean`` | language | ``shared/eval/language_dev.csv`` without the romanized rows |
| ``language_all`` | language | the same file, romanized Hindi included |
| ``category_reddit`` | category | titles in ``shared/fixtures/reddit`` (PRAW cassettes, BSD-2), labelled by their subreddit's category (``intelligence/eval/reddit_categories.json``) |
| ``category_instagram`` | category | captions in ``shared/fixtures/instagram`` (MIT), labelled by hand (``intelligence/eval/instagram_categories.json``) |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intelligence.analyzers.registry import AnalyzerSet
from intelligence.evaluation import (
    EvaluationError,
    build_instagram_category_set,
    build_reddit_category_set,
    evaluate,
    read_rows_with_language,
)


@dataclass(frozen=True)
class EvalSet:
    name: str
    task: str
    source: str
    # The bar: {"accuracy": 0.8, "macro_f1": 0.7, "language_mean_macro_f1": 0.6}
    target: tuple[tuple[str, float], ...]
    exclude_romanized: bool = False


EVAL_SETS = (
    EvalSet("sentiment_en", "sentiment", "shared/eval/sentiment_en_dev.csv", (("macro_f1", 0.75),)),
    EvalSet(
        "sentiment_multilingual",
        "sentiment",
        "shared/eval/sentiment_multilingual_dev.csv",
        (("language_mean_macro_f1", 0.60),),
    ),
    EvalSet("language_clean", "language", "shared/eval/language_dev.csv", (("accuracy", 0.98),), True),
    EvalSet("language_all", "language", "shared/eval/language_dev.csv", (("accuracy", 0.90),)),
    EvalSet(
        "category_reddit",
        "category",
        "shared/fixtures/reddit (titles, subreddit → category)",
        (("accuracy", 0.80), ("macro_f1", 0.70)),
    ),
    EvalSet(
        "category_instagram",
        "category",
        "shared/fixtures/instagram (captions, labelled by hand)",
        (("accuracy", 0.80), ("macro_f1", 0.70)),
    ),
)


def set_path(eval_set: EvalSet, shared_dir: Path, artifacts_dir: Path) -> Path:
    """The CSV of ``eval_set``; the category sets are (re)built from the fixtures first."""
    if eval_set.name == "category_reddit":
        out = Path(artifacts_dir) / "eval" / "reddit_categories.csv"
        if build_reddit_category_set(Path(shared_dir) / "fixtures" / "reddit", out) == 0:
            raise EvaluationError(f"{shared_dir}/fixtures/reddit: no labelled titles")
        return out
    if eval_set.name == "category_instagram":
        out = Path(artifacts_dir) / "eval" / "instagram_categories.csv"
        if build_instagram_category_set(Path(shared_dir) / "fixtures" / "instagram", out) == 0:
            raise EvaluationError(f"{shared_dir}/fixtures/instagram: no labelled captions")
        return out
    return Path(shared_dir) / "eval" / Path(eval_set.source).name


def run_all(analyzer_set: AnalyzerSet, shared_dir: Path, artifacts_dir: Path) -> list[dict]:
    """Evaluate every set; a set whose files are missing is reported with its error, not skipped silently."""
    results = []
    for eval_set in EVAL_SETS:
        entry: dict = {"set": eval_set.name, "task": eval_set.task, "source": eval_set.source}
        entry["target"] = dict(eval_set.target)
        try:
            rows = read_rows_with_language(
                set_path(eval_set, shared_dir, artifacts_dir), eval_set.task, eval_set.exclude_romanized
            )
        except EvaluationError as exc:
            entry["error"] = str(exc)
            results.append(entry)
            continue
        report = evaluate(
            eval_set.task, [(t, g) for t, g, _ in rows], analyzer_set, [lang for _, _, lang in rows]
        ).as_dict()
        entry.update(report)
        entry["met"] = all((entry.get(metric) or 0) >= bar for metric, bar in eval_set.target)
        results.append(entry)
    return results


def model_versions(analyzer_set: AnalyzerSet) -> dict[str, str]:
    """The version that answers each task now (a rule fallback shows up as such)."""
    return {task: getattr(analyzer_set, task).version_tag for task in ("sentiment", "language", "category")}
