"""Campaign pages for signed-in users (the API is under /api/v1/campaigns/)."""

from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:pk>/posts/<int:entry_pk>/remove/", views.remove_post, name="remove_post"),
]
