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
        ('profiles', '0005_profile_followers_nulls_last_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='favorite',
            name='favorite_unique',
        ),
        migrations.RemoveConstraint(
            model_name='profileaccess',
            name='access_unique',
        ),
        migrations.AddField(
            model_name='favorite',
            name='team',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='favorites', to='accounts.team'),
        ),
        migrations.AddField(
            model_name='profileaccess',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='profile_accesses', to='accounts.team'),
        ),
        migrations.AddField(
            model_name='searchhistory',
            name='team',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='searches', to='accounts.team'),
        ),
        give_rows_to_default_team("profiles", "Favorite", "SearchHistory", "ProfileAccess"),
        migrations.AlterField(
            model_name='favorite',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favorites', to='accounts.team'),
        ),
        migrations.AlterField(
            model_name='searchhistory',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='searches', to='accounts.team'),
        ),
        migrations.AddIndex(
            model_name='profileaccess',
            index=models.Index(fields=['team', 'granted_at'], name='access_team_granted'),
        ),
        migrations.AddIndex(
            model_name='searchhistory',
            index=models.Index(fields=['team', '-created_at'], name='search_team_recent'),
        ),
        migrations.AddConstraint(
            model_name='favorite',
            constraint=models.UniqueConstraint(fields=('team', 'user', 'profile'), name='favorite_unique'),
        ),
        migrations.AddConstraint(
            model_name='profileaccess',
            constraint=models.UniqueConstraint(condition=models.Q(('team__isnull', True)), fields=('user', 'profile'), name='access_unique'),
        ),
        migrations.AddConstraint(
            model_name='profileaccess',
            constraint=models.UniqueConstraint(condition=models.Q(('team__isnull', False)), fields=('user', 'team', 'profile'), name='access_unique_team'),
        ),
    ]
