"""Signals sent by :class:`~rix_auth.service.Auth`, whatever the store.

Sessions passed to receivers never carry their id: a receiver may log them.
Signals are sent robustly: a failing receiver is logged by Django and never
turns a successful operation into an error.

- ``session_created(session, user)`` after a login.
- ``session_refreshed(session)`` after a refresh.
- ``session_revoked(user_id, reason, count, public_id)``: ``public_id`` is
  ``None`` when several sessions went at once (``count`` says how many).
  Reasons: ``logout``, ``logout_user``, ``password_change``, ``deactivation``,
  ``admin``, ``command``, ``eviction``.
- ``authentication_failed(code, operation)``: ``operation`` is ``"login"``,
  ``"authenticate"``, ``"refresh"`` or ``"reauthenticate"``; never the id or the password.
"""

from django.dispatch import Signal

session_created = Signal()
session_refreshed = Signal()
session_revoked = Signal()
authentication_failed = Signal()
