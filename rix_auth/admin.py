"""Sessions in the admin: read-only, searchable, filterable by state, revocable; never an id or a digest.

Nothing on a session is editable, so the admin has no change permission to
give: every page is a view, and revoking, the one change a session takes,
has its own permission (the model's ``change`` one), an action and a button.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from rix_auth.conf import get_auth
from rix_auth.devices import device_name
from rix_auth.models import Session, SessionQuerySet
from rix_auth.session import RevokeReason

STATUSES = {"active": gettext_lazy("Active"), "expired": gettext_lazy("Expired"), "revoked": gettext_lazy("Revoked")}


class SessionColumns:
    """What a session list shows besides its fields, for this admin and the user page's inline."""

    @admin.display(description=gettext_lazy("state"))
    def state(self, session: Session) -> str:
        """In words, as the state filter names it: "Revoked: Logout", not a code."""
        status = session.status(timezone.now())
        if status == "revoked":
            return gettext("Revoked: %(reason)s") % {"reason": session.get_revoke_reason_display()}
        return str(STATUSES[status])

    @admin.display(description=gettext_lazy("device"))
    def device(self, session: Session) -> SafeString:
        """The device's name; the full user agent shows on hover."""
        return format_html('<span title="{}">{}</span>', session.user_agent, device_name(session.user_agent))


WHO = ("public_id", "user", "state")
DEVICE = ("device", "user_agent", "ip")
WHEN = ("created_at", "authenticated_at", "last_seen_at", "expires_at", "revoked_at", "revoke_reason")


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(status, str(label)) for status, label in STATUSES.items()]

    def queryset(self, request: HttpRequest, queryset: SessionQuerySet) -> SessionQuerySet:  # type: ignore[override]
        now = timezone.now()
        states = {"active": lambda: queryset.active(now), "expired": lambda: queryset.expired(now),
                  "revoked": queryset.revoked}  # fmt: skip
        chosen = states.get(self.value() or "")
        return queryset if chosen is None else chosen()


@admin.register(Session)
class SessionAdmin(SessionColumns, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "user", "state", "created_at", "last_seen_at", "ip", "device")
    list_filter = (StateFilter, "revoke_reason")
    list_select_related = ("user",)
    fieldsets = ((None, {"fields": WHO}), (gettext_lazy("Device"), {"fields": DEVICE}),
                 (gettext_lazy("Timeline"), {"fields": WHEN}))  # fmt: skip
    readonly_fields = (*WHO, *DEVICE, *WHEN)
    actions = ("revoke",)

    class Media:
        css = {"all": ("rix_auth/admin.css",)}

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        """Also the user's email and username, whatever the user model calls them."""
        user = get_user_model()
        return tuple(dict.fromkeys(("public_id", "ip", f"user__{user.get_email_field_name()}",
                                    f"user__{user.USERNAME_FIELD}")))  # fmt: skip

    @admin.action(description=gettext_lazy("Revoke the selected sessions"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        self._revoke(request, list(queryset.filter(revoked_at__isnull=True)))

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Asks for a confirmation on GET and revokes on POST, like Django's delete view."""
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        session = self.get_object(request, unquote(object_id))
        if session is None:
            raise Http404(gettext("No such login session."))
        back = HttpResponseRedirect(self._url("change", session))
        if session.revoked_at is not None:
            self.message_user(request, gettext("This session was already revoked."), messages.INFO)
            return back
        if request.method == "POST":
            self._revoke(request, [session])
            return back
        context = {**self.admin_site.each_context(request), "opts": self.opts, "original": session,
                   "device": device_name(session.user_agent), "has_view_permission": True,
                   "title": gettext("Revoke this session?"), "change_url": back.url}  # fmt: skip
        return TemplateResponse(request, "admin/rix_auth/session/revoke_confirmation.html", context)

    def get_urls(self) -> list[URLPattern]:
        revoke = self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.revoke_view))
        name = f"{self.opts.app_label}_{self.opts.model_name}_revoke"
        return [path("<path:object_id>/revoke/", revoke, name=name), *super().get_urls()]

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """The change page, with the revoke button when the session is alive and the user may revoke."""
        session: Session | None = kwargs.get("obj")
        if session is not None and session.revoked_at is None and self.has_revoke_permission(request):
            context["revoke_url"] = self._url("revoke", session)
        return super().render_change_form(request, context, *args, **kwargs)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False  # nothing is editable: revoking has its own permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions come from logins only

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False  # revoke instead: the row is the audit trail; purge_sessions removes old ones

    def _revoke(self, request: HttpRequest, sessions: list[Session]) -> None:
        """Through the service, so the ``session_revoked`` signal fires as for any other revocation."""
        auth = get_auth()
        revoked, failures = 0, []
        for session in sessions:
            result = auth.revoke_session(session.public_id, reason=RevokeReason.ADMIN)
            if result.error is not None:
                failures.append(result.error.message)
            elif result.value.revoked_now:
                revoked += 1
                self.log_change(request, session, "Revoked.")
        done = ngettext("Revoked %(count)d session.", "Revoked %(count)d sessions.", revoked) % {"count": revoked}
        self.message_user(request, done, messages.SUCCESS)
        if failures:
            count = len(failures)
            not_revoked = ngettext("%(count)d not revoked: %(reason)s", "%(count)d not revoked: %(reason)s", count)
            self.message_user(request, not_revoked % {"count": count, "reason": failures[0]}, messages.ERROR)

    def _url(self, view: str, session: Session) -> str:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=[quote(session.pk)])
