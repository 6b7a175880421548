"""``manage.py media fetch URL ...`` and ``manage.py media backfill``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from media.models import RemoteSource
from media.pipeline import backfill, fetch
from media.video import FFmpeg, FFmpegMissing


class Command(BaseCommand):
    help = (
        "Media pipeline for operators. `fetch URL [URL ...]` downloads, checks, compresses and stores the given "
        "URLs synchronously and prints the assets created or reused; `backfill` retries every post photo/video and "
        "profile picture that has no stored asset yet. With --json the last line is a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{fetch,backfill}")
        fetch_parser = sub.add_parser("fetch", help="Run the whole pipeline on the given URLs.")
        fetch_parser.add_argument("urls", nargs="+", metavar="URL")
        fetch_parser.add_argument(
            "--purpose",
            choices=[p.value for p in RemoteSource.Purpose],
            default=RemoteSource.Purpose.POST,
            help="Byte budget to apply to images: post (300 KB) or profile picture (200 KB).",
        )
        fetch_parser.add_argument(
            "--force", action="store_true", help="Retry URLs whose last failure was recorded as permanent."
        )
        fetch_parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")
        backfill_parser = sub.add_parser("backfill", help="Retry media that is missing an asset.")
        backfill_parser.add_argument("--limit", type=int, default=500, help="At most this many items per source.")
        backfill_parser.add_argument(
            "--include-permanent",
            action="store_true",
            help="Also retry failures recorded as permanent (expired links, 404s, invalid files).",
        )
        backfill_parser.add_argument("--json", action="store_true", help="Print a JSON summary as the last line.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fetch":
            self._fetch(options)
        else:
            self._backfill(options)

    def _fetch(self, options: dict[str, Any]) -> None:
        results = [fetch(url, purpose=options["purpose"], force=options["force"]) for url in options["urls"]]
        for result in results:
            if result.ok:
                asset = result.asset
                how = "created" if result.created else f"reused ({result.reused})"
                self.stdout.write(
                    f"{how}: {asset.kind} {asset.sha256[:12]} {asset.file.name} "
                    f"{result.bytes_downloaded or asset.bytes_original} -> {asset.bytes_stored} bytes  {result.url}"
                )
            else:
                kind = "permanent" if result.permanent else "transient"
                self.stderr.write(f"failed ({kind}, {result.error_code}): {result.url}: {result.error}")
        failed = [r for r in results if not r.ok]
        if options["json"]:
            summary = {
                "created": sum(1 for r in results if r.created),
                "reused": sum(1 for r in results if r.ok and not r.created),
                "failed": len(failed),
                "assets": [r.as_dict() for r in results if r.ok],
                "failures": [r.as_dict() for r in failed],
            }
            self.stdout.write(json.dumps(summary, sort_keys=True))
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} URLs failed; see the lines above")

    def _backfill(self, options: dict[str, Any]) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        try:
            FFmpeg.find()
        except FFmpegMissing as exc:
            # Images still work; say so once instead of failing every video with the same line.
            self.stderr.write(f"warning: {exc}; videos will be recorded as transient failures")
        report = backfill(limit=options["limit"], include_permanent=options["include_permanent"])
        totals = {
            key: sum(counts.get(key, 0) for counts in report.values()) for key in ("checked", "fetched", "failed")
        }
        for name, counts in report.items():
            self.stdout.write(
                f"{name}: {counts.get('checked', 0)} checked, {counts.get('fetched', 0)} stored, "
                f"{counts.get('failed', 0)} failed"
            )
        if options["json"]:
            self.stdout.write(json.dumps({**totals, "by_source": report}, sort_keys=True))
