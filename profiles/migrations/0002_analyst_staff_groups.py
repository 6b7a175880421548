"""Create the "Analyst" and "Staff" groups (policy in profiles/groups.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from profiles.groups import apply_group_policy


def create_groups(apps, schema_editor):
    # Permissions are normally created after *all* migrations ran (post_migrate); on a fresh
    # database they do not exist yet here, so create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_group_policy(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Analyst", "Staff"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0001_initial"),
        ("posts", "0001_initial"),
        ("campaigns", "0001_initial"),
        ("media", "0001_initial"),
        ("scraping", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
