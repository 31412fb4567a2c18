"""Rolling the FY2025 plan forward into FY2026: days move a year, windows keep their part of the month."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from grants.models import HistoryEntry
from grants.roles import system_user
from schedules.errors import ScheduleNotFound, ScheduleVersionExists
from schedules.selectors import schedule_closed_exact_days, schedule_document, schedule_version_in_force
from schedules.services import schedule_rollforward
from tests import factories as f
from tests.letters.factories import shipped_schedules
from web.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def fy2026():
    shipped_schedules()
    return schedule_rollforward(actor=f.supervisor(), from_year=2025, to_year=2026)


def step(version, key, sub=None):
    steps = version.steps.filter(key=key)
    return steps.get(sub_procedure=sub) if sub else steps.get()


def test_rolled_plan_is_the_fy2026_schedule_in_force(fy2026):
    assert fy2026.key == "fy2026-plan" and fy2026.status == "plan"
    assert schedule_version_in_force(fiscal_year=2026) == fy2026
    assert fy2026.steps.count() == 54


def test_windows_keep_their_part_of_the_month_and_their_wording_moves(fy2026):
    deadline = step(fy2026, "initial_application_deadline")
    assert (deadline.precision, deadline.date_from, deadline.date_to) == ("late", date(2027, 2, 21), date(2027, 2, 28))
    assert deadline.date_text_ja == "令和9年2月下旬"
    survey = step(fy2026, "survey_deadline")
    assert (survey.date_from, survey.date_to) == (date(2026, 12, 11), date(2027, 1, 20))
    assert survey.date_text_ja == "令和8年12月中旬 ～令和9年1月中旬"


def test_an_exact_day_keeps_its_date_and_shows_the_business_day_it_rolls_to(fy2026):
    pre_application = step(fy2026, "pre_application_deadline")  # 2025-07-11 was a Friday
    assert pre_application.date_to == date(2026, 7, 11)  # a Saturday now, kept as stated
    rolled = {s.key: effective for s, effective in schedule_closed_exact_days(version=fy2026)}
    assert rolled["pre_application_deadline"] == date(2026, 7, 13)
    assert rolled["preconsultation_deadline_personnel"] == date(2026, 7, 21)  # Sat 18th, Mon 20th 海の日


def test_undecided_steps_stay_undecided(fy2026):
    notice = step(fy2026, "informal_notice_personnel")
    assert (notice.precision, notice.date_from, notice.date_to) == ("undecided", None, None)


def test_years_named_by_the_schedule_move_too(fy2026):
    document = schedule_document(fiscal_year=2026)["schedules"][0]
    special = document["streams"]["special_adjustment_grant"]["sub_procedures"]["results_report"]
    assert special["reports_on_fiscal_year"] == 2025
    assert special["steps"][0]["label_ja"] == "令和7年度実績報告提出依頼"
    assert special["steps"][0]["label_en"] == "Request for FY2025 results reports"
    settlement = document["streams"]["community_support_grant"]["sub_procedures"]["prior_year_settlement"]
    assert settlement["settles_fiscal_year"] == 2025
    assert document["era_ja"] == "令和8年度"


def test_roll_forward_is_recorded(fy2026):
    record = HistoryEntry.objects.get(subject_type="schedule", action="schedule_rollforward")
    assert record.subject_id == "fy2026-plan" and record.fiscal_year == 2026
    assert record.data["rolled_from"] == "fy2025-plan" and record.data["steps"] == 54


def test_rolling_twice_or_from_an_empty_year_is_refused(fy2026):
    with pytest.raises(ScheduleVersionExists):
        schedule_rollforward(actor=system_user(), from_year=2025, to_year=2026)
    with pytest.raises(ScheduleNotFound):
        schedule_rollforward(actor=system_user(), from_year=2024, to_year=2027)


@pytest.mark.parametrize(
    ("from_year", "to_year", "place"),
    [(2025, 2025, "to_year"), (2026, 2025, "to_year"), (2018, 2019, "fiscal_year"), (2025, 99999, "fiscal_year")],
)
def test_rolling_backwards_or_outside_2019_to_2100_is_refused_naming_the_problem(from_year, to_year, place):
    with pytest.raises(InvalidInput) as refused:
        schedule_rollforward(actor=system_user(), from_year=from_year, to_year=to_year)
    assert set(refused.value.details) == {place}


def test_rollforward_command_lists_the_days_that_roll(fy2026):
    out = io.StringIO()
    call_command("rollforward_schedule", "2023", "2027", stdout=out)
    assert "fy2027-plan" in out.getvalue()
    with pytest.raises(CommandError, match="schedule_exists"):
        call_command("rollforward_schedule", "2025", "2026")


def test_rollforward_command_names_the_rolled_days():
    shipped_schedules()
    out = io.StringIO()
    call_command("rollforward_schedule", "2025", "2026", stdout=out)
    assert "special_adjustment_grant/initial_grant/pre_application_deadline: 令和8年7月11日（土） is a closed day → 令和8年7月13日（月）" in out.getvalue()


def test_the_editor_page_says_why_a_roll_forward_was_refused(client):
    shipped_schedules()
    client.force_login(f.supervisor())
    response = client.post("/schedules/2025/roll-forward/", {"to_year": 2024}, follow=True)
    [message] = [str(message) for message in response.context["messages"]]
    assert "元の年度より後の年度を指定してください" in message  # the service's reason, in the page's language
    assert not HistoryEntry.objects.filter(action="schedule_rollforward").exists()


def test_a_double_submitted_roll_forward_makes_one_plan_and_refuses_the_other(live_db, at_once):
    shipped_schedules()
    boss = f.supervisor()

    def roll() -> str:
        try:
            return schedule_rollforward(actor=boss, from_year=2025, to_year=2026).key
        except ScheduleVersionExists:  # on PostgreSQL the second INSERT failed as an IntegrityError: a 500
            return "refused"

    assert sorted(at_once(roll, 2)) == ["fy2026-plan", "refused"]
    assert HistoryEntry.objects.filter(action="schedule_rollforward").count() == 1
