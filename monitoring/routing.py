"""Websocket routes (mounted by config/asgi.py)."""

from django.urls import path

from monitoring.consumers import MonitorConsumer

websocket_urlpatterns: list = [path("ws/monitor/", MonitorConsumer.as_asgi())]
