"""Operations endpoints and the monitoring page."""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check import Database, Storage
from health_check.views import HealthCheckView

from accounts.operators import operator_required
from monitoring import collector
from monitoring.checks import Broker, ChannelLayer, UncountedCache


@never_cache
@require_GET
def health(request):
    """Liveness: the process answers. No I/O, so a slow database never makes the web look dead."""
    return JsonResponse({"status": "ok"})


class ReadyView(HealthCheckView):
    """Readiness: database, cache, broker, channel layer and media storage, checked concurrently.

    200 ``{"status": "ok", ...}`` when all pass; 503 with ``failing`` naming each component that
    did not (a load balancer takes the instance out of rotation until it is back).
    """

    checks = (
        ("database", Database),
        ("cache", UncountedCache),
        ("broker", Broker),
        ("channel_layer", ChannelLayer),
        ("storage", Storage),
    )

    def get_checks(self):
        for _name, check in self.checks:
            yield check()

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        report = {}
        for (name, _check), result in zip(self.checks, results, strict=True):
            report[name] = {
                "ok": result.error is None,
                "ms": round(result.time_taken * 1000, 1),
                **({"error": str(result.error)} if result.error else {}),
            }
        failing = [name for name, entry in report.items() if not entry["ok"]]
        return JsonResponse(
            {"status": "unavailable" if failing else "ok", "failing": failing, "checks": report},
            status=503 if failing else 200,
        )


@operator_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """The live monitor: numbers, charts, scraper cards and the system-log tail (filtered by level and source)."""
    from scraping.models import SystemLog

    level = request.GET.get("level", "")
    source = request.GET.get("source", "")
    logs = SystemLog.objects.all()
    if level in SystemLog.Level.values:
        logs = logs.filter(level=level)
    else:
        level = ""
    if source:
        logs = logs.filter(source__startswith=source)
    context = {
        "snapshot": collector.current_snapshot(),
        "logs": logs[:100],
        "levels": SystemLog.Level.choices,
        "sources": SystemLog.objects.order_by().values_list("source", flat=True).distinct()[:50],
        "level": level,
        "source": source,
        "push_interval": settings.MONITORING_PUSH_INTERVAL,
    }
    return render(request, "monitoring/dashboard.html", context)
