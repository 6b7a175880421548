"""Contact details: validation of what an analyst types, and extraction from what a scrape saw.

E-mail addresses are checked with Django's ``EmailValidator`` and stored lower-case; phone numbers
are parsed with ``phonenumbers`` (Google's libphonenumber) and stored in E.164 (``+14155550123``);
a number without a country prefix is read in ``CONTACTS_DEFAULT_REGION``. Extraction order decides
the source kept when the same value appears twice: the platform's own business fields first, then
the bio text, then the profile's links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

# Each platform field that carries a contact, with the kind it holds (Instagram's web and mobile JSON).
PLATFORM_FIELDS = {
    "business_email": "email",
    "public_email": "email",
    "business_phone_number": "phone",
    "contact_phone_number": "phone",
    "public_phone_number": "phone",
}
# Good enough to find candidates in free text; EmailValidator decides.
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_WHATSAPP = re.compile(r"^(?:www\.)?(?:wa\.me|api\.whatsapp\.com)$")
_email_validator = EmailValidator(message="Enter a valid e-mail address.")


@dataclass(frozen=True)
class ContactData:
    """One contact a scrape found: ``kind`` email/phone/link, the normalised ``value``, its ``source``."""

    kind: str
    value: str
    source: str


def normalise_email(value: str) -> str:
    """The address lower-cased; ``ValidationError`` when it is not one."""
    address = (value or "").strip().removeprefix("mailto:").strip().lower()
    _email_validator(address)
    return address


def normalise_phone(value: str, country_code: str = "") -> str:
    """The number in E.164; ``ValidationError`` when it is not a possible, valid number."""
    text = (value or "").strip()
    if country_code and not text.startswith("+"):
        text = f"+{country_code.lstrip('+')} {text}"
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else settings.CONTACTS_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a valid phone number, with its country code (+44 …).") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a valid phone number, with its country code (+44 …).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_link(value: str) -> str:
    url = (value or "").strip()
    URLValidator(schemes=["http", "https"], message="Enter a valid http(s) link.")(url)
    return url


NORMALISERS = {"email": normalise_email, "phone": normalise_phone, "link": normalise_link}


def normalise(kind: str, value: str) -> str:
    """``value`` as stored for ``kind``; ``ValidationError`` with a message for the field otherwise."""
    return NORMALISERS[kind](value)


def _valid(kind: str, value: Any, **extra: str) -> str:
    try:
        return NORMALISERS[kind](str(value), **extra) if value else ""
    except ValidationError:
        return ""


def from_text(text: str) -> list[tuple[str, str]]:
    """(kind, value) of every e-mail address and phone number in free text (a bio)."""
    found = [
        ("email", v) for v in (_valid("email", m.group(0).rstrip(".")) for m in _EMAIL_IN_TEXT.finditer(text)) if v
    ]
    region = settings.CONTACTS_DEFAULT_REGION
    for match in phonenumbers.PhoneNumberMatcher(text or "", region, leniency=phonenumbers.Leniency.VALID):
        found.append(("phone", phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)))
    return found


def from_link(url: str) -> tuple[str, str] | None:
    """A link as a contact: ``mailto:`` is an e-mail, wa.me/<number> a phone, any other http(s) link a link."""
    if url.lower().startswith("mailto:"):
        value = _valid("email", unquote(url[7:].split("?", 1)[0]))
        return ("email", value) if value else None
    parts = urlsplit(url)
    if _WHATSAPP.match((parts.hostname or "").lower()):
        digits = parts.path.strip("/") or dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get(
            "phone", ""
        )
        value = _valid("phone", f"+{digits.lstrip('+')}") if digits else ""
        if value:
            return ("phone", value)
    value = _valid("link", url)
    return ("link", value) if value else None


def extract(fields: Mapping[str, Any], bio: str = "", links: Iterable[str] = ()) -> list[ContactData]:
    """Every contact in a profile's platform fields, bio and links, each value once, first source wins."""
    found: dict[tuple[str, str], ContactData] = {}

    def keep(kind: str, value: str, source: str) -> None:
        if value:
            found.setdefault((kind, value), ContactData(kind, value, source))

    for name, kind in PLATFORM_FIELDS.items():
        extra = {"country_code": str(fields.get("public_phone_country_code") or "")} if kind == "phone" else {}
        keep(kind, _valid(kind, fields.get(name), **extra), name)
    for kind, value in from_text(bio):
        keep(kind, value, "bio")
    for url in links:
        contact = from_link(url)
        if contact:
            keep(*contact, "link")
    return list(found.values())
