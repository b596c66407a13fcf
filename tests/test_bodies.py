"""Strict bodies on the JSON endpoints: content type, size, nesting, field types; lengths before normalising."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from hypothesis import strategies as st

import rix_auth
from rix_auth import bodies
from rix_auth.emails import canonical_email
from rix_auth.error import AuthErrorCode
from rix_auth.http import HttpErrorCode
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db
CREDENTIALS = {"email": EMAIL, "password": PASSWORD}
BODY_ENDPOINTS = ("/auth/register/", "/auth/login/")


def send(client: Client, path: str, body: bytes | str, content_type: str = "application/json") -> Any:
    return client.generic("POST", path, body, content_type=content_type, CONTENT_TYPE=content_type)  # even if empty


def answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def nested(depth: int) -> str:
    """A body whose deepest value sits ``depth`` brackets down (the object itself is one)."""
    return json.dumps(CREDENTIALS)[:-1] + ', "meta": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=BoUnDaRy",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
        "application/vnd.api+json",
        "",
    ],
)
def test_anything_but_json_in_utf8_is_refused_with_415_and_registers_nobody(client: Client, content_type: str) -> None:
    for path in BODY_ENDPOINTS:
        response = send(client, path, json.dumps(CREDENTIALS), content_type)
        assert answer(response) == (415, "unsupported_media_type"), path
        assert "application/json" in response.json()["error"]["message"]
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8",
     'application/json; charset="utf-8"'],
)  # fmt: skip
def test_json_in_utf8_is_accepted_whatever_the_case_of_the_header(client: Client, content_type: str) -> None:
    assert send(client, "/auth/register/", json.dumps(CREDENTIALS), content_type).status_code == 201


def test_a_body_over_16_kib_is_refused_with_413(client: Client) -> None:
    body = json.dumps({**CREDENTIALS, "padding": "x" * bodies.MAX_BODY_BYTES})
    for path in BODY_ENDPOINTS:
        assert answer(send(client, path, body)) == (413, "request_too_large")


def test_a_body_of_exactly_16_kib_is_read(client: Client) -> None:
    short = json.dumps({**CREDENTIALS, "padding": ""})
    body = json.dumps({**CREDENTIALS, "padding": "x" * (bodies.MAX_BODY_BYTES - len(short))})
    assert len(body.encode()) == bodies.MAX_BODY_BYTES
    assert send(client, "/auth/register/", body).status_code == 201


def test_a_body_without_a_content_length_is_still_read_only_to_the_limit() -> None:
    """As an ASGI server may pass a chunked body: the read itself stops one byte past the limit."""
    request = RequestFactory().generic("POST", "/auth/login/", b"{" + b" " * 2 * bodies.MAX_BODY_BYTES + b"}",
                                       content_type="application/json")  # fmt: skip
    del request.META["CONTENT_LENGTH"]
    with pytest.raises(bodies.Refused) as refused:
        bodies.json_object(request)
    assert refused.value.response.status_code == 413


def test_a_2_kb_body_nested_1000_deep_is_400_not_a_500(client: Client) -> None:
    body = '{"email": ' + "[" * 1000 + "]" * 1000 + "}"
    assert len(body) < 2100
    for path in BODY_ENDPOINTS:
        response = send(client, path, body)
        assert answer(response) == (400, "invalid_input")
        assert response.json()["error"]["message"] == bodies.TOO_DEEP


def test_nesting_is_allowed_to_the_limit_and_refused_one_level_beyond(client: Client) -> None:
    assert send(client, "/auth/register/", nested(bodies.MAX_DEPTH)).status_code == 201
    too_deep = send(client, "/auth/login/", nested(bodies.MAX_DEPTH + 1))
    assert answer(too_deep) == (400, "invalid_input") and too_deep.json()["error"]["message"] == bodies.TOO_DEEP


def test_brackets_and_escaped_quotes_inside_strings_are_not_nesting(client: Client) -> None:
    password = '[{"\\' * 20
    assert send(client, "/auth/register/", json.dumps({"email": EMAIL, "password": password})).status_code == 201
    assert send(client, "/auth/login/", json.dumps({"email": EMAIL, "password": password})).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"email": "grace@example.com", "password": "caf\xe9-password"}', bodies.NOT_UTF8),
        (json.dumps(CREDENTIALS).encode("utf-16"), bodies.NOT_UTF8),
        (b'{"email": "grace@example.com", "password": "lone-\\ud800-surrogate"}', bodies.BAD_BODY),
        (b'{"email": "grace@example.com", "password": "correct-password", "n": NaN}', bodies.BAD_BODY),
        (b"not json", bodies.BAD_BODY),
        (b"", bodies.BAD_BODY),
        (b"[1, 2]", bodies.BAD_BODY),
        (b'"grace@example.com"', bodies.BAD_BODY),
        (b"null", bodies.BAD_BODY),
    ],
)
def test_bodies_that_are_not_a_json_object_in_utf8_are_400(client: Client, body: bytes, message: str) -> None:
    for path in BODY_ENDPOINTS:
        response = send(client, path, body)
        assert answer(response) == (400, "invalid_input"), path
        assert response.json()["error"]["message"] == message
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": 5, "password": PASSWORD}, "email"),
        ({"email": [EMAIL], "password": PASSWORD}, "email"),
        ({"email": EMAIL}, "password"),
        ({"email": EMAIL, "password": None}, "password"),
        ({"email": EMAIL, "password": {"value": PASSWORD}}, "password"),
        ({**CREDENTIALS, "cookie": "true"}, "cookie"),
        ({**CREDENTIALS, "cookie": 1}, "cookie"),
        ({**CREDENTIALS, "cookie": None}, "cookie"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_400_that_names_it(
    client: Client, registered: object, body: dict[str, Any], field: str
) -> None:
    for path in BODY_ENDPOINTS:
        response = send(client, path, json.dumps(body))
        assert answer(response) == (400, "invalid_input"), path
        assert response.json()["error"]["message"].startswith(f"{field} must be ")


def test_unknown_fields_are_ignored(client: Client) -> None:
    assert send(client, "/auth/register/", json.dumps({**CREDENTIALS, "name": "Grace"})).status_code == 201


@pytest.mark.parametrize("operation", ["register_user", "login"])
def test_a_2_4_mb_email_is_invalid_input_before_any_normalising(operation: str) -> None:
    auth = rix_auth.database()
    email = "a" * 2_400_000 + "@example.com"
    with mock.patch("rix_auth.service.canonical_email", wraps=canonical_email) as normalise:
        result = getattr(auth, operation)(email, PASSWORD)
        assert result.error is not None and result.error.code is AuthErrorCode.INVALID_INPUT
        normalise.assert_not_called()
        getattr(auth, operation)(EMAIL, PASSWORD)
        normalise.assert_called()  # the mock does watch the calls that happen


def test_a_login_email_with_a_nul_character_is_invalid_input_not_a_store_error(
    client: Client, registered: object
) -> None:
    """PostgreSQL refuses NUL in text, which made the lookup fail as if the store were down."""
    body = json.dumps({"email": "gr\x00ace@example.com", "password": PASSWORD})
    assert answer(send(client, "/auth/login/", body)) == (400, "invalid_input")


def test_an_email_padded_with_spaces_within_the_bound_is_still_trimmed_and_accepted() -> None:
    auth = rix_auth.database()
    padded = " " * 500 + EMAIL.upper() + " " * 400
    assert auth.register_user(padded, PASSWORD).value.email == EMAIL
    assert auth.login(padded, PASSWORD).ok


# No input makes a 500: a property test over methods, bodies, content types, headers and cookies.

ENDPOINTS = {
    "/auth/csrf/": "GET", "/auth/register/": "POST", "/auth/login/": "POST", "/auth/session/": "GET",
    "/auth/refresh/": "POST", "/auth/logout/": "POST", "/auth/logout-all/": "POST", "/auth/sessions/": "GET",
    "/auth/sessions/{own}/revoke/": "POST", "/auth/sessions/0123456789abcdef/revoke/": "POST",
    "/auth/sessions/not%20a%20handle/revoke/": "POST", "/auth/reauthenticate/": "POST",
}  # fmt: skip
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NEEDS_SESSION = {path for path in ENDPOINTS if path.startswith("/auth/sessions") or path in (
    "/auth/session/", "/auth/refresh/", "/auth/logout-all/", "/auth/reauthenticate/")}  # fmt: skip
CODES = {code.value for code in AuthErrorCode} | {code.value for code in HttpErrorCode}
VALID, DEAD = "{valid}", "{dead}"  # stand-ins for this example's live session id and a logged-out one

header_text = st.text(st.characters(max_codepoint=0xFF), max_size=60)  # servers decode header bytes as Latin-1
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "email": st.sampled_from([EMAIL, EMAIL.upper(), "nobody@example.com", "gr\x00ace@example.com"])
        | st.emails()
        | json_values,
        "password": st.sampled_from([PASSWORD, "wrong-password"]) | json_values,
        "cookie": json_values,
    },
)
request_bodies = st.one_of(
    st.sampled_from([CREDENTIALS, {**CREDENTIALS, "cookie": True}]).map(lambda body: json.dumps(body).encode()),
    fields.map(lambda body: json.dumps(body).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.text(max_size=80).map(str.encode),
    st.binary(max_size=80),
    st.sampled_from([
        b'{"email": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        json.dumps({**CREDENTIALS, "padding": "x" * bodies.MAX_BODY_BYTES}).encode(),
        json.dumps(CREDENTIALS).encode("utf-16"),
        b'{"email": "grace@example.com", "password": "\\udfff\\ud800-password"}',
        b'{"email": "gr\\u0000ace@example.com", "password": "correct-password\\u0000"}',
        b'{"email": "grace@example.com", "password": "correct-password", "x": Infinity}',
    ]),
)  # fmt: skip
content_types = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "APPLICATION/JSON;CHARSET=UTF-8",
]) | st.sampled_from([
    "application/json; charset=utf-16", "text/plain", "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRyStRiNg", "multipart/form-data",
]) | header_text  # fmt: skip
ids = st.sampled_from([VALID, DEAD, "session_" + "A" * 43, ""]) | header_text
schemes = st.sampled_from(["Bearer", "bearer", "Basic", "Token", ""])
authorizations = st.none() | st.just(f"Bearer {VALID}") | st.tuples(schemes, ids).map(" ".join)
cookies = st.none() | st.just(VALID) | ids


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    path = draw(st.sampled_from(list(ENDPOINTS)))
    return {
        "method": draw(st.sampled_from([ENDPOINTS[path]] * 2 * len(METHODS) + METHODS)),  # mostly the right one
        "path": path,
        "body": draw(request_bodies),
        "content_type": draw(content_types),
        "authorization": draw(authorizations),
        "cookie": draw(cookies),
        "csrf": draw(st.booleans()),
    }


def test_no_input_makes_a_500_every_error_has_the_json_shape_and_only_a_live_id_authenticates() -> None:
    """The store is up throughout, so even a 503 ``store_error`` would be a bug here."""
    auth = rix_auth.get_auth()
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    dead = auth.login(EMAIL, PASSWORD).value.session
    assert auth.logout(dead.id).ok

    @hypothesis.settings(max_examples=200, deadline=None, database=None,
                         suppress_health_check=[hypothesis.HealthCheck.too_slow])  # fmt: skip
    @hypothesis.given(requests())
    def check(sent: dict[str, Any]) -> None:
        live = auth.start_session(user_id).value.session
        real = {VALID: live.id, DEAD: dead.id}

        def resolve(value: str) -> str:
            return value.replace(VALID, real[VALID]).replace(DEAD, real[DEAD])

        client = Client(enforce_csrf_checks=True)
        headers = {}
        if sent["csrf"]:
            headers["X-CSRFToken"] = client.get("/auth/csrf/").json()["csrf_token"]
        if sent["authorization"] is not None:
            headers["Authorization"] = resolve(sent["authorization"])
        if sent["cookie"] is not None:
            client.cookies["rix_session"] = resolve(sent["cookie"])
        path = sent["path"].replace("{own}", live.public_id)
        response = client.generic(sent["method"], path, sent["body"], content_type=sent["content_type"],
                                  headers=headers, CONTENT_TYPE=sent["content_type"])  # fmt: skip

        assert response.status_code < 500, response.content
        assert response["Content-Type"] == "application/json"
        answer = response.json()
        if response.status_code >= 400:
            assert list(answer) == ["error"] and sorted(answer["error"]) == ["code", "message"], answer
            assert answer["error"]["code"] in CODES and answer["error"]["message"], answer
        elif sent["path"] == "/auth/login/":  # only the right password opens a session
            assert json.loads(sent["body"])["password"] == PASSWORD, sent
        elif sent["path"] in NEEDS_SESSION:  # only the live id, in the header or the cookie, authenticates
            assert live.id in headers.get("Authorization", "") + resolve(sent["cookie"] or ""), sent
            assert answer.get("user_id", user_id) == user_id
            if sent["path"] == "/auth/reauthenticate/":  # and only the right password re-authenticates
                assert json.loads(sent["body"])["password"] == PASSWORD, sent

    check()
