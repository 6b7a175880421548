"""``manage.py lookup instagram HANDLE | reddit NAME | subreddit NAME [--json]``."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.teams import memberships
from profiles.access import AccessLimitReached
from scraping import lookup
from scraping.models import Lookup


class Command(BaseCommand):
    help = (
        "Look up a creator or subreddit now, synchronously, the way the API and the pages do: a stored copy "
        "younger than --max-age answers at once, otherwise the profile and latest posts are fetched, stored "
        "and measured (AI, media and comment sentiment are queued). Writes a Lookup row. --json prints a JSON "
        "summary as the last line. Exits non-zero when the lookup failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("platform", choices=sorted(lookup.PLATFORMS), help="Where the handle lives.")
        parser.add_argument("handle", help="A handle, @handle, u/name, r/name or a profile URL.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")
        parser.add_argument("--max-age", type=int, default=None, help="Seconds a stored copy stays fresh enough.")
        parser.add_argument("--user", default="", help="Username the lookup (and its access grant) is for.")

    def handle(self, *args, **options) -> None:
        user = team = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
            mine = memberships(user)  # the team a request of theirs would work in by default
            team = mine[0].team if mine else None
        try:
            row = lookup.request_lookup(
                user, options["platform"], options["handle"], team=team, max_age=options["max_age"], enqueue=False
            )
        except (lookup.BadTarget, AccessLimitReached) as exc:
            raise CommandError(str(exc)) from None
        if row.status == Lookup.Status.QUEUED and row.leader_id is None:
            row = lookup.run(row.pk) or row
        summary = lookup.summary(row)
        state = "stale copy" if row.stale else row.status
        self.stdout.write(
            f"{row.kind} {row.handle}: {state} in {summary['duration_seconds'] or 0:.2f}s, "
            f"{row.api_calls} API calls" + (f" — {row.error_message}" if row.error_message else "")
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary, default=str))
        if row.status == Lookup.Status.FAILED:
            raise CommandError(f"lookup failed: {row.error_code}: {row.error_message}")
