"""Durable sessions linked to ``AUTH_USER_MODEL``.

A row never holds a session id: only its SHA-256 ``digest`` (unique, the
lookup key) and a non-secret ``public_id`` that names the session in lists
and can never authenticate. Revoked rows stay as an audit trail until
``purge_sessions`` removes them.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rix_auth import credentials, inputs, tokens
from rix_auth.session import RevokeReason


class SessionQuerySet(models.QuerySet["Session"]):
    """Session states, written once for the store, the admin and the commands."""

    def active(self, now: datetime) -> SessionQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def expired(self, now: datetime) -> SessionQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__lte=now)

    def revoked(self) -> SessionQuerySet:
        return self.filter(revoked_at__isnull=False)

    def dead_before(self, moment: datetime) -> SessionQuerySet:
        """Expired or revoked before ``moment``: what a purge may delete."""
        return self.filter(models.Q(expires_at__lt=moment) | models.Q(revoked_at__lt=moment))


class Session(models.Model):
    digest = models.CharField(max_length=tokens.DIGEST_LENGTH, unique=True, editable=False)
    public_id = models.CharField(max_length=tokens.PUBLIC_ID_LENGTH, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rix_sessions")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField()
    authenticated_at = models.DateTimeField(
        help_text="When the user last proved who they are on this session: login, then each re-authentication."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoke_reason = models.CharField(
        max_length=32, blank=True, choices=[(reason.value, reason.label) for reason in RevokeReason]
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(max_length=inputs.MAX_USER_AGENT_LENGTH, blank=True)
    credential = models.CharField(max_length=credentials.CREDENTIAL_LENGTH, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "login session"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session {self.public_id}"

    def status(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``: revocation outranks expiry."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def state(self, now: datetime) -> str:
        """The status, with the reason of a revocation: ``revoked (logout_user)``."""
        status = self.status(now)
        return f"{status} ({self.revoke_reason})" if status == "revoked" else status


class SessionEpoch(models.Model):
    """Counts ``logout_user`` runs per user, so a login in flight can tell it lost."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="rix_session_epoch"
    )
    epoch = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"epoch {self.epoch} of user {self.pk}"
