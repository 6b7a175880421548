"""The API's token authentication answers as DRF's own class does, with one plain-SQL query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from config.api.authentication import TokenAuthentication, token_statement

pytestmark = pytest.mark.django_db


def test_token_and_user_read_by_the_statement_equal_what_drf_reads(alice, django_assert_num_queries):
    token = Token.objects.create(user=alice)
    expected_user, expected_token = authentication.TokenAuthentication().authenticate_credentials(token.key)
    with django_assert_num_queries(1):
        user, found = TokenAuthentication().authenticate_credentials(token.key)
    assert found.user is user
    for field in Token._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected_token, field.attname), field.name
    for field in type(alice)._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected_user, field.attname), field.name
    assert user.is_authenticated and user.has_usable_password() == expected_user.has_usable_password()


def failure(auth: authentication.TokenAuthentication, key: str) -> str:
    with pytest.raises(AuthenticationFailed) as raised:
        auth.authenticate_credentials(key)
    return str(raised.value.detail)


def test_unknown_tokens_and_inactive_users_fail_with_drfs_messages(alice):
    token = Token.objects.create(user=alice)
    ours, drfs = TokenAuthentication(), authentication.TokenAuthentication()
    assert failure(ours, "0" * 40) == failure(drfs, "0" * 40) == "Invalid token."
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert failure(ours, token.key) == failure(drfs, token.key) == "User inactive or deleted."


def test_every_api_request_with_a_token_authenticates_through_it(alice, api_client):
    token = Token.objects.create(user=alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/auth/me/")
    assert (response.status_code, response.json()["username"]) == (200, "alice")
    statement = token_statement(Token, "default")
    assert [query["sql"].split(" WHERE ")[0] for query in queries] == [statement.sql.split(" WHERE ")[0]]
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "1" * 40)
    assert api_client.get("/api/v1/auth/me/").status_code == 401
