"""The worklist and the history find things: search by name, reading, code, case and document number;
sortable columns; page size; saved filters per user; counts by state and by what needs the user."""

import re

import pytest
from django.utils import translation

from tests.factories import Stream
from grants.models import Recipient
from tests import factories as f
from web.templatetags.ui import reason_label, state_label
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = Stream.COMMUNITY_SUPPORT_GRANT


@pytest.fixture
def officer():
    return f.officer(username="tanaka", first_name="田中 一郎")


def nagareyama():
    recipient = f.municipality("122203", "流山市", "12")
    Recipient.objects.filter(pk=recipient.pk).update(name_kana="ナガレヤマシ", name_en="Nagareyama")
    return recipient


def listed(client, url) -> list[str]:
    body = client.get(url).content.decode()
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', body)


def step(case, name, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


@pytest.mark.parametrize("term", ["ながれやま", "ナガレヤマ", "流山", "nagare", "122203", "ｎａｇａｒｅ"])
def test_the_worklist_finds_a_recipient_by_name_reading_or_code(client, officer, term):
    f.case(actor=officer)  # 川越市, not asked for
    f.case(actor=officer, recipient=nagareyama())
    client.force_login(officer)
    assert listed(client, f"/cases/?search={term}") == ["流山市"]


def test_the_worklist_finds_a_case_by_its_number_and_its_document_number(client, officer):
    boss = f.supervisor()
    f.budget_notice(2025, CSG, by=boss)
    case = f.case(actor=officer, recipient=nagareyama())
    other = f.case(actor=officer)
    for name, data, actor in [("request", {}, officer), ("submit", {"amount": 100}, officer), ("start_review", {}, officer),
                              ("draft", {"amount": 100}, officer), ("approve", {}, boss), ("notify", {}, officer)]:
        case = step(case, name, actor, **data)
    number = case.determinations.get().document_number
    assert number
    client.force_login(officer)
    assert listed(client, f"/cases/?search=%23{other.pk}") == ["川越市"]
    assert listed(client, f"/cases/?search={number}&state=notified") == ["流山市"]


def test_columns_sort_both_ways_and_the_page_size_is_chosen(client, officer):
    f.case(actor=officer)  # かわごえ
    f.case(actor=officer, recipient=nagareyama())
    Recipient.objects.filter(code="112011").update(name_kana="カワゴエシ")
    client.force_login(officer)
    assert listed(client, "/cases/?sort=recipient") == ["川越市", "流山市"]
    assert listed(client, "/cases/?sort=-recipient") == ["流山市", "川越市"]
    body = client.get("/cases/?sort=recipient").content.decode()
    assert 'aria-sort="ascending"' in body
    for code in range(21):
        f.case(actor=officer, recipient=f.municipality(f.municipality_code(100 + code), f"町{code}", "11"))
    assert len(listed(client, "/cases/?per_page=20")) == 20
    assert len(listed(client, "/cases/?per_page=7")) == 23  # not offered: the usual 50


def test_saved_filters_belong_to_their_owner_and_apply_in_one_click(client, officer):
    f.case(actor=officer, recipient=nagareyama())
    client.force_login(officer)
    response = client.post("/cases/saved-filters/", {"name": "千葉の案件", "query": "prefecture=12&sort=deadline"})
    assert response.status_code == 302 and response["Location"] == "/cases/?prefecture=12&sort=deadline"
    body = client.get("/cases/").content.decode()
    assert '<a class="chip" href="?prefecture=12&amp;sort=deadline">千葉の案件</a>' in body
    client.force_login(f.officer(username="yamada"))
    assert "千葉の案件" not in client.get("/cases/").content.decode()
    client.force_login(officer)
    saved = officer.saved_filters.get()
    client.post(f"/cases/saved-filters/{saved.pk}/delete/")
    assert not officer.saved_filters.exists()


def test_counts_show_states_and_what_needs_the_officer(client, officer, today):
    boss = f.supervisor()
    f.budget_notice(2025, CSG, by=boss)
    sent_back = f.case(actor=officer)
    for name, data, actor in [("request", {}, officer), ("submit", {"amount": 100}, officer), ("start_review", {}, officer),
                              ("draft", {"amount": 100}, officer), ("send_back", {"reason": "金額の根拠"}, boss)]:
        sent_back = step(sent_back, name, actor, **data)
    from datetime import date
    late = f.case(actor=officer, recipient=nagareyama())
    today(date(2025, 11, 4))  # the request goes out before its deadline
    step(late, "request", officer, deadline="2025-11-28")
    today(date(2025, 12, 5))
    client.force_login(officer)
    body = client.get("/cases/").content.decode()
    needs = body.split('data-testid="needs"')[1].split("</nav>")[0]
    assert re.search(r"差し戻された起案\s*<strong>1</strong>", needs)
    assert re.search(r"期限超過の担当案件\s*<strong>1</strong>", needs)
    assert "決裁待ち" not in needs  # officers do not approve
    assert "差戻し" in body and "審査中" in body
    assert listed(client, "/cases/?needs=sent_back") == ["川越市"]
    assert listed(client, "/cases/?needs=overdue") == ["流山市"]
    counts = body.split('data-testid="state-counts"')[1].split("</span>")[0]
    assert "審査中 1" in counts and "依頼済 1" in counts
    # the list's own count is of open cases; the state counts say they take in closed ones too
    assert counts.startswith(">状態別（完了したものを含む）：")


def test_the_history_finds_records_by_recipient_name(client, officer):
    f.case(actor=officer)
    f.case(actor=officer, recipient=nagareyama())
    client.force_login(f.auditor())
    body = client.get("/history/?search=ながれやま").content.decode()
    assert "流山市" in body and "川越市" not in body
    link = body.split('data-testid="export-csv"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "search=" in link
    exported = b"".join(client.get(link).streaming_content).decode("utf-8-sig")
    assert "122203" in exported and "112011" not in exported


def test_a_payment_runs_states_are_named_as_a_payment_runs():
    with translation.override("ja"):
        assert (state_label("draft", "payment_run"), state_label("executed", "payment_run")) == ("起案", "支払済")
        assert state_label("submitted", "case") == "提出済"


def test_a_records_reason_is_named_as_its_subject_names_it():
    """The history lists a return claim's reason (kept in its record as a code) by its label, and a reason an
    officer wrote as written."""
    with translation.override("ja"):
        assert reason_label("settlement", "return_claim") == "確定額が支払済額を下回る"
        assert reason_label("revocation", "return_claim") != "revocation"
        assert reason_label("settlement", "case") == "settlement"  # a case's reason is what its officer wrote
        assert reason_label("事業費の見直し", "case") == "事業費の見直し"
        assert reason_label("", "return_claim") == ""


def test_the_history_says_its_dates_are_the_days_records_were_entered(client, officer):
    """The history's date range is of the day each record was entered, as its "When" column shows; the form
    says so. An act entered later (its day in ``occurred_on``) is found by the day it was entered, not its own,
    and its row shows its own day beside the entry's."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    took_place = today - timedelta(days=10)
    case = step(f.case(actor=officer), "request", officer, deadline=str(today + timedelta(days=60)),
                occurred_on=str(took_place))
    client.force_login(f.auditor())
    body = client.get("/history/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "記録日（から）" in body and "記録日（まで）" in body and "記録が入力された日" in body
    found = client.get(f"/history/?date_from={today}&date_to={today}", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert re.search(r'<a href="/cases/%d/">' % case.pk, found)
    assert f"{took_place.month}月{took_place.day}日" in found.split('<table class="table table--history">')[1]
    on_its_own_day = client.get(f"/history/?date_from={took_place}&date_to={took_place}").content.decode()
    assert not re.search(r'<a href="/cases/%d/">' % case.pk, on_its_own_day)
