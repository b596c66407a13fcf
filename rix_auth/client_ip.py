"""The client's address, believing ``X-Forwarded-For`` only from the project's own proxies.

Anyone can send ``X-Forwarded-For``; each proxy appends the address it saw. So the header counts
only when ``REMOTE_ADDR`` is in ``RIX_AUTH["TRUSTED_PROXIES"]``, and then it is read from the
right: the first entry that is not a trusted proxy is the client. Entries further left were
written by that client and could say anything; so were any left of an entry that is not an
address, which ends the walk at the nearest trusted hop (skipping it would believe a forgery).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TypeAlias

from django.http import HttpRequest

from rix_auth import inputs
from rix_auth.conf import settings

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request: HttpRequest) -> str | None:
    """``REMOTE_ADDR``, or the forwarded client behind a trusted proxy; ``None`` if not an address."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.trusted_proxies
    if peer is None or not _is_trusted(peer, trusted):
        return None if peer is None else str(peer)
    nearest = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:  # unreadable: whoever is left of it is unknown, so our nearest hop stands for them
            return str(nearest)
        if not _is_trusted(address, trusted):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is ours: the first one is the client


def _is_trusted(address: Address, trusted: Sequence[inputs.Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
    return any(address in network for network in trusted)


def _address(entry: object) -> Address | None:
    """One address, allowing the ``a.b.c.d:port`` and ``[v6]:port`` forms some proxies write;
    anything else (``unknown``, an obfuscated name, a scoped address) is ``None``."""
    if not isinstance(entry, str):
        return None
    entry = entry.strip()
    if entry.startswith("["):
        entry, bracket, port = entry[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and _is_port(port[1:]))):
            return None
    elif entry.count(":") == 1:
        entry, _, port = entry.partition(":")
        if not _is_port(port):
            return None
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        return None
    return None if isinstance(address, ipaddress.IPv6Address) and address.scope_id else address


def _is_port(text: str) -> bool:
    return text.isascii() and text.isdigit()
