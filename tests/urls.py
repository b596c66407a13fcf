from django.contrib import admin
from django.urls import include, path

from tests import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("auth/", include("rix_auth.urls")),
    path("whoami-plain/", views.plain),
    path("whoami-async/", views.async_protected),
    path("whoami-class/", views.Protected.as_view()),
    path("whoami-async-class/", views.AsyncProtected.as_view()),
    path("whoami-headers/", views.with_cache_headers),
    path("sign-in/code/", views.sign_in_with_code),
    path("sign-out/", views.sign_out),
    path("members/", views.members),
    path("user-report/", views.UserReport.as_view()),
    path("greeting/", views.greeting),
    path("greeting/permissions/", views.greeting, {"source": views.GREETING_WITH_PERMISSIONS}),
    path("awaited-user/", views.awaited_user),
]
