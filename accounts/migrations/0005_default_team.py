"""Data migration: every user who exists before teams becomes a member of one "Default" team.

Superusers join as owners, everyone else as analysts. The rows they own get this team in the
``profiles`` and ``campaigns`` migrations that add the ``team`` columns. A database without users
(a fresh install, the test database) gets no team.
"""

from django.conf import settings
from django.db import migrations

from accounts.upgrade import create_default_team


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_verified_email_addresses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_default_team, migrations.RunPython.noop)]
