"""Schedules as data: the shipped YAML imports and exports without loss, is checked, versioned and audited."""

import copy
import io
import re

import pytest
import yaml
from django.core.management import CommandError, call_command

from grants.models import HistoryEntry
from grants.roles import system_user
from schedules.errors import ScheduleInvalid
from schedules.models import ScheduleHeader, ScheduleStep, ScheduleVersion
from schedules.selectors import schedule_document, schedule_version_in_force
from schedules.services import schedule_import
from tests import factories as f
from tests.letters.factories import SCHEDULES_FILE, shipped_document, shipped_schedules
from web.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_yaml_round_trip_loses_nothing():
    original = shipped_document()
    shipped_schedules()
    exported = schedule_document()
    assert exported == original
    assert yaml.safe_load(yaml.safe_dump(exported, allow_unicode=True, sort_keys=False)) == original


def test_shipped_file_holds_three_dated_versions_and_the_fy2024_marker():
    versions = {version.key: version for version in shipped_schedules()}
    assert set(versions) == {"fy2023-plan", "fy2023-actual", "fy2024", "fy2025-plan"}
    assert versions["fy2024"].steps.count() == 0
    assert ScheduleStep.objects.count() == 137  # 134 dated by the seeds, and the FY2025 demand survey's three undated


def test_as_run_is_in_force_over_the_plan_and_a_missing_year_has_none():
    shipped_schedules()
    assert schedule_version_in_force(fiscal_year=2023).key == "fy2023-actual"
    assert schedule_version_in_force(fiscal_year=2025).key == "fy2025-plan"
    assert schedule_version_in_force(fiscal_year=2024) is None


def test_each_imported_version_writes_one_history_record_and_a_reimport_writes_none():
    shipped_schedules()
    records = HistoryEntry.objects.filter(subject_type="schedule", action="schedule_import")
    assert sorted(records.values_list("subject_id", flat=True)) == ["fy2023-actual", "fy2023-plan", "fy2024", "fy2025-plan"]
    assert records.get(subject_id="fy2025-plan").data["steps"] == 54
    shipped_schedules()
    assert records.count() == 4


def test_reimport_of_a_changed_version_replaces_it_and_records_the_change():
    shipped_schedules()
    document = shipped_document()
    plan = next(item for item in document["schedules"] if item["id"] == "fy2025-plan")
    steps = plan["streams"]["community_support_grant"]["sub_procedures"]["initial_grant"]["steps"]
    deadline = next(step for step in steps if step["key"] == "initial_application_deadline")
    deadline.update(precision="exact", date_from="2026-02-26", date_to="2026-02-26", date_text_ja="令和8年2月26日")
    schedule_import(actor=system_user(), document={"schedules": [plan]}, fiscal_year=2025)
    step = ScheduleStep.objects.get(version__key="fy2025-plan", key="initial_application_deadline")
    assert step.precision == "exact" and str(step.date_to) == "2026-02-26"
    record = HistoryEntry.objects.filter(subject_id="fy2025-plan").latest("pk")
    assert record.data["changed"] == ["community_support_grant/initial_grant/initial_application_deadline"]
    assert ScheduleHeader.objects.count() == 1  # a document without header sections keeps the last one


def test_a_bad_document_is_refused_with_every_problem_named_and_nothing_written():
    document = shipped_document()
    steps = document["schedules"][3]["streams"]["community_support_grant"]["sub_procedures"]["initial_grant"]["steps"]
    steps[0]["precision"] = "soonish"
    steps[1]["date_to"] = "2025-08-30"  # 下旬 ends on the month's last day
    document["schedules"][0]["era_ja"] = "令和6年度"
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document=document)
    path = "schedules[3].streams.community_support_grant.sub_procedures.initial_grant.steps"
    assert set(refused.value.details) == {f"{path}[0].precision", f"{path}[1].precision", "schedules[0].era_ja"}
    assert not ScheduleVersion.objects.exists()


