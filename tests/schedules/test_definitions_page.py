"""The procedure definitions page: supervisors edit a year's definition of a procedure (its switches and
letters) through the schedule service, each edit audited and raising the revision; combinations the service
refuses come back as form errors that write nothing; officers and auditors read it and change nothing; the
case page names the definition revision the case follows."""

from datetime import date

import pytest

from grants.models import HistoryEntry, ProcedureYear
from grants.procedures import LETTER_CHOICES, LETTER_VALUES
from schedules.selectors import schedule_version_in_force
from tests import factories as f
from tests.letters.factories import shipped_schedules

pytestmark = pytest.mark.django_db
CSG = "community_support_grant"
URL = "/schedules/2025/definitions/"
FORM = {
    "stream": CSG,
    "sub_procedure": "initial_grant",
    "pre_consultation": "on",
    "informal_notice": "after_consultation",
    "letters": list(LETTER_VALUES),
}


def stored(year=2025, stream=CSG, procedure="initial_grant", part=""):
    return ProcedureYear.objects.get(fiscal_year_id=year, stream=stream, part=part, procedure=procedure)


def written(year=2025, stream=CSG, sub="initial_grant"):
    version = schedule_version_in_force(fiscal_year=year)
    entry = next(item for item in version.outline if item["stream"] == stream)
    return next(s for s in entry["sub_procedures"] if s["key"] == sub)["attributes"].get("definition")


def test_every_letter_a_definition_names_has_a_label():
    assert sorted(value for value, _label in LETTER_CHOICES) == sorted(LETTER_VALUES)


def test_a_supervisor_edits_a_definition_and_the_edit_is_audited_as_a_new_revision(client):
    shipped_schedules()
    boss = f.supervisor()
    client.force_login(boss)
    page = client.get(URL).content.decode()
    assert 'data-testid="definition-community_support_grant-initial_grant"' in page and "改訂1" in page
    records = HistoryEntry.objects.count()
    letters = [value for value in LETTER_VALUES if value != "presentation"]
    response = client.post(URL, {**FORM, "pre_consultation": "", "informal_notice": "after_review", "letters": letters})
    assert response.status_code == 302 and response["Location"] == URL
    assert stored().revision == 2
    assert stored().definition == {
        "pre_consultation": False, "second_consultation": False, "informal_notice": "after_review",
        "formal_application": False, "letters": letters,
    }
    assert written()["letters"] == letters  # written into the schedule, so the export carries it
    edits = list(HistoryEntry.objects.order_by("pk")[records:])
    assert [(entry.action, entry.actor_id) for entry in edits] == [("schedule_definition", boss.pk), ("procedure_definition", boss.pk)]
    assert "改訂2" in client.get(URL).content.decode()
    # every letter ticked again: every letter the steps send (None), one more revision
    client.post(URL, {**FORM, "pre_consultation": "", "informal_notice": "after_review"})
    assert (stored().revision, stored().definition["letters"]) == (3, None)
    # the same form again changes nothing and writes nothing
    records = HistoryEntry.objects.count()
    assert client.post(URL, {**FORM, "pre_consultation": "", "informal_notice": "after_review"}).status_code == 302
    assert (HistoryEntry.objects.count(), stored().revision) == (records, 3)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"pre_consultation": "", "second_consultation": "on"}, "second_consultation", "2回目の協議"),
        ({"informal_notice": "after_review", "second_consultation": "on"}, "second_consultation", "2回目"),
        ({"formal_application": "on"}, "formal_application", "交付申請"),
        ({"informal_notice": "sometimes"}, "informal_notice", "選択"),
    ],
)
def test_a_combination_the_service_refuses_is_a_form_error_and_writes_nothing(client, change, field, message):
    shipped_schedules()
    client.force_login(f.supervisor())
    before, records = stored().definition, HistoryEntry.objects.count()
    response = client.post(URL, {**FORM, **change})
    body = response.content.decode()
    assert response.status_code == 422
    section = body.split('data-testid="definition-community_support_grant-initial_grant"')[1].split("</section>")[0]
    assert "field__error" in section and message in section
    assert (stored().definition, stored().revision, HistoryEntry.objects.count()) == (before, 1, records)


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_read_the_definitions_and_change_none(client, role):
    shipped_schedules()
    client.force_login(getattr(f, role)())
    body = client.get(URL).content.decode()
    assert 'data-testid="definition-community_support_grant-initial_grant"' in body
    assert "<form method=\"post\" class=\"form-grid\">" not in body and "事前協議" in body
    records = HistoryEntry.objects.count()
    assert client.post(URL, {**FORM, "pre_consultation": ""}).status_code == 403
    assert (HistoryEntry.objects.count(), stored().revision) == (records, 1)


def test_the_case_page_names_the_definition_revision_the_case_follows(client, today):
    shipped_schedules()
    officer, boss = f.officer(), f.supervisor()
    today(date(2025, 4, 1))
    old = f.case(actor=officer)
    client.force_login(boss)
    client.post(URL, {**FORM, "pre_consultation": "", "informal_notice": "none"})
    new = f.case(actor=officer, recipient=f.municipality("112020", "熊谷市", "11"))
    client.force_login(officer)
    shown = lambda case: client.get(f"/cases/{case.pk}/").content.decode().split('data-testid="case-definition"')[1].split("</dd>")[0]  # noqa: E731
    assert "改訂1" in shown(old) and "事前協議から始まります" in shown(old)
    assert "改訂2" in shown(new) and "事前協議から始まります" not in shown(new)
    assert URL in shown(new)
