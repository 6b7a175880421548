"""Static assets the admin theme loads on every page (referenced by import path from ``UNFOLD``)."""

from django.http import HttpRequest
from django.templatetags.static import static


def admin_css(request: HttpRequest) -> str:
    return static("css/admin.css")


def chart_js(request: HttpRequest) -> str:
    # Vendored from the chart.js npm package (MIT, static/vendor/chartjs/LICENSE.md): no CDN at run time.
    return static("vendor/chartjs/chart.umd.min.js")


def charts_js(request: HttpRequest) -> str:
    return static("js/charts.js")
