"""``manage.py scrapers start|stop|status [NAME] [--json]``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from scraping import control
from scraping.models import Scraper


class Command(BaseCommand):
    help = (
        "Start or stop scrapers (workers notice before their next target), or show their status: "
        "enabled, state, heartbeat and current run. NAME defaults to every scraper (reddit, instagram)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["start", "stop", "status"])
        parser.add_argument("name", nargs="?", choices=sorted(control.DEFAULT_SCRAPERS), help="One scraper.")
        parser.add_argument("--json", action="store_true", help="Print the scrapers as JSON on the last line.")

    def handle(self, *args, **options) -> None:
        names = [options["name"]] if options["name"] else sorted(control.DEFAULT_SCRAPERS)
        for name in names:
            if options["action"] == "status":
                control.get_scraper(name)
            else:
                control.set_enabled(name, options["action"] == "start")
        rows = []
        for scraper in Scraper.objects.filter(name__in=names).order_by("name"):
            rows.append(
                {
                    "name": scraper.name,
                    "enabled": scraper.enabled,
                    "status": scraper.status,
                    "heartbeat_at": scraper.heartbeat_at.isoformat() if scraper.heartbeat_at else None,
                    "current_run": scraper.current_run_id,
                }
            )
            self.stdout.write(
                f"{scraper.name}: {'enabled' if scraper.enabled else 'disabled'}, {scraper.status}, "
                f"heartbeat {scraper.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC"
                if scraper.heartbeat_at
                else f"{scraper.name}: {'enabled' if scraper.enabled else 'disabled'}, {scraper.status}, no heartbeat yet"
            )
        if options["json"]:
            self.stdout.write(json.dumps(rows))
