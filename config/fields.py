"""Model fields shared by every app: text encrypted at rest.

``EncryptedTextField`` stores Fernet tokens (cryptography's authenticated AES-128-CBC + HMAC-SHA256)
and hands Python code the plain text. Keys come from ``FIELD_ENCRYPTION_KEYS`` (newest first, so a
key can be rotated: old rows still decrypt, new writes use the first key); without it one key is
derived from ``SECRET_KEY`` with HKDF, so changing ``SECRET_KEY`` makes stored secrets unreadable —
which is why production sets ``FIELD_ENCRYPTION_KEYS``.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        try:
            return MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: {exc}") from exc
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"creatorscope-field-encryption").derive(
        secret_key.encode()
    )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; an empty string stays empty (nothing to hide)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return fernet().encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            # A key that was rotated away: the secret is unreadable, which callers treat as "none".
            return ""
