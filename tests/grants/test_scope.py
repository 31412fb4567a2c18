"""Scope rows limit what a user may do; they never grant it: rows left behind reach nothing once the role is gone."""

import pytest
from django.contrib.auth.models import Group

from grants.errors import PermissionDenied
from grants.models import Role
from grants.selectors import case_get_for_actor, case_list_for_actor
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def test_scope_rows_left_behind_give_no_reach_once_the_officer_role_is_gone(api):
    officer = f.officer()
    case = f.case(actor=officer)
    assert case_get_for_actor(actor=officer, case_id=case.pk) == case
    officer.groups.remove(Group.objects.get(name=Role.OFFICER))
    moved = type(officer).objects.get(pk=officer.pk)  # a fresh request: roles and scopes read anew
    with pytest.raises(PermissionDenied):
        case_get_for_actor(actor=moved, case_id=case.pk)
    assert list(case_list_for_actor(actor=moved)) == []
    api.force_authenticate(moved)
    assert api.get(f"/api/cases/{case.pk}").status_code == 403
    with pytest.raises(PermissionDenied):
        case_transition(case_id=case.pk, name="request", actor=moved, data={}, expected_version=case.version)
