"""Forms people can type into: what an input method types is read as plain digits and dates in the
web UI (the JSON API keeps plain numbers and ISO dates only); the bulk page starts on this fiscal year
and offers only the parts and procedures of the chosen stream."""

import re
from datetime import date

import pytest

from tests.factories import Stream
from tests import factories as f
from tests.ui.html import select_options
from web.typing import plain_amount, plain_date
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


@pytest.mark.parametrize(
    "typed, plain",
    [("１２０，０００，０００", "120000000"), ("120,000,000円", "120000000"), ("１２０、０００", "120000"), ("12a", "12a")],
)
def test_amounts_typed_with_an_input_method_are_made_plain(typed, plain):
    assert plain_amount(typed) == plain


@pytest.mark.parametrize(
    "typed, plain", [("２０２６／１１／２８", "2026-11-28"), ("2026/1/5", "2026-01-05"), ("２０２６－１１－２８", "2026-11-28"), ("明日", "明日")]
)
def test_dates_typed_with_an_input_method_are_made_iso(typed, plain):
    assert plain_date(typed) == plain


def test_an_ime_amount_and_date_are_accepted_on_the_case_page(client, today):
    today(date(2025, 11, 4))  # before the deadline typed
    officer = f.officer()
    case = f.case(actor=officer)
    client.force_login(officer)
    response = client.post(f"/cases/{case.pk}/steps/request/", {"version": 1, "deadline": "２０２５／１１／２８"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.deadline_effective == date(2025, 11, 28)
    response = client.post(f"/cases/{case.pk}/steps/submit/", {"version": case.version, "amount": "１２０，０００，０００"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.amount_requested == 120_000_000


def test_the_api_still_refuses_a_full_width_amount(api):
    officer = f.officer()
    case = f.case(actor=officer)
    case = case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    api.force_authenticate(officer)
    response = api.post(f"/api/cases/{case.pk}/transitions/submit", {"version": case.version, "amount": "１２０，０００"}, format="json")
    assert response.status_code == 422


def test_the_bulk_page_starts_on_this_fiscal_year_and_follows_the_stream(client, today):
    for year in (2022, 2025, 2026):
        f.fiscal_year(year)
    today(date(2026, 3, 31))  # still fiscal 2025
    client.force_login(f.officer())
    body = client.get("/bulk/request/").content.decode()
    assert re.search(r'<option value="2025"\s+selected>', body)
    procedures = re.findall(r'<option value="(\w+)" data-streams="([^"]*)"', body.split('name="procedure"')[1].split("</select>")[0])
    assert ("fund_balance_survey", "medical_care_fund") in procedures
    assert ("results_report", "special_adjustment_grant") in procedures
    assert 'data-follows="id_stream"' in body
    query = {"transition": "request", "fiscal_year": 2025, "stream": CSG, "part": "", "procedure": "fund_balance_survey"}
    response = client.get("/bulk/request/", query)
    assert response.status_code == 422 and "この事業にはこの手続はありません。" in response.content.decode()
    response = client.get("/bulk/request/", query | {"procedure": "initial_grant", "deadline": "２０２５／１０／３１"})
    assert response.status_code == 200