def _one_step_document(**step) -> dict:
    step = {"key": "due", "label_ja": "提出〆切", "kind": "deadline", "actor": "bureau", "precision": "exact",
            "date_from": "2025-07-10", "date_to": "2025-07-10", **step}  # fmt: skip
    sub_procedures = {"initial_grant": {"steps": [step]}}
    version = {"id": "fy2025-test", "fiscal_year": 2025, "status": "plan",
               "streams": {"community_support_grant": {"sub_procedures": sub_procedures}}}  # fmt: skip
    return {"schedules": [version]}


STEP_PATH = "schedules[0].streams.community_support_grant.sub_procedures.initial_grant.steps[0]"


@pytest.mark.parametrize(
    ("step", "place"),
    [
        ({"date_from": "0001-01-01", "date_to": "0001-01-01"}, "date_to"),
        ({"date_from": "9999-12-31", "date_to": "9999-12-31"}, "date_from"),
        ({"date_text_ja": "x" * 101}, "date_text_ja"),  # longer than the column: a 500 on PostgreSQL, kept on SQLite
        ({"label_ja": "提出\x00〆切"}, "label_ja"),
        ({"key": "k" * 81}, "key"),
        ({"year_inferred": float("nan")}, "year_inferred"),  # the database's JSON check refuses NaN: was a 500
        ({"notes": ["a\x00b"]}, "notes"),
    ],
)
def test_values_no_column_can_keep_are_refused_at_their_place(step, place):
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document=_one_step_document(**step))
    assert f"{STEP_PATH}.{place}" in refused.value.details
    assert not ScheduleVersion.objects.exists()


def test_a_schedule_id_longer_than_its_column_is_refused_at_its_place():
    document = _one_step_document()
    document["schedules"][0]["id"] = "fy" * 31
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document=document)
    assert set(refused.value.details) == {"schedules[0].id"}


def test_a_header_that_contains_itself_is_refused():
    meta: list = []
    meta.append(meta)
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document={**_one_step_document(), "meta": meta})
    assert set(refused.value.details) == {"meta"}


def test_a_document_without_schedules_is_refused_rather_than_importing_nothing():
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document={"schedules": []})
    assert set(refused.value.details) == {"schedules"}


def test_a_document_for_another_year_is_refused_by_the_years_endpoint_service():
    with pytest.raises(ScheduleInvalid):
        schedule_import(actor=system_user(), document=shipped_document(), fiscal_year=2025)


def _moved_to_2025(version_id: str) -> dict:
    """A shipped version under its own id, but saying it is of fiscal year 2025."""
    version = copy.deepcopy(next(item for item in shipped_document()["schedules"] if item["id"] == version_id))
    version.update(fiscal_year=2025, era_ja="令和7年度")
    return {"schedules": [version]}


def _as_written(version_id: str) -> tuple:
    version = ScheduleVersion.objects.get(key=version_id)
    return version.fiscal_year, list(version.steps.order_by("position").values_list("key", "date_to"))


@pytest.mark.parametrize("fiscal_year", [2025, None])
def test_a_version_id_of_another_year_is_refused_at_its_place_and_nothing_written(fiscal_year):
    shipped_schedules()
    before, records = _as_written("fy2023-actual"), HistoryEntry.objects.count()
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=system_user(), document=_moved_to_2025("fy2023-actual"), fiscal_year=fiscal_year)
    assert list(refused.value.details) == ["schedules[0].id"]
    assert "fy2023-actual" in refused.value.details["schedules[0].id"][0]
    assert _as_written("fy2023-actual") == before
    assert schedule_version_in_force(fiscal_year=2023).key == "fy2023-actual"
    assert HistoryEntry.objects.count() == records


