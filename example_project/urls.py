from django.contrib import admin
from django.urls import include, path

from example_project import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("sessions/<str:public_id>/revoke/", views.revoke, name="revoke"),
    path("magic/", views.request_link, name="request_magic_link"),
    path("magic/<str:uidb64>/<str:token>/", views.use_link, name="magic_link"),
    path("auth/", include("rix_auth.urls")),
    path("admin/", admin.site.urls),
]
