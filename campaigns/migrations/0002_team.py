"""Teams own these rows: add ``team``, give every existing row the "Default" team, then require it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.upgrade import give_rows_to_default_team


class Migration(migrations.Migration):
    # Outside one transaction: PostgreSQL refuses SET NOT NULL while the fill's FK checks are pending.
    atomic = False

    dependencies = [
        ('accounts', '0005_default_team'),
        ('campaigns', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='team',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='campaigns', to='accounts.team'),
        ),
        give_rows_to_default_team("campaigns", "Campaign"),
        migrations.AlterField(
            model_name='campaign',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='campaigns', to='accounts.team'),
        ),
        migrations.AddIndex(
            model_name='campaign',
            index=models.Index(fields=['team', '-created_at'], name='campaign_team_recent'),
        ),
    ]
