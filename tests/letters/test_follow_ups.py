"""Renewed requests (再依頼) sent by hand for an overdue case: once a case a day, recorded, a letter issued,
offered on the case page, shown on the worklist, and the same act through the API."""

from datetime import date

import pytest

from grants.history import history_verify
from grants.models import HistoryEntry
from letters.errors import FollowUpAlreadySent, FollowUpNotOverdue, FollowUpWordingMissing
from letters.models import FollowUp, Letter, ReminderRule
from letters.services import follow_up_send
from tests import factories as f
from web.errors import PermissionDenied

from .factories import act, reminder_rules, requested_case, send_reminders

DEADLINE = date(2026, 2, 27)  # a Friday
OVERDUE_DAY, NEXT_DAY = date(2026, 3, 3), date(2026, 3, 4)


@pytest.fixture
def overdue(db, today):
    """所沢市 was asked on 2 February for papers due 27 February and has sent nothing by 3 March."""
    reminder_rules()
    today(date(2026, 2, 2))
    officer = f.officer(username="tanaka", first_name="田中 一郎")
    case = requested_case(officer=officer, deadline=DEADLINE.isoformat(), recipient=f.municipality("112089", "所沢市"))
    today(OVERDUE_DAY)
    return case, officer


def written() -> tuple[int, int, int]:
    return HistoryEntry.objects.count(), Letter.objects.count(), FollowUp.objects.count()


def test_a_renewed_request_is_recorded_on_the_case_and_sends_an_overdue_demand(overdue):
    case, officer = overdue
    follow_up = follow_up_send(actor=officer, case_id=case.pk)
    record = HistoryEntry.objects.get(case=case, action="follow_up")
    letter = follow_up.letter
    assert (follow_up.case, follow_up.sent_on, follow_up.sent_by) == (case, OVERDUE_DAY, officer)
    assert (letter.kind, letter.issued_on, letter.history_entry_id) == ("overdue_demand", OVERDUE_DAY, record.pk)
    assert letter.subject == "令和7年度地域支援事業交付金の当初交付申請について（督促）"
    assert "提出期限の令和8年2月27日（金）を過ぎましたが" in letter.content["body_paragraphs"][0]
    assert record.data["letter"]["subject"] == letter.subject and record.data["reminder_rule"] == "overdue_demand"
    case.refresh_from_db()
    assert (case.state, case.version) == ("requested", 2)  # the request stands; nothing about the case moved
    assert history_verify().ok


def test_a_second_renewed_request_the_same_day_is_refused_and_writes_nothing(overdue, today):
    case, officer = overdue
    follow_up_send(actor=officer, case_id=case.pk)
    before = written()
    with pytest.raises(FollowUpAlreadySent):
        follow_up_send(actor=officer, case_id=case.pk)
    assert written() == before
    today(NEXT_DAY)
    assert follow_up_send(actor=officer, case_id=case.pk).sent_on == NEXT_DAY


def test_the_daily_jobs_overdue_demand_counts_as_the_days_renewed_request(overdue):
    case, officer = overdue
    assert "1 reminder(s) produced" in send_reminders(OVERDUE_DAY)
    before = written()
    with pytest.raises(FollowUpAlreadySent):
        follow_up_send(actor=officer, case_id=case.pk)
    assert written() == before


def test_a_case_not_yet_overdue_is_refused(overdue, today):
    case, officer = overdue
    today(DEADLINE)  # the deadline day itself: papers are not late yet
    before = written()
    with pytest.raises(FollowUpNotOverdue):
        follow_up_send(actor=officer, case_id=case.pk)
    assert written() == before


def test_papers_received_end_the_renewed_requests(overdue):
    case, officer = overdue
    act(case, "submit", officer, amount=500_000)
    with pytest.raises(FollowUpNotOverdue):
        follow_up_send(actor=officer, case_id=case.pk)


def test_only_who_acts_on_the_case_may_send_one(overdue):
    case, _officer = overdue
    before = written()
    with pytest.raises(PermissionDenied):
        follow_up_send(actor=f.auditor(), case_id=case.pk)
    with pytest.raises(PermissionDenied):
        follow_up_send(actor=f.officer(username="other", prefectures=("13",)), case_id=case.pk)
    assert written() == before


def test_without_an_active_overdue_demand_rule_there_are_no_words_to_send(overdue):
    case, officer = overdue
    ReminderRule.objects.filter(letter_kind="overdue_demand").update(is_active=False)
    with pytest.raises(FollowUpWordingMissing):
        follow_up_send(actor=officer, case_id=case.pk)
    assert not FollowUp.objects.exists()


# ---------------------------------------------------------------- the case page and the worklist


def test_the_case_page_offers_it_on_an_overdue_case_and_a_reload_sends_nothing_more(overdue, client):
    case, officer = overdue
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "再依頼を送付" in page and "まだ督促・再依頼は送付していません。" in page
    assert 'disabled aria-describedby="follow-up-reason"' not in page
    response = client.post(f"/cases/{case.pk}/follow-up/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "再依頼を送付しました。" in page and "再依頼（手動）" in page
    assert "最後の督促・再依頼は令和8年3月3日に送付しました。" in page
    before = written()
    refused = client.post(f"/cases/{case.pk}/follow-up/")
    assert refused.status_code == 409
    assert "本日すでにこの案件の督促・再依頼を送付しています" in refused.content.decode()
    assert written() == before


def test_the_case_page_greys_it_with_the_reason_before_the_deadline(overdue, client, today):
    case, officer = overdue
    today(DEADLINE)
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'disabled aria-describedby="follow-up-reason"' in page
    assert "再依頼は提出期限を過ぎた案件にのみ送付できます。" in page
    before = written()
    assert client.post(f"/cases/{case.pk}/follow-up/").status_code == 409
    assert written() == before


def test_the_case_page_shows_no_renewed_request_once_papers_are_in(overdue, client):
    case, officer = overdue
    act(case, "submit", officer, amount=500_000)
    client.force_login(officer)
    assert 'data-testid="follow-up"' not in client.get(f"/cases/{case.pk}/").content.decode()


def test_an_auditor_sees_it_greyed_and_is_refused_with_403(overdue, client):
    case, _officer = overdue
    client.force_login(f.auditor())
    assert 'disabled aria-describedby="follow-up-reason"' in client.get(f"/cases/{case.pk}/").content.decode()
    before = written()
    assert client.post(f"/cases/{case.pk}/follow-up/").status_code == 403
    assert written() == before


def test_the_worklist_shows_when_the_last_one_went_out(overdue, client):
    case, officer = overdue
    client.force_login(officer)
    assert "最後の督促・再依頼" in client.get("/cases/").content.decode()
    follow_up_send(actor=officer, case_id=case.pk)
    row = client.get("/cases/").content.decode().split("所沢市")[1].split("</tr>")[0]
    assert "令和8年3月3日" in row


# ---------------------------------------------------------------- the API


def test_the_api_sends_one_and_refuses_the_second_in_the_error_shape(overdue):
    case, officer = overdue
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(officer)
    sent = api.post(f"/api/cases/{case.pk}/follow-ups", format="json")
    assert sent.status_code == 201
    assert sent.json()["sent_on"] == "2026-03-03" and sent.json()["letter"]["kind"] == "overdue_demand"
    before = written()
    again = api.post(f"/api/cases/{case.pk}/follow-ups", format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "follow_up_already_sent"
    assert written() == before
