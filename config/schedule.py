"""The beat schedule, defined in code.

django-celery-beat's DatabaseScheduler loads these entries into its tables, where staff edit them
in admin. Every entry has ``expires`` a little under its period so a backlog of missed runs never
piles up in the queue (paperless and Saleor do the same). One section per area.
"""

BEAT_SCHEDULE: dict[str, dict] = {}

# --- Scraping ---

# Due targets are picked every 10-15 min in bounded batches (SCRAPING_DUE_BATCH); how often one
# target is refreshed is SCRAPING_*_INTERVAL_HOURS.
BEAT_SCHEDULE["scraping-reap-lookups"] = {
    "task": "scraping.tasks.reap_lookups",
    # Lookups time out after LOOKUP_TIMEOUT (60 s): a minute's tick ends a stuck one within two.
    "schedule": 60.0,
    "options": {"expires": 50},
}
BEAT_SCHEDULE["scraping-refresh-communities"] = {
    "task": "scraping.tasks.refresh_due_communities",
    "schedule": 600.0,
    "options": {"expires": 540},
}
BEAT_SCHEDULE["scraping-refresh-instagram-creators"] = {
    "task": "scraping.tasks.refresh_due_profiles",
    "schedule": 900.0,
    "args": ["instagram"],
    "options": {"expires": 840},
}
BEAT_SCHEDULE["scraping-refresh-reddit-users"] = {
    "task": "scraping.tasks.refresh_due_profiles",
    "schedule": 900.0,
    "args": ["reddit"],
    "options": {"expires": 840},
}
BEAT_SCHEDULE["scraping-discovery"] = {
    "task": "scraping.tasks.discover",
    "schedule": 3600.0,
    "options": {"expires": 3300},
}
BEAT_SCHEDULE["scraping-watchdog"] = {
    "task": "scraping.tasks.watchdog",
    "schedule": 120.0,
    "options": {"expires": 100},
}
# SystemLog retention (MONITORING_LOG_RETENTION_DAYS), nightly.
BEAT_SCHEDULE["scraping-prune-system-logs"] = {
    "task": "scraping.tasks.prune_system_logs",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}

# --- Intelligence ---

# The pending-post backlog every 5 minutes (the task re-queues itself while work remains).
BEAT_SCHEDULE["intelligence-analyze-pending"] = {
    "task": "intelligence.tasks.analyze_pending",
    "schedule": 300.0,
    "options": {"expires": 240},
}
# A killed worker's batch and claimed posts: found within AI_CLAIM_TIMEOUT plus this tick.
BEAT_SCHEDULE["intelligence-reap-batches"] = {
    "task": "intelligence.tasks.reap_batches",
    "schedule": 60.0,
    "options": {"expires": 50},
}
# Aggregates drift as posts age out of the 60-post window: hourly, least recently aggregated first.
BEAT_SCHEDULE["intelligence-reaggregate-profiles"] = {
    "task": "intelligence.tasks.reaggregate_profiles",
    "schedule": 3600.0,
    "options": {"expires": 3300},
}
BEAT_SCHEDULE["intelligence-suggest-tags"] = {
    "task": "intelligence.tasks.suggest_tags",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}
BEAT_SCHEDULE["intelligence-refresh-lookalikes"] = {
    "task": "intelligence.tasks.refresh_lookalikes",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}
# The category model retrained on the analysts' decisions: weekly (skips quietly while there are
# too few; the same decisions give the same model, so a week without new ones changes nothing).
BEAT_SCHEDULE["intelligence-retrain-category-model"] = {
    "task": "intelligence.tasks.retrain_category_model",
    "schedule": 7 * 24 * 3600.0,
    "options": {"expires": 6 * 24 * 3600},
}

# --- Media ---

# Safety net for downloads that failed transiently (CDN hiccups, ffmpeg missing at the time):
# hourly, bounded; ingest enqueues the first attempt itself.
BEAT_SCHEDULE["media-backfill"] = {
    "task": "media.tasks.backfill_missing",
    "schedule": 3600.0,
    "kwargs": {"limit": 200},
    "options": {"expires": 3300},
}

# --- Monitoring ---

from django.conf import settings as _settings  # noqa: E402

BEAT_SCHEDULE["monitoring-evaluate-alerts"] = {
    "task": "monitoring.tasks.evaluate_alerts",
    "schedule": float(_settings.MONITORING_ALERT_INTERVAL),
    "options": {"expires": _settings.MONITORING_ALERT_INTERVAL * 0.8},
}
# Old resolved alerts (MONITORING_ALERT_RETENTION_DAYS), nightly.
BEAT_SCHEDULE["monitoring-prune-alerts"] = {
    "task": "monitoring.tasks.prune_alerts",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}

# --- History (config/partitions.py) ---

# Monthly partitions of snapshots and system logs, PARTITIONS_MONTHS_AHEAD months ahead: daily, so a
# missed run or two never lets a new month's rows fall into the default partition.
BEAT_SCHEDULE["config-ensure-partitions"] = {
    "task": "config.tasks.ensure_partitions",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}
# Snapshots older than SNAPSHOT_ROLLUP_AFTER_DAYS thinned to one per ISO week, nightly (the task
# re-queues itself while old partitions remain).
if _settings.SNAPSHOT_ROLLUP_AFTER_DAYS > 0:
    BEAT_SCHEDULE["profiles-roll-up-snapshots"] = {
        "task": "profiles.tasks.roll_up_snapshots",
        "schedule": 24 * 3600.0,
        "options": {"expires": 23 * 3600},
    }

# --- Accounts ---

# The audit trail is kept forever unless AUDIT_RETENTION_DAYS says otherwise; then pruned nightly.
if _settings.AUDIT_RETENTION_DAYS > 0:
    BEAT_SCHEDULE["accounts-prune-audit-trail"] = {
        "task": "accounts.tasks.prune_audit_trail",
        "schedule": 24 * 3600.0,
        "options": {"expires": 23 * 3600},
    }

# --- Watches ---

# Users' hourly and daily alert digests: every 10 minutes sends the ones that are due
# (watches/delivery.py), so a digest is at most 10 minutes late.
BEAT_SCHEDULE["watches-send-digests"] = {
    "task": "watches.tasks.send_digests",
    "schedule": 600.0,
    "options": {"expires": 540},
}

# --- Audience intelligence ---

# Connected Instagram accounts whose insights read is due (META_SYNC_HOURS apart); hourly pass.
BEAT_SCHEDULE["scraping-sync-audiences"] = {
    "task": "scraping.tasks.sync_due_audiences",
    "schedule": 3600.0,
    "options": {"expires": 3300},
}
# Audience estimates from comments and snapshots (credibility), then peer percentiles: nightly.
BEAT_SCHEDULE["intelligence-estimate-audiences"] = {
    "task": "intelligence.tasks.estimate_audiences",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}
BEAT_SCHEDULE["profiles-compute-benchmarks"] = {
    "task": "profiles.tasks.compute_benchmarks",
    "schedule": 24 * 3600.0,
    "options": {"expires": 23 * 3600},
}
