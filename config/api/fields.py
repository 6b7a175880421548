"""Serializer bases shared by every app's API: links are http(s) or empty, in and out."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.links import is_web_url, safe_url

WEB_URL_SCHEMA = {
    "type": "string",
    "pattern": r"^(https?://\S+)?$",
    "description": "An http(s) URL, or empty when unknown.",
    "example": "https://www.instagram.com/p/C0ffee/",
}


@extend_schema_field(WEB_URL_SCHEMA)
class WebURLField(serializers.CharField):
    """A link from outside: answered only when http(s) (config/links.py), accepted only as http(s).

    A value stored before the ingest rule, or by hand, is answered as "" so no API client renders
    a ``javascript:`` link; the schema says exactly that (no ``format: uri``, which "" would break).
    """

    def to_representation(self, value) -> str:
        return safe_url(value)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if value and not is_web_url(value):
            raise serializers.ValidationError("Enter an http or https URL.")
        return value


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with model URL fields served as ``WebURLField``."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.URLField: WebURLField}
