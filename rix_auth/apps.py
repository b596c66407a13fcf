from django.apps import AppConfig


class RixAuthConfig(AppConfig):
    name = "rix_auth"
    verbose_name = "Login sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.core.signals import setting_changed
        from django.db.models.signals import post_init, post_save

        from rix_auth import checks, conf, http, receivers

        checks.register()
        setting_changed.connect(conf.forget_settings, dispatch_uid="rix_auth_forget_conf")
        setting_changed.connect(http.forget_settings, dispatch_uid="rix_auth_forget_stores")
        user_model = get_user_model()
        post_init.connect(receivers.remember_active, sender=user_model, dispatch_uid="rix_auth_remember_active")
        post_save.connect(
            receivers.revoke_on_password_change_or_deactivation,
            sender=user_model,
            dispatch_uid="rix_auth_revoke_on_change",
        )
