"""Local media files under MEDIA_URL (only when MEDIA_URL is a path on this site)."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import URLPattern, re_path

from media.views import serve

urlpatterns: list[URLPattern] = []
if settings.MEDIA_URL.startswith("/") and not settings.MEDIA_URL.startswith("//"):
    urlpatterns.append(re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve, name="media-file"))
