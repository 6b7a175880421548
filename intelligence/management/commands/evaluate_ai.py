import json as jsonlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intelligence.evaluation import TASKS, EvaluationError, evaluate, read_rows_with_language


class Command(BaseCommand):
    help = (
        "Measure an analyzer on a labelled CSV (a `text` column and `label_name` for sentiment, `lang` for "
        "language, `category` for category): per-class precision/recall/F1, macro-F1, accuracy, calibration "
        "error (ECE), n, texts/s. `evaluate_ai all` scores every task on every evaluation set (../shared/eval "
        "and the category sets built from ../shared/fixtures) and saves the scorecard shown at /ai/scorecard/."
    )

    def add_arguments(self, parser):
        parser.add_argument("task", choices=(*TASKS, "all"))
        parser.add_argument("csv", type=Path, nargs="?", help="The labelled CSV (not with `all`).")
        parser.add_argument("--backend", choices=("embedded", "transformers", "rules"), help="Default: AI_BACKEND.")
        parser.add_argument(
            "--exclude-romanized", action="store_true", help="Skip rows whose `romanized` column is 1 (language)."
        )
        parser.add_argument(
            "--shared-dir",
            type=Path,
            default=Path(settings.BASE_DIR).parent / "shared",
            help="With `all`: the folder holding eval/ and fixtures/ (default: ../shared).",
        )
        parser.add_argument("--no-save", action="store_true", help="With `all`: do not store the scorecard.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, task, csv, backend, exclude_romanized, shared_dir, no_save, json, **options):
        from intelligence.conf import analyzers

        if task == "all":
            if csv is not None:
                raise CommandError("`evaluate_ai all` takes no CSV: it reads every evaluation set")
            return self._all(analyzers(backend), shared_dir, not no_save, json)
        if csv is None:
            raise CommandError(f"`evaluate_ai {task}` needs a CSV")
        try:
            rows = read_rows_with_language(csv, task, exclude_romanized)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from exc
        report = evaluate(task, [(t, g) for t, g, _ in rows], analyzers(backend), [lang for _, _, lang in rows])
        self.stdout.write(f"{task} on {csv} — {report.model_version} (backend {report.backend})")
        self.stdout.write(f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'n':>7}")
        for name, s in report.per_class.items():
            self.stdout.write(f"{name:<16}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>7}")
        if report.per_language:
            langs = "  ".join(f"{lang} {f1:.3f}" for lang, f1 in report.per_language.items())
            self.stdout.write(f"macro-F1 by language: {langs}  (mean {report.language_mean_macro_f1:.4f})")
        self.stdout.write(
            f"macro-F1 {report.macro_f1:.4f}  accuracy {report.accuracy:.4f}  ECE {report.ece:.4f}  n {report.n}  "
            f"{report.texts_per_s:.1f} texts/s"
        )
        if json:
            self.stdout.write(report.to_json())

    def _all(self, analyzer_set, shared_dir: Path, save: bool, json: bool) -> None:
        from intelligence.scorecard import model_versions, run_all

        if not shared_dir.is_dir():
            raise CommandError(f"{shared_dir}: not a folder (pass --shared-dir)")
        results = run_all(analyzer_set, shared_dir, Path(settings.AI_ARTIFACTS_DIR))
        versions = model_versions(analyzer_set)
        self.stdout.write(f"backend {analyzer_set.backend}; " + "; ".join(f"{k} {v}" for k, v in versions.items()))
        self.stdout.write(
            f"{'set':<24}{'n':>5}{'accuracy':>10}{'macro-F1':>10}{'lang mean':>10}{'ECE':>8}{'texts/s':>9}  target"
        )
        for r in results:
            if "error" in r:
                self.stdout.write(f"{r['set']:<24}  error: {r['error']}")
                continue
            mean = r.get("language_mean_macro_f1")
            bar = ", ".join(f"{k} ≥ {v}" for k, v in r["target"].items())
            self.stdout.write(
                f"{r['set']:<24}{r['n']:>5}{r['accuracy']:>10.3f}{r['macro_f1']:>10.3f}"
                f"{(f'{mean:.3f}' if mean is not None else '-'):>10}{r['ece']:>8.3f}{r['texts_per_s']:>9.0f}  "
                f"{bar} {'met' if r['met'] else 'NOT met'}"
            )
        summary = {"backend": analyzer_set.backend, "model_versions": versions, "results": results}
        if save:
            from intelligence.models import Scorecard

            card = Scorecard.objects.create(backend=analyzer_set.backend, model_versions=versions, results=results)
            summary["scorecard"] = card.pk
            summary["created_at"] = card.created_at.isoformat()
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
