"""Reminders: due in business days around the deadline, only for papers still owed, never produced twice."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from calendars.business_days import add_business_days
from grants.models import HistoryEntry
from grants.roles import system_user
from letters.models import Letter, LetterBatch, Reminder
from letters.selectors import reminder_candidates
from letters.services import reminder_issue
from tests import factories as f

from .factories import act, reminder_rules, requested_case, send_reminders

DEADLINE = date(2026, 2, 27)  # a Friday
ADVANCE, REMINDER, OVERDUE = date(2026, 2, 12), date(2026, 2, 24), date(2026, 3, 2)  # -10, -3, +1 business days


@pytest.fixture
def cases(db, today):
    """Two recipients asked for papers on 2 February; Kawagoe has since sent them in, Tokorozawa has not."""
    reminder_rules()
    today(date(2026, 2, 2))
    officer = f.officer()
    waiting = requested_case(officer=officer, deadline=DEADLINE.isoformat(), recipient=f.municipality("112089", "所沢市"))
    done = requested_case(officer=officer, deadline=DEADLINE.isoformat())
    act(done, "submit", officer, amount=500_000)
    return waiting, done


def test_the_rule_days_fall_on_business_days_around_the_deadline(db):
    # 2/23 天皇誕生日 and 2/11 建国記念の日 do not count.
    assert [add_business_days(DEADLINE, days) for days in (-10, -3, 1)] == [ADVANCE, REMINDER, OVERDUE]


def test_running_twice_produces_each_reminder_once_and_none_for_submitted_papers(cases):
    waiting, done = cases
    assert "1 reminder(s) produced" in send_reminders(ADVANCE)
    assert "0 reminder(s) produced" in send_reminders(ADVANCE)
    letters = Letter.objects.filter(kind="reminder")
    assert [letter.case for letter in letters] == [waiting]
    assert not Reminder.objects.filter(case=done).exists()
    letter = letters.get()
    assert letter.subject == "令和7年度地域支援事業交付金の当初交付申請について（お知らせ）"
    assert letter.issued_on == ADVANCE and letter.batch is not None
    assert "提出期限は令和8年2月27日（金）となっております" in letter.content["body_paragraphs"][0]


def test_each_rule_in_turn_then_the_overdue_demand(cases):
    waiting, _ = cases
    for day in (ADVANCE, REMINDER, OVERDUE, OVERDUE):
        send_reminders(day)
    assert list(Reminder.objects.filter(case=waiting).order_by("due_on").values_list("rule__code", flat=True)) == [
        "advance_notice", "reminder", "overdue_demand",
    ]  # fmt: skip
    demand = Letter.objects.get(kind="overdue_demand")
    assert demand.subject.endswith("（督促）") and demand.content["title_kind"] == "overdue_demand"
    assert HistoryEntry.objects.filter(subject_type="letter", action="letter_issue", data__kind="overdue_demand").count() == 1


def test_a_missed_run_sends_the_current_reminder_only(cases):
    send_reminders(date(2026, 2, 25))  # the first run since before the advance day, a day after the reminder day
    assert list(Reminder.objects.values_list("rule__code", flat=True)) == ["reminder"]


def test_no_advance_notice_when_the_request_went_out_after_its_day(db, today):
    reminder_rules()
    today(date(2026, 2, 20))
    case = requested_case(officer=f.officer(), deadline=DEADLINE.isoformat())
    assert "0 reminder(s)" in send_reminders(date(2026, 2, 20))
    send_reminders(REMINDER)
    assert list(Reminder.objects.filter(case=case).values_list("rule__code", flat=True)) == ["reminder"]


def test_closed_days_send_nothing(cases):
    assert "0 reminder(s) produced, 0 skipped" in send_reminders(date(2026, 2, 14))  # a Saturday


def test_dry_run_changes_nothing(cases):
    waiting, _ = cases
    output = send_reminders(ADVANCE, "--dry-run")
    assert f"case {waiting.pk}: advance_notice" in output and "1 reminder(s) would be produced" in output
    assert not Reminder.objects.exists() and not Letter.objects.filter(kind="reminder").exists()


def test_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026-02-30")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-30"])  # 9999-12-30 overflowed while looking ahead
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_date_outside_2000_to_2100_is_a_clear_error_not_a_silent_run(db, day, dry_run):
    with pytest.raises(CommandError, match="between 2000-01-01 and 2100-12-31"):
        call_command("send_reminders", "--date", day, *dry_run)


def test_reminder_letter_is_drawn_after_commit(cases, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(OVERDUE)
    demand = Letter.objects.get(kind="overdue_demand")
    assert demand.status == "rendered" and demand.document_number.startswith("関厚発0302第")


def test_four_concurrent_runs_produce_no_duplicates(live_db, today, at_once):
    reminder_rules()
    today(date(2026, 2, 2))
    officer = f.officer()
    recipients = [f.town(n) for n in range(6)]
    waiting = [requested_case(officer=officer, deadline=DEADLINE.isoformat(), recipient=r) for r in recipients]
    at_once(lambda: send_reminders(REMINDER), 4)
    assert Reminder.objects.count() == len(waiting)
    assert Letter.objects.filter(kind="reminder").count() == len(waiting)
    assert sorted(Reminder.objects.values_list("case_id", flat=True)) == sorted(case.pk for case in waiting)
    assert LetterBatch.objects.count() == 1
    assert HistoryEntry.objects.filter(subject_type="letter", action="letter_issue", data__kind="reminder").count() == 6


def test_a_reminder_already_produced_is_refused_by_the_database_and_nothing_else_is_written(cases):
    [candidate] = reminder_candidates(on=ADVANCE)
    assert reminder_issue(actor=system_user(), candidate=candidate, on=ADVANCE) is not None
    records = HistoryEntry.objects.count()
    assert reminder_issue(actor=system_user(), candidate=candidate, on=ADVANCE) is None  # a late twin of the run
    assert Reminder.objects.count() == 1 and Letter.objects.filter(kind="reminder").count() == 1
    assert HistoryEntry.objects.count() == records


def test_papers_returned_for_correction_get_no_overdue_demand(cases):
    _, done = cases
    done.refresh_from_db()
    act(done, "return_for_correction", done.officer, reason="添付書類の不足")
    send_reminders(OVERDUE)
    assert not Reminder.objects.filter(case=done).exists()
