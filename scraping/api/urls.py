from django.urls import path
from rest_framework.routers import SimpleRouter

from scraping.api import views

router = SimpleRouter()
router.register("ops/scrapers", views.ScraperViewSet, basename="api-scraper")
router.register("ops/scrape-runs", views.ScrapeRunViewSet, basename="api-scrape-run")
router.register("ops/logs", views.SystemLogViewSet, basename="api-system-log")
router.register("lookups", views.LookupViewSet, basename="api-lookup")

urlpatterns = [
    path("ops/stats/", views.DashboardView.as_view(), name="api-ops-stats"),
    path("ops/scrapes/", views.ScrapeRequestView.as_view(), name="api-ops-scrapes"),
    *router.urls,
]
