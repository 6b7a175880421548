"""Creator connect: Business Login for Instagram, Facebook Login for Business, and the insights Meta documents.

Flow (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login):

1. the creator opens ``authorize_url()`` and grants ``instagram_business_basic`` and
   ``instagram_business_manage_insights``; Meta redirects back with ``code`` and our ``state``;
2. ``exchange_code()`` posts the code to ``{META_OAUTH_BASE_URL}/oauth/access_token`` for a
   short-lived token and the Instagram-scoped user id; ``long_lived()`` swaps it for a 60-day token
   (``grant_type=ig_exchange_token``); ``refresh()`` renews one that is at least 24 hours old and not
   yet expired (``grant_type=ig_refresh_token``);
3. ``demographics()`` reads ``follower_demographics`` / ``engaged_audience_demographics``
   (``period=lifetime``, ``metric_type=total_value``, one ``breakdown`` per call) and ``totals()``
   reads ``reach`` and ``profile_views`` (``period=day``, ``metric_type=total_value``).

The Page-linked path (``FacebookLoginClient``, Instagram API with Facebook Login;
developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/): the
facebook.com dialog with ``config_id`` (Facebook Login for Business) or the scopes below; the code is traded at ``graph.facebook.com/{version}/oauth/access_token`` and the short-lived user token for
a 60-day one (``grant_type=fb_exchange_token``); ``pages()`` reads ``/me/accounts`` with each Page's
token and its ``instagram_business_account``. A Page token fetched with a long-lived user token has
no expiry; the insights calls are the same, on graph.facebook.com.

Every call goes through ``scraping.http.request`` (budget, breaker, retries of transient errors
only); Graph error 190 (expired, revoked, password changed) arrives as ``PermanentError`` with
reason ``unauthorized``. ``parse_signed_request`` checks the HMAC-SHA256 signature Meta puts on the
deauthorize and data-deletion callbacks (developers.facebook.com/docs/development/create-an-app/
app-dashboard/data-deletion-callback).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from config.http import PermanentError
from scraping import http

SCOPES = ("instagram_business_basic", "instagram_business_manage_insights")
FACEBOOK_SCOPES = (
    "instagram_basic",
    "instagram_manage_insights",
    "pages_show_list",
    "pages_read_engagement",
    "business_management",
)
# /me/accounts: each Page with its token and the Instagram business account linked to it.
PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"
DEMOGRAPHIC_METRICS = {"followers": "follower_demographics", "engaged": "engaged_audience_demographics"}
# One call per breakdown; "age,gender" gives the joint table the pyramid needs (and both marginals).
BREAKDOWNS = ("country", "city", "age,gender")
# Meta keeps demographics for this window; engaged audience needs a timeframe too.
TIMEFRAME = "this_month"


class InvalidSignedRequest(ValueError):
    """A callback body that is not signed with our app secret."""


@dataclass(frozen=True)
class Token:
    access_token: str
    user_id: str = ""
    expires_at: datetime | None = None
    permissions: tuple[str, ...] = ()


@dataclass
class Breakdown:
    """Counts per bucket from one breakdown call: keys are tuples of dimension values."""

    dimension_keys: tuple[str, ...]
    counts: dict[tuple[str, ...], float]


@dataclass(frozen=True)
class PageAccount:
    """A Facebook Page the creator manages, and the Instagram business account linked to it (if any)."""

    page_id: str
    page_name: str
    page_token: str
    ig_user_id: str = ""
    ig_username: str = ""


class MetaClient:
    """Token exchange, refresh and insights reads for connected Instagram professional accounts."""

    login = "instagram"
    refreshable = True

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        authorize_base: str,
        oauth_base: str,
        graph_base: str,
        version: str,
        upstream: http.Upstream,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.authorize_base = authorize_base
        self.oauth_base = oauth_base.rstrip("/")
        self.graph_base = graph_base.rstrip("/")
        self.version = version
        self.upstream = upstream

    @classmethod
    def from_settings(cls) -> MetaClient:
        from django.conf import settings

        return cls(
            app_id=settings.META_APP_ID,
            app_secret=settings.META_APP_SECRET,
            authorize_base=settings.META_AUTHORIZE_URL,
            oauth_base=settings.META_OAUTH_BASE_URL,
            graph_base=settings.META_GRAPH_BASE_URL,
            version=settings.META_GRAPH_VERSION,
            upstream=http.Upstream.from_settings("meta-graph", requests_per_minute=settings.META_REQUESTS_PER_MINUTE),
        )

    @staticmethod
    def for_login(login: str) -> MetaClient:
        """The client of the login that granted a connection's token."""
        return FacebookLoginClient.from_settings() if login == "facebook" else MetaClient.from_settings()

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)

    # --- OAuth --------------------------------------------------------------------------------

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = {
            "client_id": self.app_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": ",".join(SCOPES),
            "state": state,
        }
        return f"{self.authorize_base}?{urlencode(query)}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        response = http.request(
            self.upstream,
            "POST",
            f"{self.oauth_base}/oauth/access_token",
            data={
                "client_id": self.app_id,
                "client_secret": self.app_secret,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        body = response.data or {}
        # Current docs wrap the answer in "data": [{...}]; earlier versions returned the object itself.
        if isinstance(body.get("data"), list) and body["data"]:
            body = body["data"][0]
        token = str(body.get("access_token") or "")
        if not token:
            raise PermanentError(
                "no access_token in the code exchange", upstream=self.upstream.name, reason="bad_answer"
            )
        permissions = body.get("permissions") or []
        if isinstance(permissions, str):
            permissions = [p for p in permissions.split(",") if p]
        return Token(token, str(body.get("user_id") or ""), None, tuple(permissions))

    def long_lived(self, short_lived: str) -> Token:
        return self._token_call(
            "access_token",
            {"grant_type": "ig_exchange_token", "client_secret": self.app_secret, "access_token": short_lived},
        )

    def refresh(self, token: str) -> Token:
        return self._token_call("refresh_access_token", {"grant_type": "ig_refresh_token", "access_token": token})

    def _token_call(self, path: str, params: dict[str, str]) -> Token:
        response = http.request(self.upstream, "GET", f"{self.graph_base}/{path}", params=params)
        body = response.data or {}
        token = str(body.get("access_token") or "")
        if not token:
            raise PermanentError(f"no access_token from {path}", upstream=self.upstream.name, reason="bad_answer")
        expires_in = body.get("expires_in")
        expires_at = timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
        return Token(token, "", expires_at)

    # --- insights -----------------------------------------------------------------------------

    def _insights(self, ig_user_id: str, token: str, params: dict[str, str]) -> list[dict[str, Any]]:
        response = http.request(
            self.upstream,
            "GET",
            f"{self.graph_base}/{self.version}/{ig_user_id}/insights",
            params={**params, "access_token": token},
        )
        data = (response.data or {}).get("data")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def demographics(self, ig_user_id: str, token: str, metric: str, breakdown: str) -> Breakdown:
        """Counts per bucket of one demographic metric and breakdown (empty when Meta has none)."""
        items = self._insights(
            ig_user_id,
            token,
            {
                "metric": metric,
                "period": "lifetime",
                "timeframe": TIMEFRAME,
                "metric_type": "total_value",
                "breakdown": breakdown,
            },
        )
        return parse_breakdown(items, metric, tuple(breakdown.split(",")))

    def totals(self, ig_user_id: str, token: str, since: datetime, until: datetime) -> dict[str, int]:
        """``reach`` and ``profile_views`` summed over [since, until)."""
        items = self._insights(
            ig_user_id,
            token,
            {
                "metric": "reach,profile_views",
                "period": "day",
                "metric_type": "total_value",
                "since": str(int(since.timestamp())),
                "until": str(int(until.timestamp())),
            },
        )
        totals: dict[str, int] = {}
        for item in items:
            value = (item.get("total_value") or {}).get("value")
            if isinstance(value, int | float) and item.get("name"):
                totals[str(item["name"])] = int(value)
        return totals


class FacebookLoginClient(MetaClient):
    """Facebook Login for Business: a Page's Instagram business account, read on graph.facebook.com."""

    login = "facebook"
    refreshable = False  # Facebook user tokens are not refreshed; Page tokens from a 60-day one never expire

    def __init__(self, *, config_id: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.config_id = config_id

    @classmethod
    def from_settings(cls) -> FacebookLoginClient:
        from django.conf import settings

        return cls(
            app_id=settings.META_FACEBOOK_APP_ID,
            app_secret=settings.META_FACEBOOK_APP_SECRET,
            config_id=settings.META_LOGIN_CONFIG_ID,
            authorize_base=settings.META_FACEBOOK_DIALOG_URL,
            oauth_base=settings.META_FACEBOOK_GRAPH_URL,
            graph_base=settings.META_FACEBOOK_GRAPH_URL,
            version=settings.META_GRAPH_VERSION,
            upstream=http.Upstream.from_settings("meta-graph", requests_per_minute=settings.META_REQUESTS_PER_MINUTE),
        )

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = {"client_id": self.app_id, "redirect_uri": redirect_uri, "response_type": "code", "state": state}
        if self.config_id:  # Facebook Login for Business: the configuration names the permissions
            query["config_id"] = self.config_id
        else:
            query["scope"] = ",".join(FACEBOOK_SCOPES)
        return f"{self.authorize_base}?{urlencode(query)}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._oauth(
            {"client_id": self.app_id, "client_secret": self.app_secret, "redirect_uri": redirect_uri, "code": code}
        )

    def long_lived(self, short_lived: str) -> Token:
        return self._oauth(
            {
                "grant_type": "fb_exchange_token",
                "client_id": self.app_id,
                "client_secret": self.app_secret,
                "fb_exchange_token": short_lived,
            }
        )

    def refresh(self, token: str) -> Token:
        raise PermanentError(
            "a Facebook login token cannot be refreshed", upstream=self.upstream.name, reason="expired"
        )

    def _oauth(self, params: dict[str, str]) -> Token:
        response = http.request(
            self.upstream, "GET", f"{self.graph_base}/{self.version}/oauth/access_token", params=params
        )
        body = response.data or {}
        token = str(body.get("access_token") or "")
        if not token:
            raise PermanentError(
                "no access_token from oauth/access_token", upstream=self.upstream.name, reason="bad_answer"
            )
        expires_in = body.get("expires_in")
        expires_at = timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None
        return Token(token, "", expires_at)

    def me(self, token: str) -> str:
        """The app-scoped Facebook user id (what the deauthorize and deletion callbacks name)."""
        response = http.request(
            self.upstream, "GET", f"{self.graph_base}/{self.version}/me", params={"fields": "id", "access_token": token}
        )
        return str((response.data or {}).get("id") or "")

    def pages(self, token: str) -> list[PageAccount]:
        """The Pages the user granted, with each Page's token and linked Instagram business account."""
        response = http.request(
            self.upstream,
            "GET",
            f"{self.graph_base}/{self.version}/me/accounts",
            params={"fields": PAGE_FIELDS, "limit": "100", "access_token": token},
        )
        data = (response.data or {}).get("data")
        pages = []
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            instagram = item.get("instagram_business_account") or {}
            pages.append(
                PageAccount(
                    page_id=str(item["id"]),
                    page_name=str(item.get("name") or ""),
                    page_token=str(item.get("access_token") or ""),
                    ig_user_id=str(instagram.get("id") or "") if isinstance(instagram, dict) else "",
                    ig_username=str(instagram.get("username") or "") if isinstance(instagram, dict) else "",
                )
            )
        return pages


def parse_breakdown(items: list[dict[str, Any]], metric: str, wanted: tuple[str, ...]) -> Breakdown:
    """Read ``total_value.breakdowns[].results[]`` of ``metric``, keeping only the ``wanted`` dimensions.

    Some answers carry extra leading keys (e.g. ``timeframe``): the values are picked by key name.
    """
    counts: dict[tuple[str, ...], float] = {}
    for item in items:
        if item.get("name") != metric:
            continue
        for breakdown in (item.get("total_value") or {}).get("breakdowns") or []:
            keys = list(breakdown.get("dimension_keys") or [])
            if not all(key in keys for key in wanted):
                raise PermanentError(
                    f"{metric}: expected dimensions {wanted}, got {keys}", upstream="meta-graph", reason="bad_answer"
                )
            for result in breakdown.get("results") or []:
                values = result.get("dimension_values") or []
                value = result.get("value")
                if len(values) != len(keys) or not isinstance(value, int | float):
                    raise PermanentError(
                        f"{metric}: malformed result {result!r}", upstream="meta-graph", reason="bad_answer"
                    )
                bucket = tuple(str(values[keys.index(key)]) for key in wanted)
                counts[bucket] = counts.get(bucket, 0) + value
    return Breakdown(wanted, counts)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parse_signed_request(signed_request: str, app_secret: str) -> dict[str, Any]:
    """The payload of Meta's ``signed_request`` after checking its HMAC-SHA256 signature."""
    try:
        encoded_sig, payload = signed_request.split(".", 1)
        signature = _b64decode(encoded_sig)
        data = json.loads(_b64decode(payload))
    except (ValueError, TypeError) as exc:
        raise InvalidSignedRequest("malformed signed_request") from exc
    expected = hmac.new(app_secret.encode(), payload.encode(), hashlib.sha256).digest()
    if not app_secret or not hmac.compare_digest(signature, expected):
        raise InvalidSignedRequest("bad signature")
    if not isinstance(data, dict) or str(data.get("algorithm", "")).upper() != "HMAC-SHA256":
        raise InvalidSignedRequest("unexpected algorithm")
    return data


def sign_request(payload: dict[str, Any], app_secret: str) -> str:
    """What Meta sends (used by the tests and the fake upstream to play Meta's side)."""
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    signature = hmac.new(app_secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(signature).rstrip(b"=").decode() + "." + body
