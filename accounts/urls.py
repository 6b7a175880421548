from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/audit/", views.audit_trail, name="audit"),
]
