"""The fund's demand survey (事業見込み量（所要額）調査), per prefecture, fiscal year and part: request letter → the
expected amounts of the next three fiscal years → returned for correction → resubmitted → reviewed → accepted,
through the service and through the API; its request letter read back as text; its accepted figures beside the
fund balances, scoped as that page is; a refused act writes nothing."""

import subprocess
import unicodedata
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import translation
from knox.models import AuthToken

from grants.models import Case, HistoryEntry
from letters.models import Letter
from letters.services.letters import letter_render
from payments.services import FundBalanceRow, fund_balance_import
from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error
from web.errors import InvalidInput
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

FUND = Stream.MEDICAL_CARE_FUND
FIGURES = {"expected_next_year": 120_000_000, "expected_second_year": 95_500_000, "expected_third_year": 80_000_000}
CORRECTED = {"expected_next_year": 118_000_000, "expected_second_year": 95_500_000, "expected_third_year": 0}
SUBJECT = "令和7年度地域医療介護総合確保基金（施設分）の事業見込み量（所要額）調査について（依頼）"


@pytest.fixture(autouse=True)
def _setting(today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today(date(2025, 9, 15))


@pytest.fixture
def officer():
    return f.officer(prefectures=("11",))


def survey(officer, part="facilities", prefecture="11") -> Case:
    return f.case(actor=officer, stream=FUND, part=part, procedure="demand_survey", recipient=f.prefecture(prefecture))


def act(case, name, actor, **data) -> Case:
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def the_path(case, officer) -> Case:
    """Request, papers, return, papers again, review, acceptance: each act entered with its own day, in order."""
    case = act(case, "request", officer, deadline="2025-09-30", occurred_on="2025-09-01")
    case = act(case, "submit_expected_amounts", officer, date="2025-09-10", occurred_on="2025-09-10", **FIGURES)
    assert (case.state, case.amounts_expected, case.amount_requested) == (
        "submitted", {"2026": 120_000_000, "2027": 95_500_000, "2028": 80_000_000}, 295_500_000,
    )
    case = act(case, "return_for_correction", officer, reason="令和8年度の所要額に人材分が含まれている", occurred_on="2025-09-11")
    assert case.state == "returned"
    case = act(case, "submit_expected_amounts", officer, date="2025-09-12", occurred_on="2025-09-12", **CORRECTED)
    case = act(case, "start_review", officer)  # today, 2025-09-15
    return act(case, "accept", officer)


def test_a_survey_runs_request_submit_return_resubmit_accept_through_the_service(officer):
    case = the_path(survey(officer), officer)
    case.refresh_from_db()
    assert case.state == "accepted"
    assert case.amounts_expected == {"2026": 118_000_000, "2027": 95_500_000, "2028": 0}
    assert case.amount_requested == 213_500_000  # the parts sum exactly
    assert (case.deadline_effective, case.submitted_on, case.submitted_late) == (date(2025, 9, 30), date(2025, 9, 12), False)
    actions = list(HistoryEntry.objects.filter(case=case, subject_type="case").order_by("pk").values_list("action", flat=True))
    assert actions == [
        "create", "request", "submit_expected_amounts", "return_for_correction", "submit_expected_amounts", "start_review", "accept",
    ]
    resubmitted = HistoryEntry.objects.filter(case=case, action="submit_expected_amounts").order_by("pk").last()
    assert resubmitted.data["fields"]["expected_next_year"] == 118_000_000
    assert resubmitted.data["amounts_before"]["requested"] == 295_500_000
    assert resubmitted.data["amounts_after"]["requested"] == 213_500_000


def test_the_request_letter_names_the_survey_and_the_years_it_asks_about(officer, tmp_path):
    case = act(survey(officer), "request", officer, deadline="2025-09-30")
    [letter] = Letter.objects.filter(case=case, kind="request")
    assert letter.subject == SUBJECT
    letter = letter_render(letter_id=letter.pk)
    path = tmp_path / "request.pdf"
    with default_storage.open(letter.pdf.name, "rb") as stored:
        path.write_bytes(stored.read())
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode()
    text = "".join(unicodedata.normalize("NFKC", out).split())
    assert "".join(unicodedata.normalize("NFKC", SUBJECT).split()) in text
    assert "令和8年度から令和10年度まで" in text and "令和7年9月30日" in text


@pytest.mark.parametrize(
    "data, field",
    [
        ({**FIGURES, "expected_third_year": None}, "expected_third_year"),  # every year the form asks about
        ({**FIGURES, "expected_next_year": -1}, "expected_next_year"),
        ({**FIGURES, "expected_second_year": "12.5"}, "expected_second_year"),
        ({**FIGURES, "amount": 1}, "amount"),  # the fund balance survey's field is not this step's
        ({**FIGURES, "date": "2025-09-16"}, "date"),  # after today
    ],
)
def test_a_refused_submission_writes_nothing(officer, data, field):
    case = act(survey(officer), "request", officer, deadline="2025-09-30")
    before = (HistoryEntry.objects.count(), Letter.objects.count())
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        act(case, "submit_expected_amounts", officer, **{k: v for k, v in data.items() if v is not None})
    assert field in raised.value.details
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.version, stored.amounts_expected, stored.amount_requested) == ("requested", case.version, {}, None)
    assert (HistoryEntry.objects.count(), Letter.objects.count()) == before


