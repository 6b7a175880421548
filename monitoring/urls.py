from django.urls import include, path

from monitoring import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("ready", views.ReadyView.as_view(), name="ready"),
    path("monitoring/", views.dashboard, name="monitoring-dashboard"),
    path("", include("django_prometheus.urls")),
]
