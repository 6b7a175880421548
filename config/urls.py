"""URL map: pages, admin, the public API under /api/v1/, operations endpoints."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

# One door: the admin's own password form would skip two-factor, so it sends visitors to allauth's.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("monitoring.urls")),
    path("", include("profiles.urls")),
    path("", include("scraping.urls")),
    path("", include("campaigns.urls")),
    path("", include("media.urls")),
    path("", include("accounts.urls")),
    path("", include("intelligence.urls")),
    # allauth: sign-in, two-factor, SSO, e-mail, password reset, sessions (/accounts/...).
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
