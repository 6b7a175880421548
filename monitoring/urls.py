from django.urls import path

from monitoring import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("ready", views.ReadyView.as_view(), name="ready"),
    path("monitoring/", views.dashboard, name="monitoring-dashboard"),
    # Same name as django-prometheus' own route, behind the token / network check.
    path("metrics", views.metrics, name="prometheus-django-metrics"),
]
