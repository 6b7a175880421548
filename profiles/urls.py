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
    path("creators/<int:pk>/contacts/", views.add_contact, name="add_contact"),
    path("lists/", views.list_index, name="lists"),
    path("lists/add/", views.add_to_list, name="add_to_list"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/export.<str:file_format>", views.list_export, name="list_export"),
    # Creator connect (Business Login for Instagram; 404 unless META_APP_ID/SECRET are set).
    path("creators/<int:pk>/connect-instagram/", connect.start, name="instagram_connect"),
    path("connect/instagram/callback/", connect.callback, name="instagram_callback"),
    path("connect/instagram/deauthorize/", connect.deauthorize, name="instagram_deauthorize"),
    path("connect/instagram/data-deletion/", connect.data_deletion, name="instagram_data_deletion"),
    path("connect/instagram/deletion/<str:code>/", connect.deletion_status, name="instagram_deletion"),
    # The same through Facebook Login for Business (Page-linked Instagram business accounts).
    path("creators/<int:pk>/connect-facebook/", connect.start_facebook, name="facebook_connect"),
    path("connect/facebook/callback/", connect.facebook_callback, name="facebook_callback"),
    path("connect/facebook/choose/", connect.facebook_choose, name="facebook_choose"),
    path("connect/facebook/deauthorize/", connect.deauthorize, {"login": "facebook"}, name="facebook_deauthorize"),
    path(
        "connect/facebook/data-deletion/",
        connect.data_deletion,
        {"login": "facebook"},
        name="facebook_data_deletion",
    ),
    path("communities/review/", views.review_queue, name="review_queue"),
    path("communities/review/decide/", views.review_communities, name="review_communities"),
    path(
        "communities/review/suggestions/<int:pk>/decide/",
        views.decide_review_suggestion,
        name="decide_review_suggestion",
    ),
    path("communities/<int:pk>/", views.community_detail, name="community"),
    path("creators/links/<int:pk>/decide/", views.decide_profile_link, name="decide_profile_link"),
]
