"""The monitoring page in headless Chromium: served by daphne (ASGI), numbers and events arrive live."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import Client

from monitoring import metrics, store
from monitoring.events import publish
from monitoring.tests.conftest import free_port
from scraping.models import Scraper
from tests.workers import wait_for, worker_database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def asgi_server(tmp_path):
    """daphne serving config.asgi (HTTP + websockets) against the test database on a spare port."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": worker_database_url(),
        "DJANGO_DEBUG": "1",  # static files straight from the apps, no collectstatic needed
        "MONITORING_PUSH_INTERVAL": "0.5",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = (tmp_path / "daphne.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("daphne")), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "daphne.log").read_text()[-3000:])
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:  # daphne waits for open websockets to close
            process.kill()
            process.wait(10)
        log.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium (scripts/install-system-packages.sh)")
def test_monitoring_page_shows_live_numbers_and_events(bob, asgi_server):
    from playwright.sync_api import expect, sync_playwright

    scraper = Scraper.objects.create(name="reddit-hot", upstream="reddit", status="idle")
    client = Client()
    client.force_login(bob)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}])
        page = context.new_page()
        page.goto(f"{asgi_server}/monitoring/")
        expect(page.locator("#connection")).to_have_text("live (websocket)", timeout=15_000)
        api_calls = page.locator('dd[data-metric="api.calls_today"]')
        expect(api_calls).to_have_text("0")

        # When a worker somewhere records upstream calls, the number on the page follows
        metrics.API_CALLS.labels(upstream="reddit", status="200").inc(12)
        store.flush()
        expect(api_calls).to_have_text("12", timeout=10_000)

        # And a pushed event shows up in the live list
        publish("scrape_run.started", {"id": 1, "target": "r/browsertest"})
        expect(page.locator("#events li").first).to_contain_text("r/browsertest", timeout=10_000)

        # The charts were drawn with Chart.js (vendored), one point per metrics message
        # Polled with evaluate (run by the devtools protocol): wait_for_function evaluates its string
        # inside the page, which the Content-Security-Policy refuses (no 'unsafe-eval' on pages).
        assert wait_for(lambda: page.evaluate("Chart.getChart('chart-requests').data.labels.length") >= 3, timeout=10)

        # Stopping a scraper from its card goes through the operations API and shows at once
        card = page.locator(f'[data-scraper="{scraper.pk}"]')
        card.get_by_role("button", name="Stop").click()
        expect(card.locator('[data-field="status"]')).to_have_text("stopped", timeout=10_000)
        expect(card.get_by_role("button", name="Start")).to_be_visible()
        browser.close()
    # (after the browser: Playwright's sync API runs an event loop, where Django refuses queries)
    scraper.refresh_from_db()
    assert scraper.enabled is False