def test_a_version_reimported_into_its_own_year_is_still_replaced():
    shipped_schedules()
    document = {"schedules": [copy.deepcopy(item) for item in shipped_document()["schedules"] if item["id"] == "fy2023-actual"]}
    document["schedules"][0]["source_doc"] = "000, 003"
    schedule_import(actor=system_user(), document=document, fiscal_year=2023)
    assert ScheduleVersion.objects.get(key="fy2023-actual").source_doc == "000, 003"


def test_the_import_command_refuses_a_version_id_of_another_year(tmp_path):
    shipped_schedules()
    before = _as_written("fy2023-actual")
    moved = tmp_path / "moved.yaml"
    moved.write_text(yaml.safe_dump(_moved_to_2025("fy2023-actual"), allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"invalid_schedule[\s\S]*schedules\[0\]\.id: .*fy2023-actual"):
        call_command("import_schedules", str(moved))
    assert _as_written("fy2023-actual") == before


def test_only_supervisors_import():
    with pytest.raises(PermissionDenied):
        schedule_import(actor=f.officer(), document=shipped_document())
    schedule_import(actor=f.supervisor(), document=copy.deepcopy(shipped_document()))
    assert HistoryEntry.objects.filter(subject_type="schedule", actor_role="supervisor").count() == 4


def test_import_and_export_commands(tmp_path):
    out = io.StringIO()
    call_command("import_schedules", str(SCHEDULES_FILE), stdout=out)
    assert "fy2025-plan: FY2025 plan, 54 steps" in out.getvalue()
    target = tmp_path / "fy2025.yaml"
    call_command("export_schedules", "2025", "--output", str(target))
    exported = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [item["id"] for item in exported["schedules"]] == ["fy2025-plan"]
    assert exported["meta"] == shipped_document()["meta"]


def test_commands_fail_loudly_on_bad_input(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schedules: [{id: x, fiscal_year: 1999, status: plan, streams: {}}]", encoding="utf-8")
    with pytest.raises(CommandError, match="invalid_schedule"):
        call_command("import_schedules", str(broken))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_schedules", str(tmp_path / "missing.yaml"))
    with pytest.raises(CommandError, match="schedule_not_found"):
        call_command("export_schedules", "2031")


def test_export_to_a_place_that_cannot_be_written_is_a_clear_error(tmp_path):
    shipped_schedules()
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_schedules", "2025", "--output", str(tmp_path / "missing" / "fy2025.yaml"))
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_schedules", "2025", "--output", str(tmp_path))


IMPOSSIBLE_DAY = "schedules:\n- {id: fy2025-test, fiscal_year: 2025, status: plan, streams: {community_support_grant: {sub_procedures: {initial_grant: {steps: [{key: due, label_ja: 提出〆切, kind: deadline, actor: bureau, precision: late, date_from: 2026-02-21, date_to: 2026-02-29}]}}}}}\n"


def test_an_impossible_day_in_the_file_is_named_at_its_place_not_a_traceback(tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text(IMPOSSIBLE_DAY, encoding="utf-8")  # 2026 is no leap year: YAML itself cannot read the day
    with pytest.raises(CommandError, match=rf"invalid_schedule[\s\S]*{re.escape(STEP_PATH)}\.date_to: Not a date"):
        call_command("import_schedules", str(typo))
    odd_tag = tmp_path / "tag.yaml"
    odd_tag.write_text(IMPOSSIBLE_DAY.replace("fiscal_year: 2025", "fiscal_year: !!int twenty"), encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_schedules", str(odd_tag))
    assert not ScheduleVersion.objects.exists()


def test_of_two_plans_the_dated_one_is_in_force_on_every_database():
    undated = _one_step_document()["schedules"][0]
    dated = {**copy.deepcopy(undated), "id": "fy2025-dated", "as_of": "2025-06-02"}
    schedule_import(actor=system_user(), document={"schedules": [undated, dated]})
    assert schedule_version_in_force(fiscal_year=2025).key == "fy2025-dated"  # PostgreSQL sorted the undated first
