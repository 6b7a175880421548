import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intelligence.requirements import score

DEFAULT_SET = Path(__file__).resolve().parents[2] / "eval" / "subreddit_rules" / "rules_eval.json"


class Command(BaseCommand):
    help = (
        "Precision and recall of the posting-requirement extraction on hand-labelled subreddit rules "
        "(default: intelligence/eval/subreddit_rules/rules_eval.json, kept apart from tuning)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
        parser.add_argument("--misses", action="store_true", help="List every wrong or missed item.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")
        parser.add_argument(
            "--no-ai",
            action="store_true",
            help="The patterns alone (what the web process and the other backends get), without the MiniLM pass.",
        )

    def handle(self, *args, path, misses, json, no_ai, **options):
        try:
            cases = json_module.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        if not isinstance(cases, list) or not cases:
            raise CommandError(f"{path} holds no cases (expected a JSON list of {{rules, labels}})")
        classifier = None
        if not no_ai:
            from intelligence.conf import requirement_classifier

            classifier = requirement_classifier()
            if classifier is None:
                raise CommandError(
                    "the requirement model is not available (AI_BACKEND must be embedded, REQUIREMENTS_AI on; "
                    "see the log); use --no-ai for the patterns alone"
                )
        report = score(cases, classifier)
        self.stdout.write(
            f"requirement extraction ({report['extractor_version']}) on {path.name}: {report['cases']} cases"
        )
        self.stdout.write(f"{'field':<24}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
        for name, c in report["per_field"].items():
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
            r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
            self.stdout.write(f"{name:<24}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}{p:>11.3f}{r:>8.3f}")
        self.stdout.write(
            f"micro precision {report['precision']}  recall {report['recall']}  "
            f"labelled items {report['items_labelled']}"
        )
        if misses:
            for miss in report["misses"]:
                self.stdout.write(
                    f"  {miss['case']}: {miss['field']} extracted={miss['extracted']} labelled={miss['labelled']}"
                )
        if json:
            self.stdout.write(json_module.dumps({k: v for k, v in report.items() if k != "misses"}))
