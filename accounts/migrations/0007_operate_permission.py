"""The operator permission (``accounts.operate``, accounts/operators.py), granted to the "Staff" group.

Operations used to check ``is_staff``, which analysts need to enter admin; from here they check this
permission. The group keeps its name (``profiles/groups.py`` creates it too; whichever runs first
makes it).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are created after all migrations (post_migrate); on a fresh database, create them now.
    config = apps.get_app_config("accounts")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    operate = Permission.objects.get(content_type__app_label="accounts", codename="operate")
    Group.objects.get_or_create(name="Staff")[0].permissions.add(operate)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_invitation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="team",
            options={
                "ordering": ["name"],
                "permissions": [("operate", "Can run operations: scrapers, runs, system logs, the live monitor")],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
