"""The case page's amounts in a real browser: a procedure shows the money rows its spec declares — a demand
survey the figures its papers give and no decided, settled or paid amount, on its page and as it stood on a
past day; a grant decision those too."""

from datetime import date

import pytest
from django.utils import timezone

from tests import factories as f
from tests.factories import Stream
from tests.ui.test_browser import chromium, open_as, people, shot  # noqa: F401  (fixtures)
from workflows.services import case_transition

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

FIGURES = {"expected_next_year": 120_000_000, "expected_second_year": 95_500_000, "expected_third_year": 80_000_000}


def amount_rows(page) -> list[str]:
    return [row.strip() for row in page.locator("#h-amounts + table th").all_inner_texts()]


def test_a_demand_survey_shows_its_expected_amounts_and_no_decided_settled_or_paid_amount(
    open_as, live_server, people, today
):
    today(date(2025, 9, 15))
    officer = people["officer"]
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    survey = case_transition(
        case_id=survey.pk, name="request", actor=officer, data={"deadline": date(2025, 9, 30), "occurred_on": date(2025, 9, 1)},
        expected_version=survey.version,
    )
    case_transition(
        case_id=survey.pk, name="submit_expected_amounts", actor=officer, data={"date": date(2025, 9, 10), **FIGURES},
        expected_version=survey.version,
    )
    grant = f.case(actor=officer)
    page = open_as(officer)

    page.goto(f"{live_server.url}/cases/{survey.pk}/")
    rows = amount_rows(page)
    assert "令和8年度の所要見込額" in rows and "令和10年度の所要見込額" in rows
    assert not {"決定額", "現在の交付額（変更後）", "確定額", "支払済額"} & set(rows), rows
    assert page.get_by_test_id("amount-paid").count() == 0
    shot(page, "40-demand-survey-amounts-1366")
    page.goto(f"{live_server.url}/cases/{survey.pk}/as-of/?date={timezone.localtime(timezone.now()):%Y-%m-%d}")  # as it stands (Japan's day)
    as_of = [row.strip() for row in page.locator("main table th").all_inner_texts()]
    assert "申請額" in as_of and not {"決定額", "現在の交付額（変更後）", "確定額"} & set(as_of), as_of

    page.goto(f"{live_server.url}/cases/{grant.pk}/")
    rows = amount_rows(page)
    assert {"決定額", "現在の交付額（変更後）", "支払済額"} <= set(rows), rows
    assert "確定額" not in rows  # a decision settles nothing: its settlement is a case of its own


def test_the_case_as_of_a_day_lists_its_amounts_in_the_case_pages_order(open_as, live_server, people, today):
    """One order for both pages (ProcedureSpec.amount_rows): the figures the papers give before what they ask for,
    and the informal notice before the papers; the as-of page only leaves out what was paid, which it does not know."""
    today(date(2025, 9, 15))
    officer = people["officer"]
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    for name, data in [("request", {"deadline": date(2025, 9, 30), "occurred_on": date(2025, 9, 1)}),
                       ("submit_expected_amounts", {"date": date(2025, 9, 10), **FIGURES})]:
        survey = case_transition(case_id=survey.pk, name=name, actor=officer, data=data, expected_version=survey.version)
    f.pre_consultation(2025, Stream.COMMUNITY_SUPPORT_GRANT, "initial_grant")
    grant = f.case(actor=officer)
    for name, data in [("request_consultation", {}), ("submit_consultation", {"amount": 1_000_000, "date": date(2025, 9, 15)}),
                       ("present_amount", {"amount": 900_000})]:
        grant = case_transition(case_id=grant.pk, name=name, actor=officer, data=data, expected_version=grant.version)
    page = open_as(officer)
    for case in (survey, grant):
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        on_the_case_page = [row for row in amount_rows(page) if row != "支払済額"]
        page.goto(f"{live_server.url}/cases/{case.pk}/as-of/?date={timezone.localtime(timezone.now()):%Y-%m-%d}")  # as it stands (Japan's day)
        as_of = [row.strip() for row in page.locator("main table th").all_inner_texts()]
        assert as_of == on_the_case_page, (case.procedure, as_of, on_the_case_page)
    assert on_the_case_page[:2] == ["事前協議額", "内示額"]
    shot(page, "44-case-as-of-amounts-1366")
