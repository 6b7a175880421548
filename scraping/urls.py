"""Lookup pages (the API lives under /api/v1/lookups/, see scraping/api/urls.py)."""

from django.urls import path

from scraping import views

app_name = "scraping"

urlpatterns = [
    path("lookups/", views.lookup_form, name="lookup_form"),
    path("lookups/start/", views.lookup_start, name="lookup_start"),
    path("lookups/<int:pk>/", views.lookup_detail, name="lookup"),
    path("lookups/<int:pk>/progress/", views.lookup_progress, name="lookup_progress"),
]
