"""Campaign pages for signed-in users (the API is under /api/v1/campaigns/)."""

from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_update, name="update"),
    path("campaigns/<int:pk>/creators/<int:entry_pk>/", views.entry_update, name="entry"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="export"),
]
