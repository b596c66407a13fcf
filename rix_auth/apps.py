from django.apps import AppConfig


class RixAuthConfig(AppConfig):
    name = "rix_auth"
    verbose_name = "Login sessions"
    default_auto_field = "django.db.models.BigAutoField"
