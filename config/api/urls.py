"""Everything under /api/v1/: the token endpoints, then each app's endpoints by URL prefix."""

from django.urls import include, path

from config.api import auth

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", auth.MeView.as_view(), name="api-auth-me"),
    path("", include("profiles.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("scraping.api.urls")),
    path("", include("monitoring.api.urls")),
]
