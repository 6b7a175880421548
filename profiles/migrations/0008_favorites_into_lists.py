"""Every user's favorites become entries of their "Favorites" list in the same team (notes kept).

The ``Favorite`` rows stay: the favorites page and API keep working, and a signal keeps the list
in step with them from now on (profiles/lists.py). Reversing removes only what this added.
"""

from django.db import migrations

FAVORITES = "Favorites"


def forwards(apps, schema_editor):
    Favorite = apps.get_model("profiles", "Favorite")
    List = apps.get_model("profiles", "List")
    ListEntry = apps.get_model("profiles", "ListEntry")
    lists = {}
    entries = []
    for favorite in Favorite.objects.order_by("created_at", "id").iterator():
        key = (favorite.team_id, favorite.user_id)
        if key not in lists:
            lists[key], _ = List.objects.get_or_create(
                team_id=favorite.team_id, user_id=favorite.user_id, name=FAVORITES, defaults={"kind": "creators"}
            )
        entries.append(
            ListEntry(
                list=lists[key], profile_id=favorite.profile_id, note=favorite.note, added_by_id=favorite.user_id
            )
        )
    ListEntry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("profiles", "List").objects.filter(name=FAVORITES).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0007_contacts_lists")]

    operations = [migrations.RunPython(forwards, backwards)]
