"""Sessions in the admin: read-only, filterable by state, revocable; never the digest."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rix_auth.conf import get_auth
from rix_auth.models import Session, SessionQuerySet
from rix_auth.session import RevokeReason

FIELDS = ("public_id", "user", "created_at", "authenticated_at", "last_seen_at", "expires_at", "revoked_at",
          "revoke_reason", "ip", "user_agent")  # fmt: skip


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: SessionQuerySet) -> SessionQuerySet:  # type: ignore[override]
        now = timezone.now()
        states = {"active": lambda: queryset.active(now), "expired": lambda: queryset.expired(now),
                  "revoked": queryset.revoked}  # fmt: skip
        chosen = states.get(self.value() or "")
        return queryset if chosen is None else chosen()


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "user", "state", "created_at", "last_seen_at", "ip", "user_agent")
    list_filter = (StateFilter, "revoke_reason")
    list_select_related = ("user",)
    search_fields = ("public_id", "ip")
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ("revoke",)

    @admin.display(description="state")
    def state(self, session: Session) -> str:
        return session.state(timezone.now())

    @admin.action(description="Revoke the selected sessions", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        auth = get_auth()
        handles = queryset.filter(revoked_at__isnull=True).values_list("public_id", flat=True)
        results = [auth.revoke_session(handle, reason=RevokeReason.ADMIN) for handle in handles]
        revoked = sum(r.ok and r.value.revoked_now for r in results)
        self.message_user(request, f"Revoked {revoked} session(s).", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions come from logins only

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False  # revoke instead: the row is the audit trail; purge_sessions removes old ones
