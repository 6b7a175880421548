import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from intelligence.analyst_training import MIN_DECISIONS_PER_CATEGORY


class Command(BaseCommand):
    help = (
        "Retrain the embedded category model on the written training data plus the analysts' own decisions "
        "(subreddits' primary category, creators' niche naming a category); the decisions' weight is chosen by "
        f"5-fold cross-validation. Needs {MIN_DECISIONS_PER_CATEGORY} decisions in a category before it uses them. "
        "Writes a new model file with a new version and queues the posts the old one categorised for re-analysis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, json: bool, **options):
        from intelligence.analyst_training import NotEnoughDecisions, retrain

        try:
            summary = retrain(echo=self.stdout.write)
        except NotEnoughDecisions as exc:
            raise CommandError(str(exc)) from exc
        if summary.get("busy"):
            raise CommandError("another process is retraining the category model now; try again later")
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
