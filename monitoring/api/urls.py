from django.urls import path

from monitoring.api import views

urlpatterns = [path("streaming/metrics", views.metrics_stream, name="streaming-metrics")]
