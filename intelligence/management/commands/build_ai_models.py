import json as jsonlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intelligence.evaluation import build_reddit_category_set


class Command(BaseCommand):
    help = (
        "Build the embedded backend's trained parts: the category head, the multilingual sentiment head and "
        "the sentiment branch (fetches the vaderSentiment sdist "
        "with pip once, fine-tunes for a few minutes, caches under AI_ARTIFACTS_DIR keyed by recipe version). "
        "With --cv also prints the recipe's cross-validated macro-F1 on the rated tweets (how recipes are "
        "chosen; five trainings, so five times as long). With "
        "--category-eval DIR also writes var/ai/eval/reddit_categories.csv from the Reddit fixtures in DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even if a cached head exists.")
        parser.add_argument(
            "--cv",
            action="store_true",
            help="Cross-validate the sentiment recipe: 5 folds of the rated tweets, macro-F1 (never shared/eval).",
        )
        parser.add_argument("--category-eval", type=Path, metavar="FIXTURES_DIR")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, force, cv, category_eval, json: bool, **options):
        from intelligence.analyzers.sentiment_head import cross_validate, predict, train, training_rows
        from intelligence.analyzers.training_data import TrainingDataError
        from intelligence.conf import content_embeddings
        from intelligence.model_builds import build_models, model_paths, sentiment_head_path

        summary: dict = {}
        artifacts = Path(settings.AI_ARTIFACTS_DIR)
        path = sentiment_head_path()
        cached = all(p.exists() for p in model_paths()) and not force
        started = time.perf_counter()

        encoder = content_embeddings().encoder

        if not cached:
            self.stdout.write(
                "embedded models: not all built yet; training the missing ones once (category head seconds, "
                "multilingual sentiment head a minute or more, sentiment branch a few minutes; cached afterwards)…"
            )
            try:
                outcome = build_models(force, echo=self.stdout.write)
            except TrainingDataError as exc:
                raise CommandError(str(exc)) from exc
            if outcome.get("busy"):
                raise CommandError("another process (the worker?) is building the model now; try again later")
        summary["models"] = [str(p) for p in model_paths()]
        summary["sentiment_head"] = {
            "path": str(path),
            "cached": cached,
            "seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write(f"sentiment head: {path} ({'cached' if cached else 'built'})")
        if cv:
            try:
                rows = training_rows(artifacts)
            except TrainingDataError as exc:
                raise CommandError(str(exc)) from exc
            f1 = cross_validate(rows, lambda fit, score: predict(encoder, train(encoder, fit), [r.text for r in score]))
            summary["sentiment_cv"] = {"held_out": "tweets", "folds": 5, "macro_f1": round(f1, 4)}
            self.stdout.write(f"sentiment recipe, 5-fold cross-validation on the rated tweets: macro-F1 {f1:.4f}")
        if category_eval:
            if not category_eval.is_dir():
                raise CommandError(f"{category_eval}: not a folder")
            out = artifacts / "eval" / "reddit_categories.csv"
            n = build_reddit_category_set(category_eval, out)
            summary["category_eval"] = {"path": str(out), "rows": n}
            self.stdout.write(f"category evaluation set: {out} ({n} rows)")
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
