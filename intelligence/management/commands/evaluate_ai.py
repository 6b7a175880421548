from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intelligence.evaluation import TASKS, EvaluationError, evaluate, read_rows


class Command(BaseCommand):
    help = (
        "Measure an analyzer on a labelled CSV (a `text` column and `label_name` for sentiment, `lang` for "
        "language, `category` for category): per-class precision/recall/F1, macro-F1, accuracy, n, texts/s."
    )

    def add_arguments(self, parser):
        parser.add_argument("task", choices=TASKS)
        parser.add_argument("csv", type=Path)
        parser.add_argument("--backend", choices=("embedded", "transformers", "rules"), help="Default: AI_BACKEND.")
        parser.add_argument(
            "--exclude-romanized", action="store_true", help="Skip rows whose `romanized` column is 1 (language)."
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, task, csv, backend, exclude_romanized, json, **options):
        from intelligence.conf import analyzers

        try:
            rows = read_rows(csv, task, exclude_romanized)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from exc
        report = evaluate(task, rows, analyzers(backend))
        self.stdout.write(f"{task} on {csv} — {report.model_version} (backend {report.backend})")
        self.stdout.write(f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'n':>7}")
        for name, s in report.per_class.items():
            self.stdout.write(f"{name:<16}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>7}")
        self.stdout.write(
            f"macro-F1 {report.macro_f1:.4f}  accuracy {report.accuracy:.4f}  n {report.n}  "
            f"{report.texts_per_s:.1f} texts/s"
        )
        if json:
            self.stdout.write(report.to_json())
