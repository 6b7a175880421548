from django.urls import path
from rest_framework.routers import SimpleRouter

from scraping.api import views

router = SimpleRouter()
router.register("ops/scrapers", views.ScraperViewSet, basename="api-scraper")
router.register("ops/scrape-runs", views.ScrapeRunViewSet, basename="api-scrape-run")
router.register("ops/logs", views.SystemLogViewSet, basename="api-system-log")

urlpatterns = [
    path("ops/stats/", views.DashboardView.as_view(), name="api-ops-stats"),
    *router.urls,
]
