import json as jsonlib
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run the AI pipeline synchronously: --pending drains the pending-post backlog (posts of an older "
        "model version included); --profile HANDLE re-analyses one creator's posts and refreshes their "
        "aggregates, lookalikes and tag suggestions."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--pending", action="store_true", help="Analyse every pending post.")
        target.add_argument("--profile", metavar="HANDLE", help="A creator's handle (any platform).")
        parser.add_argument("--platform", choices=("instagram", "reddit"), help="With --profile, when ambiguous.")
        parser.add_argument("--backend", choices=("embedded", "transformers", "rules"), help="Default: AI_BACKEND.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args, pending, profile, platform, backend, json, **options):
        from intelligence.jobs import analyze_profile
        from intelligence.pipeline import run_pending
        from profiles.models import Profile

        started = time.perf_counter()
        if pending:
            batches = run_pending(backend=backend)
            processed = sum(b.processed for b in batches)
            failed = sum(b.failed for b in batches)
            summary = {
                "mode": "pending",
                "batches": [b.pk for b in batches],
                "processed": processed,
                "failed": failed,
                "backend": batches[0].backend if batches else backend or "",
                "model_version": batches[0].model_version if batches else "",
            }
            self.stdout.write(f"analysed {processed} posts in {len(batches)} batches ({failed} failed)")
        else:
            profiles = Profile.objects.filter(handle__iexact=profile.lstrip("@"))
            if platform:
                profiles = profiles.filter(platform=platform)
            found = list(profiles[:2])
            if not found:
                raise CommandError(f"no profile with handle {profile!r}")
            if len(found) > 1:
                raise CommandError(f"handle {profile!r} exists on several platforms; pass --platform")
            summary = {"mode": "profile", **analyze_profile(found[0].pk, backend=backend)}
            self.stdout.write(
                f"@{summary['profile']}: {summary['processed']}/{summary['posts']} posts, "
                f"primary {summary['primary_content_type'] or '-'}, quality {summary['content_quality_score']}"
            )
        seconds = time.perf_counter() - started
        summary["seconds"] = round(seconds, 2)
        if json:
            self.stdout.write(jsonlib.dumps(summary, sort_keys=True, default=str))
