from django.urls import path
from rest_framework.routers import SimpleRouter

from watches.api import views

router = SimpleRouter()
router.register("watches", views.WatchViewSet, basename="api-watch")
router.register("inbox", views.InboxViewSet, basename="api-inbox")

urlpatterns = [
    # Before the router: "settings" is not a watch id.
    path("inbox/settings/", views.AlertSettingsView.as_view(), name="api-alert-settings"),
    *router.urls,
]
