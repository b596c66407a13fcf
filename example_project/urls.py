from django.contrib import admin
from django.urls import include, path

from example_project import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", include("rix_auth.web.urls")),
    path("magic/", views.request_link, name="request_magic_link"),
    path("magic/<str:uidb64>/<str:token>/", views.use_link, name="magic_link"),
    path("auth/", include("rix_auth.urls")),
    path("api/drf/me/", api.Me.as_view(), name="drf_me"),
    path("api/ninja/", api.ninja_api.urls),
    path("admin/", admin.site.urls),
]
