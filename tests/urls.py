from django.contrib import admin
from django.urls import include, path

from tests import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("auth/", include("rix_auth.urls")),
    path("whoami-plain/", views.plain),
    path("whoami-async/", views.async_protected),
    path("whoami-class/", views.Protected.as_view()),
    path("whoami-headers/", views.with_cache_headers),
]
