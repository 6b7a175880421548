"""Pages for signed-in users (the API lives under /api/v1/, see profiles/api/urls.py)."""

from django.urls import path

from profiles import connect, views

app_name = "profiles"

urlpatterns = [
    path("", views.home, name="home"),
    path("creators/", views.creator_search, name="search"),
    path("creators/favorites/", views.favorites, name="favorites"),
    path("creators/bulk/", views.bulk_creators, name="bulk"),
    path("creators/<int:pk>/", views.profile_detail, name="profile"),
    path("creators/<int:pk>/favorite/", views.toggle_favorite, name="favorite"),
    path("creators/<int:pk>/add-to-campaign/", views.add_to_campaign, name="add_to_campaign"),
    # Creator connect (Business Login for Instagram; 404 unless META_APP_ID/SECRET are set).
    path("creators/<int:pk>/connect-instagram/", connect.start, name="instagram_connect"),
    path("connect/instagram/callback/", connect.callback, name="instagram_callback"),
    path("connect/instagram/deauthorize/", connect.deauthorize, name="instagram_deauthorize"),
    path("connect/instagram/data-deletion/", connect.data_deletion, name="instagram_data_deletion"),
    path("connect/instagram/deletion/<str:code>/", connect.deletion_status, name="instagram_deletion"),
    path("communities/review/", views.review_queue, name="review_queue"),
    path("communities/review/decide/", views.review_communities, name="review_communities"),
]
