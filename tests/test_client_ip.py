"""What a new session records about its client: the address, believing X-Forwarded-For only
from ``RIX_AUTH["TRUSTED_PROXIES"]``, and the user agent without control characters."""

from __future__ import annotations

import ipaddress
import sys
import unicodedata
from typing import Any

import pytest
from django.test import Client, RequestFactory

from rix_auth import inputs
from rix_auth.client_ip import client_ip
from rix_auth.conf import settings as rix_settings
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD

PROXIES = ["10.0.0.0/8", "2001:db8::/32"]


@pytest.fixture
def trusting(settings: Any) -> None:
    settings.RIX_AUTH = {**settings.RIX_AUTH, "TRUSTED_PROXIES": PROXIES}


def address(peer: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


def log_in(client: Client, peer: str, forwarded: str | None = None, user_agent: str = "") -> SessionRow:
    headers = {"User-Agent": user_agent} | ({"X-Forwarded-For": forwarded} if forwarded is not None else {})
    body = {"email": EMAIL, "password": PASSWORD}
    response = client.post("/auth/login/", body, content_type="application/json", headers=headers, REMOTE_ADDR=peer)
    assert response.status_code == 200, response.content
    return SessionRow.objects.get(public_id=response.json()["session"]["public_id"])


def test_without_trusted_proxies_the_header_is_never_believed() -> None:
    assert rix_settings.trusted_proxies == ()
    assert address("10.0.0.2", "198.51.100.7") == "10.0.0.2"


@pytest.mark.django_db
def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(client: Client, registered: object, trusting: None) -> None:
    assert log_in(client, "203.0.113.66", "198.51.100.7, 10.0.0.1").ip == "203.0.113.66"


@pytest.mark.django_db
def test_a_chain_through_two_trusted_proxies_records_the_real_client(
    client: Client, registered: object, trusting: None
) -> None:
    # the client forged 6.6.6.6; the outer proxy appended the client, the inner one the outer proxy
    assert log_in(client, "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1").ip == "198.51.100.7"


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.2", "198.51.100.7, 10.0.0.1, not-an-ip", "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6, 999.1.1.1, _hidden, 10.0.0.1", "10.0.0.1"),
        ("10.0.0.2", "6.6.6.6, unknown", "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6, fe80::1%eth0, 10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "198.51.100.7, , 10.0.0.1", "10.0.0.1"),
        ("10.0.0.2", "[2a00:1450::1, 198.51.100.7:http", "10.0.0.2"),
    ],
    ids=["trailing word", "out of range and names", "unknown", "scoped address", "blank", "half a port"],
)
def test_an_unreadable_entry_ends_the_walk_at_the_nearest_trusted_hop(
    trusting: None, peer: str, forwarded: str, expected: str
) -> None:
    """Whoever wrote the entries left of one that is not an address is unknown: a forgery there
    (a spoofed client) must never be believed, so the nearest trusted hop stands for the client."""
    assert address(peer, forwarded) == expected


def test_proxies_may_write_ports(trusting: None) -> None:
    assert address("10.0.0.2", "198.51.100.7:4711, [2001:db8::9]:443") == "198.51.100.7"


def test_when_every_hop_is_trusted_the_leftmost_valid_one_is_the_client(trusting: None) -> None:
    assert address("10.0.0.2", "junk, 10.9.9.9, 10.0.0.1") == "10.9.9.9"
    assert address("10.0.0.2") == "10.0.0.2"


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("2001:db8::1", "2a00:1450::1, 2001:db8::2", "2a00:1450::1"),
        ("2001:DB8::1", "[2A00:1450::1]:443", "2a00:1450::1"),
        ("2a00:1450::66", "198.51.100.7", "2a00:1450::66"),
        ("::ffff:10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "2a00:1450::1, 2001:db8::2", "2a00:1450::1"),
    ],
    ids=["v6 chain", "bracketed with a port", "untrusted v6 peer", "v4-mapped peer", "v6 behind v4"],
)
def test_ipv6_peers_and_entries(trusting: None, peer: str, forwarded: str, expected: str) -> None:
    assert address(peer, forwarded) == expected


def test_a_single_address_trusts_only_itself(settings: Any) -> None:
    settings.RIX_AUTH = {**settings.RIX_AUTH, "TRUSTED_PROXIES": ["192.0.2.10"]}
    assert address("192.0.2.10", "198.51.100.7") == "198.51.100.7"
    assert address("192.0.2.11", "198.51.100.7") == "192.0.2.11"


def test_a_peer_that_is_not_an_address_records_none(trusting: None) -> None:
    assert address("", "198.51.100.7") is None
    assert address("unix:/run/gunicorn.sock", "198.51.100.7") is None


def test_the_setting_is_parsed_once_leaving_out_what_the_check_reports(settings: Any) -> None:
    settings.RIX_AUTH = {**settings.RIX_AUTH, "TRUSTED_PROXIES": ["10.0.0.0/8", "10.0.0.1/8", "proxy", None]}
    assert rix_settings.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"),)
    assert rix_settings.trusted_proxies is rix_settings.trusted_proxies
    settings.RIX_AUTH = {**settings.RIX_AUTH, "TRUSTED_PROXIES": "10.0.0.0/8"}  # not a list: trusts nothing
    assert len(rix_settings.trusted_proxies) == 0


@pytest.mark.django_db
def test_a_user_agent_is_stored_without_terminal_escapes_over_http(client: Client, registered: object) -> None:
    agent = "Evil\x1b]0;owned\x07\x1b[2J\r\nPhone\x00\x7f\x9b/1.0\u202egpj.exe"
    assert log_in(client, "127.0.0.1", user_agent=agent).user_agent == "Evil]0;owned[2JPhone/1.0gpj.exe"


@pytest.mark.django_db
def test_control_characters_do_not_count_towards_the_columns_size(client: Client, registered: object) -> None:
    assert log_in(client, "127.0.0.1", user_agent="\x1b" * 100 + "A" * 300).user_agent == "A" * 256


def test_every_unicode_control_character_and_bidi_override_is_removed() -> None:
    controls = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc"}
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert inputs.clean_user_agent("a" + "".join(sorted(controls | bidi)) + "b") == "ab"
    assert inputs.clean_user_agent("Mozilla/5.0 (Ünïcödé; 日本語) ✓") == "Mozilla/5.0 (Ünïcödé; 日本語) ✓"
