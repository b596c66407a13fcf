"""Each user's live sessions in the user admin: a changelist column and an inline.

Django's stock ``UserAdmin`` gets them by itself; a project's own user admin
is left as it is and can mix :class:`UserSessionsMixin` into its bases.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rix_auth.admin import SessionColumns
from rix_auth.models import Session, SessionQuerySet

_LIVE = "rix_live_sessions"


class LiveSessionsInline(SessionColumns, admin.TabularInline):  # type: ignore[type-arg]
    """The user's live sessions, read-only; each links to its page, which has the revoke button."""

    model = Session
    verbose_name_plural = gettext_lazy("live login sessions")
    fields = readonly_fields = ("created_at", "last_seen_at", "device", "ip", "expires_at")
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return cast(SessionQuerySet, super().get_queryset(request)).active(timezone.now())

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserSessionsMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ``live sessions`` column, counted in the changelist's own query, and the live sessions inline."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        live = (
            Session.objects.active(timezone.now())
            .filter(user=OuterRef("pk"))
            .order_by()  # else the model's ordering joins the GROUP BY
            .values("user")
            .annotate(count=Count("pk"))
            .values("count")
        )
        counted = Coalesce(Subquery(live, output_field=IntegerField()), Value(0))
        users: QuerySet[Any] = super().get_queryset(request).annotate(**{_LIVE: counted})
        return users

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        return (*super().get_list_display(request), "live_sessions")

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[InlineModelAdmin[Any, Any]]]:
        return [*super().get_inlines(request, obj), LiveSessionsInline]

    @admin.display(description=gettext_lazy("live sessions"), ordering=_LIVE)
    def live_sessions(self, user: Any) -> int:
        return int(getattr(user, _LIVE))


class SessionsUserAdmin(UserSessionsMixin, UserAdmin):  # type: ignore[type-arg]
    """Django's ``UserAdmin`` with the users' live sessions."""


def extend_user_admin(site: admin.AdminSite = admin.site) -> None:
    """Swap Django's stock ``UserAdmin`` for :class:`SessionsUserAdmin`; any other user admin stays.

    Called once the admin modules are loaded, so it sees what the project registered.
    """
    user = get_user_model()
    if site.is_registered(user) and type(site.get_model_admin(user)) is UserAdmin:
        site.unregister(user)
        site.register(user, SessionsUserAdmin)
