"""Administrators edit closure days and reminder rules, in the admin and through the services; each edit is recorded."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from calendars.business_days import is_business_day
from calendars.models import ClosureDay
from grants.history import history_verify
from grants.models import HistoryEntry, Role
from letters.models import ReminderRule
from letters.services import reminder_rule_delete, reminder_rule_save
from schedules.services import closure_day_delete, closure_day_save
from tests import factories as f
from web.errors import PermissionDenied

from .factories import reminder_rules

pytestmark = pytest.mark.django_db


def administrator(**kwargs):
    return f.UserFactory(role=Role.ADMINISTRATOR, **kwargs)


def records(subject_type):
    return HistoryEntry.objects.filter(subject_type=subject_type).order_by("pk")


def test_a_new_closure_day_closes_the_office_and_is_recorded():
    admin = administrator()
    assert is_business_day(date(2026, 2, 2))
    closure_day_save(actor=admin, closure=ClosureDay(day=date(2026, 2, 2), reason="庁舎停電"))
    assert not is_business_day(date(2026, 2, 2))
    record = records("closure_day").get()
    assert (record.action, record.subject_id, record.fiscal_year) == ("closure_day_create", "2026-02-02", 2025)
    assert record.actor == admin and record.actor_role == "administrator"
    assert record.data["after"] == {"day": "2026-02-02", "reason": "庁舎停電"}


def test_a_changed_closure_day_records_before_and_after_and_an_unchanged_save_writes_nothing():
    admin = administrator()
    closure = closure_day_save(actor=admin, closure=ClosureDay(day=date(2026, 2, 2), reason="庁舎停電"))
    closure_day_save(actor=admin, closure=ClosureDay.objects.get(pk=closure.pk))
    assert records("closure_day").count() == 1
    closure.day = date(2026, 2, 3)
    closure_day_save(actor=admin, closure=closure)
    update = records("closure_day").last()
    assert update.action == "closure_day_update"
    assert update.data["changes"] == {"day": ["2026-02-02", "2026-02-03"]}
    assert is_business_day(date(2026, 2, 2)) and not is_business_day(date(2026, 2, 3))


def test_a_deleted_closure_day_leaves_what_it_said_in_the_record():
    admin = administrator()
    closure = closure_day_save(actor=admin, closure=ClosureDay(day=date(2026, 2, 2), reason="庁舎停電"))
    closure_day_delete(actor=admin, closure=closure)
    assert not ClosureDay.objects.exists()
    assert records("closure_day").last().data["deleted"] == {"day": "2026-02-02", "reason": "庁舎停電"}
    assert history_verify().ok


@pytest.mark.parametrize("make_user", [f.supervisor, f.officer, f.auditor], ids=["supervisor", "officer", "auditor"])
def test_only_administrators_edit_calendar_data(make_user):
    user = make_user()
    with pytest.raises(PermissionDenied):
        closure_day_save(actor=user, closure=ClosureDay(day=date(2026, 2, 2), reason="x"))
    (rule,) = reminder_rules()[:1]
    rule.is_active = False
    with pytest.raises(PermissionDenied):
        reminder_rule_save(actor=user, rule=rule)
    with pytest.raises(PermissionDenied):
        reminder_rule_delete(actor=user, rule=rule)
    assert not ClosureDay.objects.exists() and ReminderRule.objects.get(pk=rule.pk).is_active
    assert not HistoryEntry.objects.exists()


def test_a_reminder_rule_change_is_recorded_and_an_invalid_one_leaves_nothing():
    admin = administrator()
    rule = next(rule for rule in reminder_rules() if rule.offset_business_days < 0)
    rule.offset_business_days, before = rule.offset_business_days - 1, rule.offset_business_days
    reminder_rule_save(actor=admin, rule=rule)
    record = records("reminder_rule").get()
    assert (record.action, record.subject_id) == ("reminder_rule_update", rule.code)
    assert record.data["changes"] == {"offset_business_days": [before, before - 1]}
    rule.offset_business_days = 5  # a reminder (not a demand) after the deadline
    with pytest.raises(ValidationError):
        reminder_rule_save(actor=admin, rule=rule)
    assert ReminderRule.objects.get(pk=rule.pk).offset_business_days == before - 1
    assert records("reminder_rule").count() == 1


def test_administrator_adds_a_closure_day_in_the_admin_and_the_history_records_it(client):
    admin = administrator(is_staff=True)
    client.force_login(admin)
    response = client.post("/admin/calendars/closureday/add/", {"day": "2026-02-02", "reason": "庁舎停電"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert records("closure_day").get().actor == admin
    assert not is_business_day(date(2026, 2, 2))


def test_administrator_switches_a_rule_off_in_the_list_and_the_history_records_it(client):
    admin = administrator(is_staff=True)
    rules = reminder_rules()
    client.force_login(admin)
    form = {"form-TOTAL_FORMS": len(rules), "form-INITIAL_FORMS": len(rules), "_save": "Save"}
    for index, rule in enumerate(ReminderRule.objects.order_by("offset_business_days")):
        form[f"form-{index}-id"] = rule.pk
        if rule != rules[0]:
            form[f"form-{index}-is_active"] = "on"
    response = client.post("/admin/letters/reminderrule/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ReminderRule.objects.get(pk=rules[0].pk).is_active
    record = records("reminder_rule").get()
    assert record.subject_id == rules[0].code and record.data["changes"] == {"is_active": [True, False]}


def test_supervisor_with_admin_access_may_only_look_at_closure_days(client):
    boss = f.supervisor(is_staff=True)
    client.force_login(boss)
    assert client.get("/admin/calendars/closureday/").status_code == 200
    response = client.post("/admin/calendars/closureday/add/", {"day": "2026-02-02", "reason": "x"})
    assert response.status_code == 403
    assert not ClosureDay.objects.exists() and not HistoryEntry.objects.exists()
