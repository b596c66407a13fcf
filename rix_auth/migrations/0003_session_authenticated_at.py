"""Sessions remember when their user last proved who they are (``authenticated_at``).

Rows that exist already take their ``created_at``: the login that opened them is the
last proof rix_auth knows of, so re-authentication rules judge them by their age.
"""

from django.db import migrations, models
from django.db.models import F


def authenticated_at_creation(apps, schema_editor):  # type: ignore[no-untyped-def]
    sessions = apps.get_model("rix_auth", "Session").objects.using(schema_editor.connection.alias)
    sessions.filter(authenticated_at__isnull=True).update(authenticated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("rix_auth", "0002_session_credential"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="authenticated_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(authenticated_at_creation, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="session",
            name="authenticated_at",
            field=models.DateTimeField(
                help_text="When the user last proved who they are on this session: login, then each re-authentication."
            ),
        ),
    ]
