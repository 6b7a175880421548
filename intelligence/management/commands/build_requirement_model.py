import json as jsonlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Build the requirement sentence classifier (MiniLM embeddings + a logistic head per kind, seconds; the "
        "worker also builds it on first use). With --cv, print every recipe's grouped 5-fold cross-validation on "
        "the training sentences (intelligence/analyzers/data/requirement_sentences/; never the evaluation set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even if the file exists.")
        parser.add_argument("--cv", action="store_true", help="Cross-validate the recipes on the training sentences.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, force, cv, json: bool, **options):
        if settings.AI_BACKEND != "embedded":
            raise CommandError("the requirement classifier runs on the embedded backend only (AI_BACKEND=embedded)")
        from intelligence.analyzers import requirement_head
        from intelligence.analyzers.embedded import MINILM_NAME
        from intelligence.analyzers.torch_models import encoder_name
        from intelligence.conf import content_embeddings

        embeddings = content_embeddings()
        name = encoder_name(embeddings, MINILM_NAME)
        path = requirement_head.head_file(Path(settings.AI_ARTIFACTS_DIR), name)
        summary: dict = {"path": str(path), "version": requirement_head.model_version()}
        if force or not path.exists():
            requirement_head.build_head(Path(settings.AI_ARTIFACTS_DIR), embeddings, name)
            summary["built"] = True
        self.stdout.write(f"requirement classifier {summary['version']}: {path}")
        if cv:
            results = requirement_head.cross_validate(embeddings)
            self.stdout.write(f"{'recipe':<24}{'threshold':>10}{'precision':>11}{'recall':>8}{'F1':>7}")
            for r in sorted(results, key=lambda r: -r["f1"]):
                recipe = f"C {r['c']:g}, {'balanced' if r['balanced'] else 'unbalanced'}"
                self.stdout.write(
                    f"{recipe:<24}{r['threshold']:>10.2f}{r['precision']:>11.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}"
                )
            summary["cv"] = results
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
