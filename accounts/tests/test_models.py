import pytest
from django.db import IntegrityError

from accounts.models import Membership, Team
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_user_holds_one_role_per_team():
    team = Team.objects.create(name="Acme", slug="acme")
    user = UserFactory()
    Membership.objects.create(team=team, user=user, role=Membership.Role.VIEWER)
    with pytest.raises(IntegrityError):
        Membership.objects.create(team=team, user=user, role=Membership.Role.OWNER)


def test_only_owners_and_managers_edit_and_viewers_only_read():
    roles = {role: Membership(role=role) for role in Membership.Role}
    assert [r for r, m in roles.items() if m.can_edit] == [Membership.Role.OWNER, Membership.Role.MANAGER]
    assert not roles[Membership.Role.VIEWER].can_write
    assert roles[Membership.Role.ANALYST].can_write