def test_other_procedures_do_not_take_expected_amounts(officer):
    balance = f.case(actor=officer, stream=FUND, part="facilities", procedure="fund_balance_survey", recipient=f.prefecture())
    balance = act(balance, "request", officer, deadline="2025-09-30")
    before = HistoryEntry.objects.count()
    with pytest.raises(Exception) as raised:
        act(balance, "submit_expected_amounts", officer, **FIGURES)
    assert getattr(raised.value, "code", "") == "transition_not_allowed"
    assert HistoryEntry.objects.count() == before and Case.objects.get(pk=balance.pk).state == "requested"


# ---------------------------------------------------------------- over HTTP


def as_user(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user=user)[1]}")
    return api


def test_a_survey_runs_its_path_through_the_api(api, officer):
    case = survey(officer)
    as_user(api, officer)

    def post(name, **data):
        version = api.get(f"/api/cases/{case.pk}").json()["version"]
        return api.post(f"/api/cases/{case.pk}/transitions/{name}", {"version": version, **data}, format="json")

    detail = api.get(f"/api/cases/{case.pk}").json()
    assert [t["name"] for t in detail["available_transitions"]] == ["request", "withdraw"]
    assert post("request", deadline="2025-09-30", occurred_on="2025-09-01").status_code == 200
    offered = {t["name"]: t for t in api.get(f"/api/cases/{case.pk}").json()["available_transitions"]}
    assert [field["name"] for field in offered["submit_expected_amounts"]["fields"]] == [
        "expected_next_year", "expected_second_year", "expected_third_year", "date",
    ]
    before = HistoryEntry.objects.count()
    refused = post("submit_expected_amounts", expected_next_year="many", expected_second_year=1)
    error = assert_error(refused, 422, "invalid_input")
    assert set(error["details"]) == {"expected_next_year", "expected_third_year"}
    assert HistoryEntry.objects.count() == before
    submitted = post("submit_expected_amounts", date="2025-09-10", occurred_on="2025-09-10", **FIGURES)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["amounts_expected"] == {"2026": 120_000_000, "2027": 95_500_000, "2028": 80_000_000}
    assert post("return_for_correction", reason="記入漏れ", occurred_on="2025-09-11").json()["state"] == "returned"
    resubmitted = post("submit_expected_amounts", date="2025-09-12", occurred_on="2025-09-12", **CORRECTED)
    assert resubmitted.json()["amounts"]["requested"] == 213_500_000
    assert post("start_review").status_code == 200
    accepted = post("accept").json()
    assert (accepted["state"], accepted["amounts_expected"]) == ("accepted", {"2026": 118_000_000, "2027": 95_500_000, "2028": 0})
    tokyo = as_user(api, f.officer(prefectures=("13",)))
    assert tokyo.get(f"/api/cases/{case.pk}").status_code in (403, 404)


# ---------------------------------------------------------------- beside the fund balances


