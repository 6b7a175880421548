"""The AI scorecard page (staff): the latest ``evaluate_ai all`` run next to the one before.

It reads stored ``Scorecard`` rows only: no model is loaded and torch is never imported here.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from intelligence.models import AnalysisBatch, Scorecard

METRICS = ("accuracy", "macro_f1", "language_mean_macro_f1", "ece")


@staff_member_required
@never_cache
def scorecard(request: HttpRequest) -> HttpResponse:
    cards = list(Scorecard.objects.all()[:2])
    latest, previous = (cards + [None, None])[:2]
    before = {r["set"]: r for r in previous.results} if previous else {}
    rows = []
    for result in latest.results if latest else []:
        old = before.get(result["set"], {})
        cells = []
        for metric in METRICS:
            value, was = result.get(metric), old.get(metric)
            change = round(value - was, 4) if isinstance(value, float) and isinstance(was, float) else None
            # ECE: lower is better; every other figure: higher is better.
            worse = change is not None and (change > 0.005 if metric == "ece" else change < -0.005)
            cells.append({"metric": metric, "value": value, "change": change, "worse": worse})
        rows.append({"result": result, "cells": cells})
    build = AnalysisBatch.objects.filter(kind=AnalysisBatch.Kind.MODELS).first()
    context = {"latest": latest, "previous": previous, "rows": rows, "metrics": METRICS, "build": build}
    return render(request, "intelligence/scorecard.html", context)
