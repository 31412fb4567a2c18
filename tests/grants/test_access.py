"""The one check (``grants.access``): permissions say what, scope rows say where, and the system user is a flag."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import RequestFactory

from schedules.services import may_edit_calendar_data, may_edit_schedules
from grants.access import authorize, in_scope, may, scope_q
from grants.errors import OutOfScope, PermissionDenied
from grants.history import history_append
from grants.models import Case, Scope, UserProfile
from grants.roles import STANDARD_ROLES, primary_role, system_user
from grants.selectors import case_get_for_actor, case_list_for_actor
from tests import factories as f
from tests.factories import Stream
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

CSG = Stream.COMMUNITY_SUPPORT_GRANT


def fresh(user):
    """The user as the next request loads it (permissions and scope are cached on the object)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def cases():
    officer = f.officer(prefectures=("11", "13"))
    return {
        "saitama": f.case(actor=officer),
        "tokyo": f.case(actor=officer, recipient=f.municipality("132012", "八王子市", "13")),
    }


def test_a_misspelt_permission_fails_loudly_instead_of_refusing_everyone():
    with pytest.raises(ValueError, match="grants.act_on_cases"):
        may(f.officer(), "grants.act_on_cases")


def test_an_officer_whose_scope_was_forgotten_reads_and_does_nothing(cases):
    forgotten = f.officer(prefectures=())
    assert list(case_list_for_actor(actor=forgotten)) == []
    with pytest.raises(OutOfScope):
        case_get_for_actor(actor=forgotten, case_id=cases["saitama"].pk)
    assert not may(forgotten, "grants.act_on_case", stream=CSG, prefecture="11")


def test_without_scope_rows_the_bureau_wide_read_everything(cases):
    assert set(case_list_for_actor(actor=f.auditor())) == set(cases.values())


def test_scope_rows_limit_even_a_role_that_works_bureau_wide(cases):
    boss = f.supervisor()
    Scope.objects.create(user=boss, stream=CSG, prefecture_code="11")
    boss = fresh(boss)
    assert list(case_list_for_actor(actor=boss)) == [cases["saitama"]]
    assert may(boss, "grants.approve_decision", stream=CSG, prefecture="11")
    assert not may(boss, "grants.approve_decision", stream=CSG, prefecture="13")
    with pytest.raises(OutOfScope) as refused:
        authorize(boss, "grants.approve_decision", stream=CSG, prefecture="13")
    assert refused.value.details == {"stream": CSG, "prefecture": "13"}
    assert list(Case.objects.filter(scope_q(boss, "grants.approve_decision"))) == [cases["saitama"]]


def test_a_permission_given_to_one_user_works_without_a_group(cases):
    reader = f.UserFactory()
    Scope.objects.create(user=reader, stream=CSG, prefecture_code="13")
    reader.user_permissions.add(Permission.objects.get(codename="read_case"))
    assert list(case_list_for_actor(actor=fresh(reader))) == [cases["tokyo"]]


def test_refusals_say_what_was_missing():
    with pytest.raises(PermissionDenied) as refused:
        authorize(f.auditor(), "grants.act_on_case")
    assert type(refused.value) is PermissionDenied
    assert refused.value.details == {"permission_required": "grants.act_on_case"}
    assert in_scope(f.auditor(), stream=CSG, prefecture="47")


def test_the_standard_roles_hold_what_they_are_declared_to():
    for role, permissions in STANDARD_ROLES.items():
        user = fresh(f.UserFactory(role=role))
        assert all(may(user, permission) for permission in permissions), role
    officer = fresh(f.officer())
    assert not any(may(officer, p) for p in ("grants.approve_decision", "grants.read_history"))
    auditor = fresh(f.auditor())
    assert not any(may(auditor, p) for p in ("grants.act_on_case", "payments.prepare_payment_run"))


def test_the_system_user_is_known_by_its_flag_not_its_name():
    system = system_user()
    assert system.profile.is_system and system_user() == system
    assert may_edit_schedules(system) and may_edit_calendar_data(system)
    assert not may(system, "grants.act_on_case")
    assert primary_role(system) == "system"
    # A person who happens to be called "system" is nobody special; the flag moved to another name still is.
    UserProfile.objects.filter(user=system).update(is_system=False)
    system.username = "batch"
    system.save()
    named = f.UserFactory(username="system")
    assert primary_role(named) == "none" and not may_edit_schedules(fresh(named))
    UserProfile.objects.filter(user=system).update(is_system=True)
    assert primary_role(fresh(system)) == "system" and system_user().username == "batch"


def test_the_role_an_act_is_recorded_under_is_plain_text():
    """The record's fields are plain ``str`` (a ``Role`` member, a subclass of it, would send every record's
    canonical text to the slow encoder: grants.history._canonical_around_prev); the text is the role's."""
    for user, role in ((f.officer(), "officer"), (f.supervisor(), "supervisor"), (f.auditor(), "auditor"),
                       (f.UserFactory(is_superuser=True), "administrator")):
        assert type(primary_role(user)) is str and primary_role(user) == role


def test_the_system_user_never_signs_in(api):
    system = system_user()
    assert system.is_active and not system.has_usable_password()
    # django-axes counts sign-ins per request, so authenticate() is always given one.
    assert authenticate(RequestFactory().post("/login/"), username=system.username, password="") is None
    assert api.post("/api/auth/token", {"username": system.username, "password": ""}, format="json").status_code >= 400


def test_the_history_records_the_actor_s_role_as_before(cases):
    officer, boss = f.officer(), f.supervisor()
    case = case_transition(case_id=cases["saitama"].pk, name="request", actor=officer, data={}, expected_version=1)
    assert case.history.last().actor_role == "officer"
    both = f.officer()
    both.groups.add(*boss.groups.all())
    with transaction.atomic():
        entry = history_append(actor=fresh(both), action="note", subject_type="case", subject_id=case.pk)
    assert entry.actor_role == "supervisor"
