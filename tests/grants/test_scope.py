"""Scope rows limit what a user may do and never grant it; administrators change them, each change recorded."""

import pytest
from django.contrib.auth.models import Group

from grants.access import may
from grants.errors import PermissionDenied
from grants.models import HistoryEntry, Role, Scope
from grants.services import scope_save
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


def test_an_administrator_limits_a_user_in_the_admin_and_the_history_records_it(client):
    admin = f.UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    officer = f.officer(prefectures=())
    client.force_login(admin)
    response = client.post(
        "/admin/grants/scope/add/", {"user": officer.pk, "stream": "community_support_grant", "prefecture_code": "13"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    scope = Scope.objects.get(user=officer)
    record = HistoryEntry.objects.get(action="scope_create")
    assert (record.actor, record.actor_role, record.subject_id) == (admin, "administrator", str(scope.pk))
    assert record.data["user"] == officer.username and record.data["prefecture"] == "13"
    assert may(type(officer).objects.get(pk=officer.pk), "grants.act_on_case", stream=scope.stream, prefecture="13")
    client.post(f"/admin/grants/scope/{scope.pk}/delete/", {"post": "yes"})
    assert not Scope.objects.exists() and HistoryEntry.objects.filter(action="scope_delete").count() == 1


def test_only_those_who_manage_scopes_change_them(client):
    officer = f.officer()
    with pytest.raises(PermissionDenied):
        scope_save(actor=f.supervisor(), scope=Scope(user=officer, stream=officer.scopes.first().stream,
                                                     prefecture_code="13"))
    client.force_login(f.supervisor(is_staff=True))
    assert client.get("/admin/grants/scope/").status_code == 403
    assert Scope.objects.filter(user=officer).count() == 6
