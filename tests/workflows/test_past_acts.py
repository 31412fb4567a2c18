"""Past acts keep their dates: an act entered later carries the day it took place (``occurred_on``)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from grants.models import HistoryEntry
from letters.models import Letter
from tests import factories as f
from tests.letters.factories import act
from tests.letters.test_letters import pdf_text
from web.errors import InvalidInput
from workflows.selectors import case_as_of

pytestmark = pytest.mark.django_db


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.get_default_timezone())


def test_a_backfilled_act_keeps_its_day_beside_the_day_it_was_recorded(today):
    officer = f.officer()
    today(date(2025, 12, 1))
    case = f.case(actor=officer, year=2023)
    case = act(case, "request", officer, deadline="2023-08-31", occurred_on="2023-07-31")
    case = act(case, "submit", officer, amount=5_000_000, occurred_on="2023-09-04")
    assert (case.submitted_on, case.submitted_late) == (date(2023, 9, 4), True)  # late by the act's day
    entry = HistoryEntry.objects.filter(case=case, action="submit").get()
    assert entry.data["occurred_on"] == "2023-09-04" and timezone.localdate(entry.occurred_at) == date(2025, 12, 1)
    letter = Letter.objects.get(case=case, kind="request")
    assert letter.issued_on == date(2023, 7, 31) and letter.basis["recorded_later"] is True
    assert case_as_of(case=case, moment=end_of(date(2023, 8, 31)))["state"] == "requested"
    assert case_as_of(case=case, moment=end_of(date(2023, 9, 4)))["state"] == "submitted"


def test_the_letter_of_a_backfilled_act_is_dated_the_acts_day_and_says_when_it_was_recorded(
    today, django_capture_on_commit_callbacks
):
    officer = f.officer()
    today(date(2025, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is drawn once the act commits
        case = act(f.case(actor=officer, year=2023), "request", officer, deadline="2023-08-31", occurred_on="2023-07-31")
    text = pdf_text(Letter.objects.get(kind="request", case=case))
    assert "令和5年7月31日" in text.split("本書は")[0]  # the letter's date: the act's day
    assert "本書は、令和5年7月31日付けで行った事務を令和7年12月1日に記録したものです。" in text
    assert "令和7年12月1日" not in text.split("本書は")[0]


def test_an_act_of_today_is_not_marked_as_recorded_later(today, django_capture_on_commit_callbacks):
    officer = f.officer()
    today(date(2025, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        case = act(f.case(actor=officer), "request", officer, deadline="2025-08-29", occurred_on="2025-07-01")
    letter = Letter.objects.get(kind="request", case=case)
    assert "recorded_later" not in letter.basis and "recorded_note" not in letter.content
    assert "本書は" not in pdf_text(letter)


@pytest.mark.parametrize("day", ["2025-12-02", "2023-07-30"])
def test_a_past_act_is_neither_in_the_future_nor_before_the_previous_act(today, day):
    officer = f.officer()
    today(date(2025, 12, 1))
    case = act(f.case(actor=officer, year=2023), "request", officer, deadline="2023-08-31", occurred_on="2023-07-31")
    records = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        act(case, "submit", officer, amount=5, occurred_on=day)
    assert "occurred_on" in refused.value.details
    assert HistoryEntry.objects.count() == records
    case.refresh_from_db()
    assert case.state == "requested"


def test_a_notice_entered_later_is_dated_and_paid_as_of_its_day(today):
    officer, boss = f.officer(), f.supervisor()
    today(date(2025, 12, 1))
    f.budget_notice(2023, "community_support_grant", by=boss)
    case = f.case(actor=officer, year=2023)
    for name, data in (("request", {"deadline": "2023-10-31"}), ("submit", {"amount": 5_000_000}),
                       ("start_review", {}),
                       ("draft", {"amount": 5_000_000})):
        case = act(case, name, officer, occurred_on="2023-10-01", **data)
    case = act(case, "approve", boss, occurred_on="2023-10-12")
    case = act(case, "notify", officer, occurred_on="2023-10-19")
    notice = Letter.objects.get(case=case, kind="decision_notice")
    assert notice.issued_on == date(2023, 10, 19) and notice.basis["recorded_later"] is True
    assert case.determinations.get().notified_on == date(2023, 10, 19)
    snapshot = case_as_of(case=case, moment=end_of(date(2024, 3, 31)))
    assert snapshot["state"] == "notified" and snapshot["amounts"]["current"] == 5_000_000
    assert case_as_of(case=case, moment=end_of(date(2023, 10, 18)))["state"] == "approved"


def test_the_case_timeline_and_the_history_show_a_backfilled_acts_own_day_beside_when_it_was_recorded(client, today):
    officer = f.officer()
    today(date(2025, 12, 1))
    case = f.case(actor=officer, year=2023)
    case = act(case, "request", officer, deadline="2023-08-31", occurred_on="2023-07-31")
    case = act(case, "submit", officer, amount=5_000_000)  # today's act: recorded as it happened
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    request_line = next(item for item in timeline.split("timeline__item")[1:] if "依頼を発出" in item)
    submit_line = next(item for item in timeline.split("timeline__item")[1:] if "書類を受付" in item or "提出" in item)
    when = request_line.split('class="timeline__when">')[1].split("</span>")[0]
    assert when.startswith("令和5年7月31日 ") and when.endswith("記録）</small>")  # its day first, then when recorded
    assert "記録）" not in submit_line  # an act of the day it was recorded shows that moment alone
    auditor = f.auditor()
    client.force_login(auditor)
    history = client.get("/history/").content.decode()
    assert "実施日 令和5年7月31日" in history
