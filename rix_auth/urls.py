"""Mount with ``path("auth/", include("rix_auth.urls"))``.

Every other address under the mount answers a JSON 404 ``not_found``, so a client that forgot a
trailing slash is told so in the error shape it parses, not sent an HTML page or a redirect.
"""

from django.urls import path, re_path

from rix_auth import views
from rix_auth.openapi.view import openapi_json

app_name = "rix_auth"

urlpatterns = [
    path("csrf/", views.csrf, name="csrf"),
    path("register/", views.register, name="register"),
    path("login/", views.login, name="login"),
    path("session/", views.whoami, name="whoami"),
    path("refresh/", views.refresh, name="refresh"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("logout/", views.logout, name="logout"),
    path("logout-all/", views.logout_all, name="logout-all"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<str:public_id>/revoke/", views.revoke, name="revoke"),
    path("openapi.json", openapi_json, name="openapi"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),  # last: whatever the others did not match
]
