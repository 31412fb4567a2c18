"""A day written as a date that the calendar does not have (2026-02-30, 2025-13-01) is named as such — 「2026-02-30
という日付はありません。」 — by the one reading of dates (``web.dates.calendar_date``) that the steps' fields (API
and case page), the forms' date fields and the API's date fields share; a badly written date keeps its own
message, and nothing is written."""

from datetime import date

import pytest

from grants.forms import BudgetNoticeForm, HistoryFilterForm
from grants.models import HistoryEntry
from inquiries.forms import AnswerForm
from payments.forms import RepaymentForm
from schedules.views import StepWindowForm
from tests import factories as f
from tests.http import assert_error
from tests.workflows.test_rules_api import act, login
from workflows.forms import LateOnForm
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def requested(today):
    today(date(2026, 3, 10))
    officer = f.officer()
    case = f.case(actor=officer, year=2025)
    return officer, case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2026-03-31"},
                                    expected_version=case.version)


def test_a_steps_date_that_the_calendar_does_not_have_is_named_in_the_api(api, requested):
    officer, case = requested
    officer_api = login(api, officer)
    before = HistoryEntry.objects.count()
    for day in ("2026-02-30", "2025-02-29", "2025-13-01", "2025-04-31"):
        error = assert_error(act(officer_api, case.pk, "submit", case.version, amount=1, date=day), 422, "invalid_input")
        assert error["details"] == {"date": [f"{day} という日付はありません。"]}
    english = officer_api.post(f"/api/cases/{case.pk}/transitions/submit",
                               {"version": case.version, "amount": 1, "date": "2026-02-30"}, format="json", **ENGLISH)
    assert assert_error(english, 422, "invalid_input")["details"] == {"date": ["2026-02-30 is not a date in the calendar."]}
    badly_written = assert_error(act(officer_api, case.pk, "submit", case.version, amount=1, date="2026-02-3x"),
                                 422, "invalid_input")
    assert "という日付はありません" not in badly_written["details"]["date"][0]
    assert HistoryEntry.objects.count() == before


def test_a_steps_date_that_the_calendar_does_not_have_is_a_form_error_on_the_case_page(client, requested):
    officer, case = requested
    client.force_login(officer)
    before = HistoryEntry.objects.count()
    page = client.post(f"/cases/{case.pk}/steps/submit/", {"version": case.version, "amount": "1", "date": "２０２６／２／３０"})
    assert page.status_code == 422 and "2026-02-30 という日付はありません。" in page.content.decode()
    assert HistoryEntry.objects.count() == before


@pytest.mark.parametrize(
    "form, field, data",
    [
        (RepaymentForm, "paid_on", {"amount": "1"}),
        (AnswerForm, "answered_on", {"answer": "回答"}),
        (HistoryFilterForm, "date_from", {}),
        (LateOnForm, "on", {}),
        (StepWindowForm, "date_to", {"step": "1", "precision": "day"}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_the_forms_name_a_date_that_the_calendar_does_not_have(form, field, data):
    for typed, day in (("2026-02-30", "2026-02-30"), ("２０２６／２／３０", "2026-02-30"), ("2025/13/1", "2025-13-01")):
        bound = form(data | {field: typed})
        assert not bound.is_valid() and bound.errors[field] == [f"{day} という日付はありません。"], bound.errors
    bound = form(data | {field: "2026-02-3x"})
    assert not bound.is_valid() and "という日付はありません" not in bound.errors[field][0]


def test_a_budget_notices_day_that_the_calendar_does_not_have_is_named_on_its_page_too():
    form = BudgetNoticeForm({"received_on": "2026-02-30"}, fiscal_years=[2025])
    assert not form.is_valid() and form.errors["received_on"] == ["2026-02-30 という日付はありません。"]


def test_the_apis_date_fields_name_a_date_that_the_calendar_does_not_have(api):
    officer_api = login(api, f.auditor())
    answer = officer_api.get("/api/history/export", {"date_from": "2026-02-30"})
    assert assert_error(answer, 422, "invalid_input")["details"] == {"date_from": ["2026-02-30 という日付はありません。"]}
    answer = officer_api.get("/api/return-claims", {"as_of": "2025-13-01"}, **ENGLISH)
    assert assert_error(answer, 422, "invalid_input")["details"] == {"as_of": ["2025-13-01 is not a date in the calendar."]}
    badly_written = assert_error(officer_api.get("/api/return-claims", {"as_of": "2026-02-3x"}), 422, "invalid_input")
    assert "という日付はありません" not in badly_written["details"]["as_of"][0]
    # a day written with spaces around it is read as the calendar check read it: both ways the same
    assert officer_api.get("/api/return-claims", {"as_of": " 2026-02-28 "}).status_code == 200
