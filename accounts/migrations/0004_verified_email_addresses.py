"""Existing accounts keep signing in under mandatory e-mail verification.

Their addresses were entered by staff before allauth, so each becomes a verified, primary
EmailAddress; an address two accounts share goes to the older account only (addresses are unique).
"""

from django.conf import settings
from django.db import migrations


def verify_existing_addresses(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = {email.lower() for email in EmailAddress.objects.values_list("email", flat=True)}
    rows = []
    for user_id, email in User.objects.exclude(email="").order_by("pk").values_list("pk", "email"):
        if email.lower() in taken:
            continue
        taken.add(email.lower())
        rows.append(EmailAddress(user_id=user_id, email=email.lower(), verified=True, primary=True))
    EmailAddress.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_entry"),
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop)]
