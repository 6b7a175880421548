"""Everything under /api/v1/: each app's endpoints by URL prefix (accounts: /auth/… and /teams/…)."""

from django.urls import include, path

urlpatterns = [
    path("", include("profiles.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("watches.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("scraping.api.urls")),
    path("", include("monitoring.api.urls")),
]
