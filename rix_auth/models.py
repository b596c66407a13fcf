"""Durable sessions linked to ``AUTH_USER_MODEL``.

A row never holds a session id: only its SHA-256 ``digest`` (unique, the
lookup key) and a non-secret ``public_id`` that names the session in lists
and can never authenticate. Revoked rows stay as an audit trail until
``purge_sessions`` removes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rix_auth import inputs, tokens


class RevokeReason(models.TextChoices):
    LOGOUT = "logout", "Logout"
    LOGOUT_USER = "logout_user", "Logout of every session"
    PASSWORD_CHANGE = "password_change", "Password change"
    DEACTIVATION = "deactivation", "Account deactivated"
    ADMIN = "admin", "Revoked by an administrator"
    COMMAND = "command", "Revoked by a management command"
    EVICTION = "eviction", "Too many sessions"


class Session(models.Model):
    digest = models.CharField(max_length=tokens.DIGEST_LENGTH, unique=True, editable=False)
    public_id = models.CharField(max_length=tokens.PUBLIC_ID_LENGTH, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rix_sessions")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoke_reason = models.CharField(max_length=32, blank=True, choices=RevokeReason.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=inputs.MAX_USER_AGENT_LENGTH, blank=True)

    class Meta:
        verbose_name = "login session"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session {self.public_id}"


class SessionEpoch(models.Model):
    """Counts ``logout_user`` runs per user, so a login in flight can tell it lost."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="rix_session_epoch"
    )
    epoch = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"epoch {self.epoch} of user {self.pk}"
