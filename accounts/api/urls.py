"""/api/v1/auth/…: the token endpoints."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("tokens", views.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="api-auth-token"),
    path("me/", views.MeView.as_view(), name="api-auth-me"),
    *router.urls,
]