def test_accepted_figures_stand_beside_the_fund_balances_in_the_readers_scope(officer):
    supervisor = f.supervisor()
    f.prefecture("11"), f.prefecture("12"), f.fiscal_year(2025)
    fund_balance_import(actor=supervisor, rows=[
        FundBalanceRow("11", 2025, 500_000_000, 0, 0, 0, 0, 500_000_000),
        FundBalanceRow("12", 2025, 300_000_000, 0, 0, 0, 0, 300_000_000),
    ])
    the_path(survey(officer), officer)
    personnel = act(survey(officer, part="personnel"), "request", officer, deadline="2025-09-30")
    act(personnel, "submit_expected_amounts", officer, **{k: 7_000_000 for k in FIGURES})  # submitted, not accepted

    def page(user) -> str:
        client = Client()
        client.force_login(user)
        with translation.override("en"):
            response = client.get("/fund-balances/", {"fiscal_year": 2025}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return response.content.decode()

    seen = page(officer)
    assert "118,000,000" in seen and "95,500,000" in seen and "213,500,000" in seen
    assert "7,000,000" not in seen  # not accepted yet
    assert "500,000,000" in seen and "300,000,000" not in seen  # Saitama's balance only
    assert "118,000,000" not in page(f.officer(prefectures=("12",)))
    auditor_sees = page(f.auditor())
    assert "118,000,000" in auditor_sees and "300,000,000" in auditor_sees


def test_the_case_page_shows_the_figures_by_year(officer):
    from django.urls import reverse

    case = the_path(survey(officer), officer)
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="amount-expected"') == 3
    assert "令和8年度の所要見込額" in html and "118,000,000" in html and "令和10年度の所要見込額" in html


def test_the_as_of_view_shows_the_figures_as_they_stood_on_each_day(officer, today):
    """Each act's record keeps the survey's figures in its snapshot, so the as-of view shows those of the day asked."""
    from datetime import datetime, time

    from django.urls import reverse
    from django.utils import timezone

    from workflows.selectors import case_as_of

    def end_of(day):
        return datetime.combine(day, time.max, tzinfo=timezone.get_default_timezone())

    today(date(2025, 9, 26))  # entered later, each act on its own day
    case = act(survey(officer), "request", officer, deadline="2025-09-30", occurred_on="2025-09-01")
    case = act(case, "submit_expected_amounts", officer, date="2025-09-10", occurred_on="2025-09-10", **FIGURES)
    case = act(case, "return_for_correction", officer, reason="人材分が含まれている", occurred_on="2025-09-11")
    case = act(case, "submit_expected_amounts", officer, date="2025-09-12", occurred_on="2025-09-12", **CORRECTED)
    assert "amounts_expected" not in case_as_of(case=case, moment=end_of(date(2025, 9, 1)))  # requested: none yet
    assert case_as_of(case=case, moment=end_of(date(2025, 9, 11)))["amounts_expected"] == {
        "2026": 120_000_000, "2027": 95_500_000, "2028": 80_000_000,
    }
    assert case_as_of(case=case, moment=end_of(date(2025, 9, 12)))["amounts_expected"] == {
        "2026": 118_000_000, "2027": 95_500_000, "2028": 0,
    }
    client = Client()
    client.force_login(officer)
    html = client.get(reverse("case-as-of", args=[case.pk]), {"date": "2025-09-11"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert html.count('data-testid="as-of-expected"') == 3
    assert "令和8年度の所要見込額" in html and "120,000,000" in html and "118,000,000" not in html


def test_the_schedule_has_the_survey_undated_until_a_supervisor_dates_its_deadline(officer):
    from schedules.models import ScheduleStep
    from schedules.services.schedules import schedule_step_save
    from tests.letters.factories import shipped_schedules

    shipped_schedules()
    steps = ScheduleStep.objects.filter(version__fiscal_year=2025, stream=FUND, sub_procedure="demand_survey")
    assert list(steps.order_by("position").values_list("kind", "date_from")) == [
        ("request", None), ("deadline", None), ("review", None),
    ]
    undated = act(survey(officer), "request", officer)  # the seeds give no day: no deadline, none reminded
    assert (undated.deadline_stated, undated.deadline_effective) == (None, None)
    deadline = steps.get(kind="deadline")
    deadline.precision, deadline.date_from, deadline.date_to = "exact", date(2025, 10, 11), date(2025, 10, 11)
    schedule_step_save(actor=f.supervisor(), step=deadline)
    dated = act(survey(officer, part="personnel"), "request", officer)
    assert (dated.deadline_stated, dated.deadline_effective) == (date(2025, 10, 11), date(2025, 10, 14))  # a Saturday, then スポーツの日: Tuesday


def test_the_fund_balances_api_lists_the_accepted_figures_beside_each_balance(api, officer):
    f.prefecture("11"), f.fiscal_year(2025)
    fund_balance_import(actor=f.supervisor(), rows=[FundBalanceRow("11", 2025, 500_000_000, 0, 0, 0, 0, 500_000_000)])
    as_user(api, officer)
    assert api.get("/api/fund-balances").json()["items"][0]["expected_amounts"] == []
    the_path(survey(officer), officer)
    [balance] = api.get("/api/fund-balances", {"fiscal_year": 2025}).json()["items"]
    assert balance["closing"] == 500_000_000
    assert balance["expected_amounts"] == [{
        "part": "facilities",
        "by_year": [
            {"fiscal_year": 2026, "amount": 118_000_000},
            {"fiscal_year": 2027, "amount": 95_500_000},
            {"fiscal_year": 2028, "amount": 0},
        ],
        "total": 213_500_000,
    }]
