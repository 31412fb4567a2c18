"""Every label and state in the reader's language: the admin's closure days and scope rows, the schedule
editor's headings and its refusals, the deadline word of the schedules (〆切, not the scan's ×切)."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from grants.models import Role
from grants.roles import role_group
from schedules.services import schedule_step_save
from tests import factories as f
from tests.letters.factories import ScheduleStepFactory

pytestmark = pytest.mark.django_db
SCHEDULES = Path(__file__).resolve().parents[2] / "schedules" / "data" / "schedules.yaml"


def test_the_admin_names_closure_days_and_scope_rows_in_japanese(client):
    admin = get_user_model().objects.create_user("adm", password="x", is_staff=True)
    admin.groups.add(role_group(Role.ADMINISTRATOR))
    client.force_login(admin)
    home = client.get("/admin/").content.decode()
    assert "臨時休庁日" in home and "担当範囲" in home and "Closure days" not in home
    add = client.get("/admin/calendars/closureday/add/").content.decode()
    assert "日付:" in add and "理由:" in add and "Day:" not in add
    scope = client.get("/admin/grants/scope/add/").content.decode()
    assert "事業:" in scope and "Stream:" not in scope


def test_a_window_out_of_order_is_refused_in_words_not_by_constraint_name():
    step = ScheduleStepFactory()
    step.precision, step.date_from, step.date_to = "exact", date(2030, 7, 20), date(2030, 7, 10)
    with pytest.raises(ValidationError) as refused:
        schedule_step_save(actor=f.supervisor(), step=step)
    text = " ".join(str(m) for m in refused.value.messages)
    assert "step_window_in_order" not in text


def test_the_schedules_spell_the_deadline_as_people_read_it():
    def labels(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from ([value] if key == "label_ja" else labels(value))
        elif isinstance(node, list):
            for item in node:
                yield from labels(item)

    spelt = list(labels(yaml.safe_load(SCHEDULES.read_text(encoding="utf-8"))))
    assert any("〆切" in label for label in spelt)
    assert not [label for label in spelt if "×切" in label]


def test_the_schedule_editor_heads_each_schedule_with_its_fiscal_year(client):
    step = ScheduleStepFactory()
    client.force_login(f.supervisor())
    body = client.get(f"/schedules/{step.version.fiscal_year}/").content.decode()
    assert f">{step.version.key} <" not in body and "年度 <span class=\"badge\">" in body


def test_the_admin_names_schedules_their_columns_and_filters_in_japanese(client):
    ScheduleStepFactory()
    admin = get_user_model().objects.create_user("adm", password="x", is_staff=True)
    admin.groups.add(role_group(Role.ADMINISTRATOR))
    client.force_login(admin)
    versions = client.get("/admin/schedules/scheduleversion/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "スケジュールの版" in versions and "識別子" in versions and "資料の日付" in versions and "年度 で絞り込む" in versions
    for english in ("Schedule versions", "schedule version", "Fiscal year", "fiscal year", "As of", "Source doc"):
        assert english not in versions, english
    closures = client.get("/admin/calendars/closureday/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "日付で絞り込む" in closures and "Filter by" not in closures


def test_the_admins_day_fields_are_date_inputs_that_say_nothing_of_times(client):
    """The admin's own date widget (``vDateField``) gets a note from the admin's script to enter times in the
    server's time zone; a closure day or a schedule's day has no time, so it is the browser's date input."""
    step = ScheduleStepFactory()
    admin = get_user_model().objects.create_user("adm", password="x", is_staff=True)
    admin.groups.add(role_group(Role.ADMINISTRATOR))
    client.force_login(admin)
    add = client.get("/admin/calendars/closureday/add/").content.decode()
    assert 'type="date" name="day"' in add and "vDateField" not in add
    boss = f.supervisor(is_staff=True)
    client.force_login(boss)
    version = client.get(f"/admin/schedules/scheduleversion/{step.version.pk}/change/").content.decode()
    assert 'type="date" name="as_of"' in version and "vDateField" not in version


def test_the_schedule_editor_names_steps_in_the_readers_language(client):
    step = ScheduleStepFactory(label_ja="提出〆切", label_en="Papers due")
    client.force_login(f.supervisor())
    client.post("/i18n/setlang/", {"language": "en"})
    english = client.get(f"/schedules/{step.version.fiscal_year}/").content.decode()
    assert "Papers due" in english and "提出〆切" not in english
    client.post("/i18n/setlang/", {"language": "ja"})
    japanese = client.get(f"/schedules/{step.version.fiscal_year}/").content.decode()
    assert "提出〆切" in japanese


def test_the_admin_s_closure_day_messages_name_the_day_in_the_era(client):
    """「臨時休庁日 “令和8年12月28日 庁舎電気設備点検のため” を追加しました」, not the ISO day."""
    from calendars.models import ClosureDay

    admin = get_user_model().objects.create_user("adm", password="x", is_staff=True)
    admin.groups.add(role_group(Role.ADMINISTRATOR))
    client.force_login(admin)
    added = client.post("/admin/calendars/closureday/add/", {"day": "2026-12-28", "reason": "庁舎電気設備点検のため"},
                        follow=True, HTTP_ACCEPT_LANGUAGE="ja")
    body = added.content.decode()
    assert ClosureDay.objects.filter(day=date(2026, 12, 28)).exists()
    assert "令和8年12月28日 庁舎電気設備点検のため" in body and "2026-12-28 庁舎" not in body


def test_the_verification_page_dates_its_checkpoint_in_japan_time_and_the_era(client, django_capture_on_commit_callbacks):
    """「チェックポイント #1（2026-12-06T13:33:09+00:00）」 read as 令和… in Japan time; English keeps ISO digits."""
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from calendars.eras import era_date

    from grants.history import history_checkpoint
    from grants.models import HistoryCheckpoint

    f.case(actor=f.officer())
    with django_capture_on_commit_callbacks(execute=True):
        history_checkpoint()
    signed = datetime.fromisoformat(json.loads(HistoryCheckpoint.objects.get().payload)["signed_at"])
    tokyo = signed.astimezone(ZoneInfo("Asia/Tokyo"))
    client.force_login(f.auditor())
    body = client.get("/history/verify/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f"署名付きチェックポイント #1（{era_date(tokyo.date())} {tokyo:%H:%M}）" in body and "+00:00" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/history/verify/"})
    english = client.get("/history/verify/").content.decode()
    assert "Signed checkpoint #1 (20" in english and "+00:00" not in english


def test_a_closure_day_on_a_day_the_offices_are_closed_already_is_a_form_error_and_nothing_is_saved(client):
    from calendars.models import ClosureDay
    from grants.models import HistoryEntry

    admin = get_user_model().objects.create_user("adm", password="x", is_staff=True)
    admin.groups.add(role_group(Role.ADMINISTRATOR))
    client.force_login(admin)
    records = HistoryEntry.objects.count()
    for closed in ("2026-12-27", "2026-11-03", "2026-12-30"):  # a Sunday, 文化の日, the year-end closure
        page = client.post("/admin/calendars/closureday/add/", {"day": closed, "reason": "庁舎点検"})
        assert page.status_code == 200 and "既に閉庁日です" in page.content.decode(), closed
    assert not ClosureDay.objects.exists() and HistoryEntry.objects.count() == records
    saved = client.post("/admin/calendars/closureday/add/", {"day": "2026-12-28", "reason": "庁舎点検"})  # a Monday
    assert saved.status_code == 302 and ClosureDay.objects.filter(day="2026-12-28").exists()
