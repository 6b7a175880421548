"""Everything under /api/v1/: the token endpoints (accounts), then each app's endpoints by URL prefix."""

from django.urls import include, path

urlpatterns = [
    path("auth/", include("accounts.api.urls")),
    path("", include("profiles.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("scraping.api.urls")),
    path("", include("monitoring.api.urls")),
]
