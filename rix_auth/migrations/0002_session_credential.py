"""Sessions remember the credential they were opened under.

Rows that exist already take their user's current credential, so upgrading
signs nobody out; from then on a password change ends them.
"""

from django.conf import settings
from django.db import migrations, models

from rix_auth.credentials import fingerprint

BATCH = 1000


def remember_current_credentials(apps, schema_editor):  # type: ignore[no-untyped-def]
    alias = schema_editor.connection.alias
    sessions = apps.get_model("rix_auth", "Session").objects.using(alias)
    users = apps.get_model(settings.AUTH_USER_MODEL)._default_manager.using(alias)
    user_ids = sessions.filter(credential="").values_list("user_id", flat=True).distinct().order_by("user_id")
    pending = list(user_ids)
    for start in range(0, len(pending), BATCH):
        for pk, password in users.filter(pk__in=pending[start : start + BATCH]).values_list("pk", "password"):
            sessions.filter(user_id=pk, credential="").update(credential=fingerprint(password))


class Migration(migrations.Migration):
    dependencies = [
        ("rix_auth", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="credential",
            field=models.CharField(blank=True, editable=False, max_length=32, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(remember_current_credentials, migrations.RunPython.noop, elidable=True),
    ]
