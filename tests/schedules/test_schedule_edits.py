"""Supervisors edit schedules in the admin and through the services; every edit is in the history."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from grants.models import HistoryEntry
from schedules.models import ScheduleStep
from schedules.services import schedule_step_delete, schedule_step_save, schedule_version_save
from tests import factories as f
from tests.letters.factories import ScheduleStepFactory
from web.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def records(action):
    return HistoryEntry.objects.filter(subject_type="schedule", action=action)


def test_a_changed_step_is_recorded_with_before_and_after():
    boss = f.supervisor()
    step = ScheduleStepFactory()
    step.precision, step.date_from, step.date_to = "late", date(2030, 7, 21), date(2030, 7, 31)
    schedule_step_save(actor=boss, step=step)
    record = records("schedule_step_update").get()
    assert record.subject_id == step.version.key and record.actor == boss and record.actor_role == "supervisor"
    assert record.data["changes"]["precision"] == ["exact", "late"]
    assert record.data["changes"]["date_to"] == ["2030-07-10", "2030-07-31"]


def test_an_unchanged_save_writes_nothing():
    step = ScheduleStepFactory()
    schedule_step_save(actor=f.supervisor(), step=ScheduleStep.objects.get(pk=step.pk))
    assert not HistoryEntry.objects.exists()


def test_an_inconsistent_window_is_refused():
    step = ScheduleStepFactory()
    step.precision = "mid"
    with pytest.raises(ValidationError):
        schedule_step_save(actor=f.supervisor(), step=step)
    assert not HistoryEntry.objects.exists()


def test_officers_cannot_edit_schedules():
    step = ScheduleStepFactory()
    step.label_ja = "変更"
    with pytest.raises(PermissionDenied):
        schedule_step_save(actor=f.officer(), step=step)
    with pytest.raises(PermissionDenied):
        schedule_version_save(actor=f.officer(), version=step.version)


def test_a_deleted_step_leaves_what_it_said_in_the_record():
    step = ScheduleStepFactory(key="gone")
    schedule_step_delete(actor=f.supervisor(), step=step)
    assert not ScheduleStep.objects.exists()
    assert records("schedule_step_delete").get().data["deleted"]["key"] == "gone"


def _change_form(version, steps, **overrides) -> dict:
    data = {
        "fiscal_year": version.fiscal_year, "status": version.status, "as_of": "", "source_doc": version.source_doc,
        "outline": json.dumps(version.outline), "extra": json.dumps(version.extra),
        "steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0, "steps-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for index, step in enumerate(steps):
        for name in ("stream", "sub_procedure", "position", "key", "label_ja", "label_en", "kind", "actor", "part",
                     "precision", "date_text_ja", "source"):  # fmt: skip
            data[f"steps-{index}-{name}"] = getattr(step, name)
        data[f"steps-{index}-date_from"] = step.date_from or ""
        data[f"steps-{index}-date_to"] = step.date_to or ""
        data[f"steps-{index}-extra"] = json.dumps(step.extra)
        data[f"steps-{index}-id"] = step.pk
        data[f"steps-{index}-version"] = version.pk
    return data | overrides


def test_supervisor_edits_a_step_in_the_admin_and_the_history_records_it(client):
    boss = f.supervisor(is_staff=True)
    step = ScheduleStepFactory()
    client.force_login(boss)
    url = f"/admin/schedules/scheduleversion/{step.version.pk}/change/"
    response = client.post(url, _change_form(step.version, [step], **{"steps-0-date_from": "2030-07-09", "steps-0-date_to": "2030-07-09"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    step.refresh_from_db()
    assert step.date_to == date(2030, 7, 9)
    assert records("schedule_step_update").get().actor == boss


def test_officer_with_admin_access_may_only_look(client):
    officer = f.officer(is_staff=True)
    step = ScheduleStepFactory()
    client.force_login(officer)
    url = f"/admin/schedules/scheduleversion/{step.version.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _change_form(step.version, [step], **{"steps-0-label_ja": "書き換え"}))
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.label_ja == "提出〆切"
