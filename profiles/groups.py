"""The two permission groups analysts and staff are put in, and what each may do.

"Analyst": browse everything collected, review and tag creators and communities, edit the tag
taxonomy, decide AI tag suggestions, keep favorites and work on campaigns. "Staff": everything an
analyst does, plus scraper control, scrape runs, system logs and the beat schedule. Neither group
opens user admin (only superusers do). The data migration ``0002_analyst_staff_groups`` applies this
policy; run ``apply_group_policy`` again from a new migration when a model is added.
"""

from __future__ import annotations

ANALYST = "Analyst"
STAFF = "Staff"

# (app label, model name or "*" for every model of the app, actions)
ANALYST_POLICY: list[tuple[str, str, tuple[str, ...]]] = [
    ("profiles", "*", ("view",)),
    ("profiles", "profile", ("change",)),
    ("profiles", "community", ("change",)),
    ("profiles", "tag", ("add", "change")),
    ("profiles", "tagcategory", ("add", "change")),
    ("profiles", "tagsuggestion", ("change",)),
    ("profiles", "favorite", ("add", "delete")),
    ("profiles", "contact", ("add", "change", "delete")),
    ("profiles", "list", ("add", "change", "delete")),
    ("profiles", "listentry", ("add", "change", "delete")),
    ("profiles", "communityreviewsuggestion", ("change",)),
    ("profiles", "profilelink", ("change",)),
    ("posts", "*", ("view",)),
    ("campaigns", "*", ("view", "add", "change")),
    ("media", "*", ("view",)),
    ("intelligence", "*", ("view",)),
]
STAFF_EXTRA_POLICY: list[tuple[str, str, tuple[str, ...]]] = [
    ("scraping", "*", ("view",)),
    ("scraping", "scraper", ("change",)),
    ("monitoring", "*", ("view",)),
    ("watches", "*", ("view",)),
    ("django_celery_beat", "*", ("view", "add", "change", "delete")),
]
# Operations themselves (accounts/operators.py): what makes a Staff member an operator, not is_staff.
STAFF_PERMISSIONS = [("accounts", "operate")]


def _permissions(apps, policy) -> list:
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    found = []
    for app_label, model, actions in policy:
        content_types = ContentType.objects.filter(app_label=app_label)
        if model != "*":
            content_types = content_types.filter(model=model)
        for content_type in content_types:
            codenames = [f"{action}_{content_type.model}" for action in actions]
            found.extend(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    return found


def apply_group_policy(apps) -> None:
    """Create both groups and grant their permissions; adds only, so running it twice is harmless."""
    Group = apps.get_model("auth", "Group")
    analyst, _ = Group.objects.get_or_create(name=ANALYST)
    staff, _ = Group.objects.get_or_create(name=STAFF)
    analyst_permissions = _permissions(apps, ANALYST_POLICY)
    analyst.permissions.add(*analyst_permissions)
    Permission = apps.get_model("auth", "Permission")
    operations = [
        permission
        for app_label, codename in STAFF_PERMISSIONS
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    ]
    staff.permissions.add(*analyst_permissions, *_permissions(apps, STAFF_EXTRA_POLICY), *operations)
