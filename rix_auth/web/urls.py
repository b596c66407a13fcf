"""Mount with ``path("account/", include("rix_auth.web.urls"))``."""

from django.urls import path

from rix_auth.web import account, devices

app_name = "rix_auth_web"

urlpatterns = [
    path("sign-in/", account.sign_in, name="sign-in"),
    path("register/", account.register, name="register"),
    path("sign-out/", account.sign_out, name="sign-out"),
    path("devices/", devices.devices, name="devices"),
    path("devices/<str:public_id>/sign-out/", devices.revoke, name="revoke"),
    path("sign-out-everywhere/", devices.sign_out_everywhere, name="sign-out-everywhere"),
]
