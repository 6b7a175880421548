from django.urls import include, path

from monitoring import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("", include("django_prometheus.urls")),
]
