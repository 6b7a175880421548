import json as jsonlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intelligence.evaluation import build_reddit_category_set


class Command(BaseCommand):
    help = (
        "Build the embedded backend's trained parts: the sentiment head (fetches the vaderSentiment sdist "
        "with pip once, trains, caches under AI_ARTIFACTS_DIR keyed by recipe version). With "
        "--category-eval DIR also writes var/ai/eval/reddit_categories.csv from the Reddit fixtures in DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even if a cached head exists.")
        parser.add_argument("--category-eval", type=Path, metavar="FIXTURES_DIR")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, force, category_eval, json: bool, **options):
        from intelligence.analyzers import embedded
        from intelligence.analyzers.registry import content_embeddings, reset
        from intelligence.analyzers.sentiment_head import build_head, head_file
        from intelligence.analyzers.training_data import TrainingDataError
        from intelligence.conf import ai_config

        summary: dict = {}
        artifacts = Path(settings.AI_ARTIFACTS_DIR)
        path = head_file(artifacts, embedded.MINILM_NAME)
        cached = path.exists() and not force
        started = time.perf_counter()
        if not cached:
            encoder = content_embeddings(ai_config("embedded")).encoder
            try:
                build_head(artifacts, lambda texts: encoder.encode(texts, batch_size=64), embedded.MINILM_NAME, force)
            except TrainingDataError as exc:
                raise CommandError(str(exc)) from exc
            reset()  # analyzers loaded before the head existed would keep answering with VADER alone
        summary["sentiment_head"] = {
            "path": str(path),
            "cached": cached,
            "seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write(f"sentiment head: {path} ({'cached' if cached else 'built'})")
        if category_eval:
            if not category_eval.is_dir():
                raise CommandError(f"{category_eval}: not a folder")
            out = artifacts / "eval" / "reddit_categories.csv"
            n = build_reddit_category_set(category_eval, out)
            summary["category_eval"] = {"path": str(out), "rows": n}
            self.stdout.write(f"category evaluation set: {out} ({n} rows)")
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
