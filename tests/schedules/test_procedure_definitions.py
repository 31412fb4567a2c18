"""Each fiscal year's procedure definition is data of its schedule: imported, exported, edited (audited),
rolled forward, and copied by a case when it is created."""

from datetime import date

import pytest

from grants.models import Case, HistoryEntry, ProcedureYear
from schedules.errors import ScheduleInvalid
from schedules.selectors import schedule_document, schedule_version_in_force
from schedules.services import schedule_definition_save, schedule_import, schedule_rollforward
from tests import factories as f
from tests.letters.factories import act, shipped_document, shipped_schedules
from workflows.errors import ConditionUnmet

pytestmark = pytest.mark.django_db
CSG = "community_support_grant"


def definition(year, stream=CSG, procedure="initial_grant", part=""):
    return ProcedureYear.objects.get(fiscal_year_id=year, stream=stream, part=part, procedure=procedure)


def test_shipped_schedules_define_each_years_shape():
    shipped_schedules()
    assert definition(2025).definition["pre_consultation"] is True
    assert definition(2025).definition["informal_notice"] == "after_consultation"
    assert definition(2023).definition["pre_consultation"] is False  # FY2023 as run: adjusted after the review
    assert definition(2023).definition["informal_notice"] == "after_review"
    assert definition(2023, procedure="change_grant").definition["pre_consultation"] is True
    for part in ("facilities", "personnel"):
        fund = definition(2023, "medical_care_fund", part=part).definition
        assert fund["second_consultation"] is True and fund["pre_consultation"] is True
    assert definition(2025, "special_adjustment_grant").definition["formal_application"] is True


def test_rolled_forward_fy2025_schedule_gives_cases_that_start_with_the_pre_consultation(today):
    shipped_schedules()
    boss, officer = f.supervisor(), f.officer()
    schedule_rollforward(actor=boss, from_year=2025, to_year=2027)
    assert definition(2027).definition["pre_consultation"] is True
    today(date(2027, 4, 1))
    case = f.case(actor=officer, year=2027)
    with pytest.raises(ConditionUnmet):
        act(case, "request", officer)
    case = act(case, "request_consultation", officer, deadline="2027-08-31")
    assert case.state == "consultation_requested"


def test_export_carries_the_definition_and_import_reads_it_back():
    shipped_schedules()
    document = schedule_document(fiscal_year=2025)
    sub = document["schedules"][0]["streams"][CSG]["sub_procedures"]["initial_grant"]
    assert sub["definition"] == {"pre_consultation": True, "informal_notice": "after_consultation"}
    sub["definition"] = {"informal_notice": "after_review"}
    schedule_import(actor=f.supervisor(), document=document, fiscal_year=2025)
    assert definition(2025).definition["pre_consultation"] is False
    assert definition(2025).revision == 2


def test_import_refuses_an_unknown_definition_at_its_place():
    document = shipped_document()
    document["schedules"][3]["streams"][CSG]["sub_procedures"]["initial_grant"]["definition"] = {
        "pre_consultation": "yes",
        "third_round": True,
    }
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_import(actor=f.supervisor(), document=document)
    place = "schedules[3].streams.community_support_grant.sub_procedures.initial_grant.definition"
    assert set(refused.value.details) >= {f"{place}.pre_consultation", f"{place}.third_round"}
    assert not ProcedureYear.objects.exists()


def test_an_edit_is_audited_and_a_case_created_before_it_keeps_its_shape(today):
    shipped_schedules()
    boss, officer = f.supervisor(), f.officer()
    today(date(2025, 4, 1))
    before = f.case(actor=officer, year=2025)
    version = schedule_version_in_force(fiscal_year=2025)
    records = HistoryEntry.objects.count()
    schedule_definition_save(
        actor=boss, version=version, stream=CSG, sub_procedure="initial_grant", definition={"informal_notice": "none"}
    )
    edits = HistoryEntry.objects.order_by("pk")[records:]
    assert [entry.action for entry in edits] == ["schedule_definition", "procedure_definition"]
    assert edits[0].data["before"] == {"pre_consultation": True, "informal_notice": "after_consultation"}
    assert edits[1].data["after"]["pre_consultation"] is False and edits[1].data["revision"] == 2
    after = f.case(actor=officer, year=2025, recipient=f.municipality("112020", "熊谷市", "11"))
    assert (before.definition_revision, after.definition_revision) == (1, 2)
    # the case created before the edit still starts with the pre-consultation; the later one does not
    with pytest.raises(ConditionUnmet):
        act(before, "request", officer)
    assert act(before, "request_consultation", officer).state == "consultation_requested"
    with pytest.raises(ConditionUnmet):
        act(after, "request_consultation", officer)
    assert act(after, "request", officer).state == "requested"
    assert Case.objects.get(pk=before.pk).definition["pre_consultation"] is True


def test_only_schedule_editors_change_a_definition():
    from web.errors import PermissionDenied

    shipped_schedules()
    version = schedule_version_in_force(fiscal_year=2025)
    with pytest.raises(PermissionDenied):
        schedule_definition_save(
            actor=f.officer(), version=version, stream=CSG, sub_procedure="initial_grant", definition={}
        )
    assert definition(2025).revision == 1
