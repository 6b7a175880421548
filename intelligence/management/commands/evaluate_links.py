import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from intelligence import identity

DEFAULT_SET = Path(__file__).resolve().parents[2] / "eval" / "profile_links" / "pairs.json"


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Precision and recall of ProfileLink suggestions on labelled candidate pairs "
        "(default: intelligence/eval/profile_links/pairs.json), and a cross-validation of weights and threshold. "
        "Loads the pairs' profiles in a transaction that is rolled back: run it on a database without those handles."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")
        parser.add_argument(
            "--decided",
            action="store_true",
            help="Measure on this database's analyst decisions (confirmed and rejected links) instead of a file.",
        )

    def handle(self, *args, path, json, decided, **options):
        unlabelled: list = []
        if decided:
            rows = identity.decided_rows()
            if not rows:
                raise CommandError("no confirmed or rejected profile links in this database yet")
            path = Path("analyst decisions")
        else:
            rows, unlabelled = self._from_file(path)
        self._report(path, rows, unlabelled, json)

    def _from_file(self, path: Path):
        try:
            pairs = json_module.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        if not isinstance(pairs, list) or not pairs:
            raise CommandError(f"{path} holds no pairs (expected a JSON list of {{id, same, reddit, other}})")
        try:
            with transaction.atomic():
                found = identity.pair_evidence(pairs)
                raise _Rollback
        except _Rollback:
            return found
        except (IntegrityError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot load the pairs (a handle already in this database?): {exc}") from exc

    def _report(self, path, rows, unlabelled, json) -> None:
        shipped = identity.precision_recall(rows, identity.WEIGHTS, 0.0)
        per_kind = {}
        for kind in identity.WEIGHTS:
            with_kind = [r["same"] for r in rows if kind in r["kinds"]]
            per_kind[kind] = {"pairs": len(with_kind), "same_person": sum(with_kind)}
        cv = identity.cross_validate_weights(rows)
        positives = sum(r["same"] for r in rows)
        self.stdout.write(f"identity links on {path.name}: {len(rows)} pairs ({positives} same person)")
        self.stdout.write(
            f"shipped (every candidate suggested): precision {shipped['precision']}  recall {shipped['recall']}  "
            f"(tp {shipped['tp']} fp {shipped['fp']} fn {shipped['fn']})"
        )
        self.stdout.write(f"{'evidence':<20}{'weight':>8}{'pairs':>7}{'same':>6}{'measured':>10}")
        measured = identity.measured_weights(rows)
        for kind, c in per_kind.items():
            self.stdout.write(
                f"{kind:<20}{identity.WEIGHTS[kind]:>8.2f}{c['pairs']:>7}{c['same_person']:>6}{measured[kind]:>10.2f}"
            )
        bands = {t: identity.precision_recall(rows, identity.WEIGHTS, t) for t in (0.5, 0.8, 0.85, 0.9, 0.95)}
        self.stdout.write(
            "shipped weights, suggestions at confidence >= t: "
            + "  ".join(f"{t}: P {b['precision']} R {b['recall']}" for t, b in bands.items())
        )
        self.stdout.write("5-fold cross-validation (out-of-fold precision / recall / F1, thresholds per fold):")
        for name, r in cv.items():
            self.stdout.write(f"  {name:<44}{r['precision']:>7}{r['recall']:>7}{r['f1']:>7}  {r['thresholds']}")
        if unlabelled:
            self.stdout.write(f"unlabelled candidates (counted nowhere): {unlabelled}")
        if json:
            summary = {
                "pairs": len(rows),
                "shipped": shipped,
                "per_kind": per_kind,
                "measured_weights": measured,
                "cv": cv,
                "unlabelled": len(unlabelled),
            }
            self.stdout.write(json_module.dumps(summary))
