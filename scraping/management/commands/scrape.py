"""``manage.py scrape subreddit NAME | reddit-user NAME | instagram USERNAME [--json]``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scraping import collect


class Command(BaseCommand):
    help = (
        "Scrape one target now, synchronously: a subreddit (about, rules, hot posts), a Reddit user "
        "(about, submissions) or an Instagram creator (profile, posts, reels). Writes a ScrapeRun; media "
        "downloads and AI analysis are queued, not run here. --json prints a JSON summary as the last line. "
        "Exits non-zero when the scrape failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=collect.KINDS, help="What to scrape.")
        parser.add_argument("target", help="Subreddit name (r/ optional), Reddit username or Instagram username.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, **options) -> None:
        try:
            outcome = collect.scrape(options["kind"], options["target"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        summary = outcome.summary()
        self.stdout.write(
            f"{summary['kind']} {summary['target']}: {summary['status']} — {summary['created']} created, "
            f"{summary['updated']} updated, {summary['snapshots']} snapshots, {summary['posts']} posts, "
            f"{summary['api_calls']} API calls in {summary['duration_seconds']}s (run {summary['run_id']})"
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        if not outcome.ok:
            raise CommandError(f"scrape failed: {outcome.error}")
