"""Playwright in Debian's headless Chromium: staff read the AI scorecard, a regression is marked."""

from __future__ import annotations

import pytest

from intelligence.models import AnalysisBatch, Scorecard
from tests.browser.conftest import sign_in, signable_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VERSIONS = {
    "sentiment": "embedded:vader@3.3.2",
    "language": "embedded:lid.176-lite+langid@3",
    "category": "embedded:all-MiniLM-L6-v2@3",
}


def _result(name: str, task: str, accuracy: float) -> dict:
    return {
        "set": name,
        "task": task,
        "source": f"shared/eval/{name}.csv",
        "n": 100,
        "accuracy": accuracy,
        "macro_f1": accuracy - 0.05,
        "ece": 0.1,
        "language_mean_macro_f1": None,
        "target": {"accuracy": 0.9},
        "met": accuracy >= 0.9,
    }


def test_staff_see_the_scorecard_with_versions_and_a_marked_regression(
    transactional_db, browser_page, live_server, screenshot
):
    # Given two scorecard runs, the later one worse on language, and a model build under way
    signable_user("ops", is_staff=True)
    Scorecard.objects.create(
        backend="embedded",
        model_versions=VERSIONS,
        results=[_result("language_all", "language", 0.95), _result("category_reddit", "category", 0.30)],
    )
    Scorecard.objects.create(
        backend="embedded",
        model_versions=VERSIONS,
        results=[_result("language_all", "language", 0.85), _result("category_reddit", "category", 0.35)],
    )
    AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, requested=820, processed=205)
    page, base = browser_page, live_server.url
    sign_in(page, base, "ops")

    # When staff open the scorecard
    page.goto(f"{base}/ai/scorecard/")
    screenshot(page, "ai-scorecard", full_page=True)

    # Then every set, the model versions and the build's progress show, and the drop is marked
    assert page.locator("#scorecard tbody tr").count() == 2
    assert page.locator("#model-versions").inner_text().count("embedded:") == 3
    assert "step 205 of 820" in page.locator("#model-build").inner_text()
    language = page.locator('tr[data-set="language_all"]')
    assert language.locator("td.cs-bad").count() >= 1 and "(-0.100)" in language.inner_text()
    assert page.locator('tr[data-set="category_reddit"] td.cs-bad').count() == 0
