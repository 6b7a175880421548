"""The scraping tests' fake upstream and settings, for scrapes that raise events."""

from scraping.tests.conftest import fake_upstream, scrape_settings  # noqa: F401 (fixtures)
