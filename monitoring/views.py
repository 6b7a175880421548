"""Operations endpoints and the monitoring page."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
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


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition (django-prometheus) for a scraper with the token or on an allowed network.

    Anyone else gets 403: the counters name queues, upstreams and error rates.
    """
    if not _metrics_allowed(request):
        response = HttpResponse("Forbidden: /metrics needs METRICS_TOKEN or METRICS_ALLOWED_NETWORKS.\n", status=403)
        if settings.METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)


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
