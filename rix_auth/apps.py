from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy


class RixAuthConfig(AppConfig):
    name = "rix_auth"
    verbose_name = gettext_lazy("Sign-in")  # above the model's "Login sessions" in the admin
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.core.signals import setting_changed
        from django.db.models.signals import post_init, post_save, pre_delete

        from rix_auth import checks, conf, receivers
        from rix_auth.stores import joined

        checks.register()
        setting_changed.connect(conf.reload_settings, dispatch_uid="rix_auth_reload_settings")
        setting_changed.connect(joined.forget, dispatch_uid="rix_auth_forget_joined_query")
        user_model = get_user_model()
        post_init.connect(receivers.remember_loaded_state, sender=user_model, dispatch_uid="rix_auth_remember_loaded")
        post_save.connect(receivers.follow_user_save, sender=user_model, dispatch_uid="rix_auth_follow_user_save")
        pre_delete.connect(receivers.follow_user_delete, sender=user_model, dispatch_uid="rix_auth_follow_user_delete")
        user_logged_out.connect(receivers.follow_django_logout, dispatch_uid="rix_auth_follow_django_logout")
        if apps.is_installed("django.contrib.admin"):  # listed above rix_auth, it has autodiscovered by now
            from rix_auth.admin_users import extend_user_admin

            extend_user_admin()
