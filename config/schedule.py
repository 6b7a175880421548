"""The beat schedule, defined in code.

django-celery-beat's DatabaseScheduler loads these entries into its tables, where staff edit them
in admin. Every entry has ``expires`` a little under its period so a backlog of missed runs never
piles up in the queue (paperless and Saleor do the same). One section per area.
"""


BEAT_SCHEDULE: dict[str, dict] = {}

# --- Scraping ---

# --- Intelligence ---

# --- Media ---

# --- Monitoring ---
