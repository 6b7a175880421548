"""Account pages under /accounts/ (the API's token endpoints are in accounts/api/)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("accounts/audit/", views.audit_trail, name="audit"),
]
