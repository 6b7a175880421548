import json as jsonlib
from dataclasses import asdict

from django.core.management.base import BaseCommand

from config.demo import load_demo
from profiles.models import Profile


class Command(BaseCommand):
    help = "Fill the database with a realistic demo data set (idempotent: a second run adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any profile exists.")
        parser.add_argument("--instagram", type=int, default=240, help="Instagram creators to create.")
        parser.add_argument("--reddit", type=int, default=80, help="Reddit users to create.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, if_empty: bool, instagram: int, reddit: int, json: bool, **options):
        if if_empty and Profile.objects.exists():
            summary = {"status": "skipped", "reason": "database already has profiles"}
        else:
            total = instagram + reddit
            self.stdout.write(f"demo: creating {total} creators with posts, history and pictures (about a minute)…")
            loaded = load_demo(
                instagram_profiles=instagram,
                reddit_profiles=reddit,
                progress=lambda done, total: self.stdout.write(f"demo: {done}/{total} creators"),
            )
            summary = {"status": "ok", **asdict(loaded)}
        message = ", ".join(f"{k}={v}" for k, v in summary.items())
        self.stdout.write(f"demo: {message}")
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True))
