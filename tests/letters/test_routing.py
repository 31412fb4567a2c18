"""Routing through the prefecture (経由, docs/domain.md#routing-through-the-prefecture): the community support
grant's requests go to each prefecture for its municipalities, the case records when the prefecture received
the papers, notices to a mayor say they go via the prefecture, and the late municipalities are listed by
prefecture within the reader's scope."""

import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest

from grants.catalogue import routes_via_prefecture
from grants.history import history_verify
from grants.models import Case, HistoryEntry, RecipientKind
from letters.models import Letter, LetterBatch
from letters.services import bulk_covering_letters_issue
from tests import factories as f
from tests.http import assert_error
from workflows.services import case_transition_bulk

from .factories import act

pytestmark = pytest.mark.django_db
ISSUE_DAY = date(2025, 10, 1)
CSG = "community_support_grant"


def pdf_text(letter: Letter) -> str:
    """The letter's text as a reader's tool extracts it, NFKC-normalised and without white space."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: install poppler-utils")
    letter.refresh_from_db()
    text = subprocess.run(["pdftotext", letter.pdf.path, "-"], check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.fixture
def officer(today):
    today(ISSUE_DAY)
    return f.officer()


def municipality(number: int, prefecture: str, name: str):
    return f.municipality(f.municipality_code(number, prefecture), name, prefecture)


def bulk_request(officer, cases, deadline="2025-10-31", *, stale=()):
    pairs = [(case.pk, 99 if case in stale else case.version) for case in cases]
    outcome = case_transition_bulk(name="request", actor=officer, data={"deadline": deadline}, cases=pairs)
    return outcome, bulk_covering_letters_issue(actor=officer, cases=cases, letter="request")


def covered(letter: Letter) -> set:
    return {request.case.recipient for request in letter.covered_requests.all()}


def test_the_stream_declares_which_recipients_it_routes():
    assert routes_via_prefecture(CSG, RecipientKind.MUNICIPALITY)
    assert not routes_via_prefecture(CSG, RecipientKind.PREFECTURE)  # the prefecture is its own route
    assert not routes_via_prefecture("medical_care_fund", RecipientKind.PREFECTURE)
    assert not routes_via_prefecture("special_adjustment_grant", RecipientKind.WIDE_AREA_UNION)


def test_a_bulk_request_sends_each_prefecture_one_request_listing_exactly_its_municipalities(
    officer, django_capture_on_commit_callbacks
):
    saitama = [municipality(n, "11", name) for n, name in enumerate(("川口市", "所沢市", "秩父市"))]
    chiba = [municipality(n, "12", name) for n, name in enumerate(("船橋市", "柏市"))]
    refused = municipality(9, "11", "越谷市")  # its version is stale: not asked, so not listed
    cases = [f.case(actor=officer, recipient=r) for r in (*saitama, *chiba, refused)]
    with django_capture_on_commit_callbacks(execute=True):
        outcome, batch = bulk_request(officer, cases, stale=(cases[-1],))
    assert len(outcome.done) == 5 and [r["case_id"] for r in outcome.refused] == [cases[-1].pk]
    # each municipality still has its own request
    assert Letter.objects.filter(kind="request").count() == 5
    covering = {letter.recipient.code: letter for letter in Letter.objects.filter(kind="covering_request")}
    assert set(covering) == {"11", "12"}
    assert set(batch.letters.all()) == set(covering.values())
    for code, towns in (("11", saitama), ("12", chiba)):
        letter = covering[code]
        assert covered(letter) == set(towns)
        assert letter.subject == "令和7年度地域支援事業交付金の当初交付申請について（依頼）"
        assert letter.status == "rendered" and letter.deadline_effective == date(2025, 10, 31)
        text = pdf_text(letter)
        assert nfkc(f"{f.PREFECTURES[code]}福祉部長殿") in text  # the prefecture's division head
        for town in towns:
            assert nfkc(f"{town.name_ja}（提出期限：令和7年10月31日（金））") in text
        others = {r.name_ja for r in (*saitama, *chiba, refused)} - {town.name_ja for town in towns}
        assert not [name for name in others if name in text]
        # the record of its issue names the cases it covers
        record = HistoryEntry.objects.get(subject_type="letter", subject_id=str(letter.pk), action="letter_issue")
        assert sorted(record.data["covers"]) == sorted(request.case_id for request in letter.covered_requests.all())
    # every covered case's request points to its prefecture's, and the case's letters list it
    assert Letter.objects.get(case=cases[1], kind="request").covered_by == covering["11"]
    from letters.selectors import letter_list_for_actor

    assert covering["11"] in letter_list_for_actor(actor=officer, case_id=cases[1].pk)
    assert history_verify().ok


def test_a_bulk_request_posted_again_after_a_crash_covers_what_the_first_attempt_left(officer):
    """The acts committed, the covering requests did not (a crash in between): the same step confirmed again
    refuses the acts already taken and covers their requests; a third time covers nothing twice."""
    towns = [municipality(n, "11", name) for n, name in enumerate(("川口市", "所沢市"))]
    cases = [f.case(actor=officer, recipient=r) for r in towns]
    pairs = [(case.pk, case.version) for case in cases]
    case_transition_bulk(name="request", actor=officer, data={"deadline": "2025-10-31"}, cases=pairs)
    assert not Letter.objects.filter(kind="covering_request").exists()  # the crash
    again = case_transition_bulk(name="request", actor=officer, data={"deadline": "2025-10-31"}, cases=pairs)
    assert again.done == [] and len(again.refused) == 2
    batch = bulk_covering_letters_issue(actor=officer, cases=cases, letter="request")
    [letter] = batch.letters.all()
    assert covered(letter) == set(towns)
    assert bulk_covering_letters_issue(actor=officer, cases=cases, letter="request") is None
    assert Letter.objects.filter(kind="covering_request").count() == 1
    assert history_verify().ok


def test_a_single_request_is_the_prefectures_request_naming_the_municipality(officer, django_capture_on_commit_callbacks):
    case = f.case(actor=officer, recipient=municipality(1, "11", "所沢市"))
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "request", officer, deadline="2025-10-31")
    record = HistoryEntry.objects.get(case=case, action="request")
    # one letter, no covering letter beside it: it goes to the prefecture's division head and names the town
    [letter] = Letter.objects.filter(case=case)
    assert letter.kind == "request" and letter.history_entry == record and "covering_letter" not in record.data
    assert not Letter.objects.filter(kind="covering_request").exists()
    text = re.sub(r"\s+", "", nfkc(pdf_text(letter)))
    prefecture = f.prefecture("11")
    for expected in (prefecture.addressee_ja, "対象団体所沢市", "貴管内の所沢市に対し", "受け付けた日を付して", "令和7年10月31日(金)"):
        assert re.sub(r"\s+", "", nfkc(expected)) in text, expected


def test_a_bulk_request_does_not_cover_a_town_asked_before_by_a_single_request(officer):
    single = act(f.case(actor=officer, recipient=municipality(1, "11", "所沢市")), "request", officer, deadline="2025-10-31")
    fresh = f.case(actor=officer, recipient=municipality(2, "11", "飯能市"))
    outcome, batch = bulk_request(officer, [single, fresh])
    assert [item["case_id"] for item in outcome.refused] == [single.pk]  # already requested
    [covering] = batch.letters.all()
    assert covered(covering) == {fresh.recipient}  # the single request was itself Saitama's
    assert Letter.objects.get(case=single, kind="request").covered_by is None


def test_streams_and_recipients_that_do_not_route_issue_no_prefecture_request(officer):
    fund = f.case(actor=officer, stream="medical_care_fund", part="personnel")
    union = f.case(actor=officer, stream="special_adjustment_grant")
    prefecture = f.case(actor=officer, recipient=f.prefecture("12"))  # a prefecture's own grant
    act(fund, "request_consultation", officer)
    act(union, "request", officer, deadline="2025-10-31")
    outcome, batch = bulk_request(officer, [prefecture])
    assert len(outcome.done) == 1 and batch is None
    assert Letter.objects.filter(kind="request").count() == 3
    assert not Letter.objects.filter(kind="covering_request").exists()


def test_a_bulk_notice_issues_no_prefecture_request(officer):
    case = f.case(actor=officer, recipient=municipality(1, "11", "所沢市"))
    outcome, batch = bulk_request(officer, [case])
    assert Letter.objects.filter(kind="covering_request").count() == 1
    Letter.objects.filter(kind="request").update(covered_by=None)  # as if it had never been covered
    withdrawn = case_transition_bulk(name="withdraw", actor=officer, data={"reason": "重複"}, cases=[(case.pk, 2)])
    # a step that sends no request covers nothing, not even an uncovered earlier request
    assert bulk_covering_letters_issue(actor=officer, cases=withdrawn.done, letter="none") is None
    assert Letter.objects.filter(kind="covering_request").count() == 1


# ------------------------------------------------------------ the prefecture's receipt


def requested(officer, recipient=None, **kwargs) -> Case:
    case = f.case(actor=officer, recipient=recipient or municipality(1, "11", "所沢市"), **kwargs)
    name = "request_consultation" if kwargs.get("stream") == "medical_care_fund" else "request"
    return act(case, name, officer, deadline="2025-10-31", occurred_on="2025-09-16")  # before the papers came in


def test_the_submission_records_when_the_prefecture_received_the_papers(officer, client):
    case = requested(officer)
    submit = next(t for t in _transitions(officer, case) if t["name"] == "submit")
    assert "prefecture_received_on" in [field["name"] for field in submit["fields"]]
    case = act(case, "submit", officer, amount=1_000_000, date="2025-09-30", prefecture_received_on="2025-09-26")
    assert (case.prefecture_received_on, case.submitted_on) == (date(2025, 9, 26), date(2025, 9, 30))
    record = HistoryEntry.objects.get(case=case, action="submit")
    assert record.data["fields"]["prefecture_received_on"] == "2025-09-26"
    assert record.data["snapshot"]["prefecture_received_on"] == "2025-09-26"
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "都道府県の受付日" in page and "令和7年9月26日" in page
    assert f.case(actor=officer).pk  # another case still reads
    # papers the prefecture received on the day they reached the bureau are fine
    same_day = act(requested(officer, municipality(2, "11", "川口市")), "submit", officer, amount=1, date="2025-09-30",
                   prefecture_received_on="2025-09-30")
    assert same_day.prefecture_received_on == date(2025, 9, 30)


def _transitions(officer, case):
    from workflows.selectors import case_available_transitions

    return case_available_transitions(case=Case.objects.get(pk=case.pk), actor=officer)


@pytest.mark.parametrize(
    ("received", "message"),
    [("2025-09-30", "局"), ("2025-10-02", "未来")],  # after the bureau's receipt (09-29); in the future (today 10-01)
)
def test_a_prefecture_receipt_after_the_bureaus_or_in_the_future_is_refused_and_writes_nothing(
    officer, api, received, message
):
    case = requested(officer)
    records = HistoryEntry.objects.count()
    api.force_authenticate(officer)
    body = {"version": case.version, "amount": 1_000_000, "date": "2025-09-29", "prefecture_received_on": received}
    error = assert_error(
        api.post(f"/api/cases/{case.pk}/transitions/submit", body, format="json", HTTP_ACCEPT_LANGUAGE="ja"),
        422,
        "invalid_input",
    )
    assert "prefecture_received_on" in error["details"]
    case.refresh_from_db()
    assert (case.state, case.version, case.prefecture_received_on, case.submitted_on) == ("requested", 2, None, None)
    assert HistoryEntry.objects.count() == records


def test_papers_that_are_not_routed_take_no_prefecture_receipt(officer, api):
    case = requested(officer, recipient=f.prefecture("12"))
    assert "prefecture_received_on" not in [
        field["name"] for t in _transitions(officer, case) if t["name"] == "submit" for field in t["fields"]
    ]
    api.force_authenticate(officer)
    body = {"version": case.version, "amount": 1, "date": "2025-09-29", "prefecture_received_on": "2025-09-26"}
    error = assert_error(api.post(f"/api/cases/{case.pk}/transitions/submit", body, format="json"), 422, "invalid_input")
    assert "prefecture_received_on" in error["details"]
    assert Case.objects.get(pk=case.pk).state == "requested"


# ------------------------------------------------------------ notices via the prefecture


def notified(officer, recipient, django_capture_on_commit_callbacks) -> Case:
    boss = f.supervisor()
    f.budget_notice(2025, CSG, by=boss)
    case = requested(officer, recipient)
    for name, data in (("submit", {"amount": 1_000_000}), ("start_review", {}), ("draft", {"amount": 1_000_000})):
        case = act(case, name, officer, **data)
    case = act(case, "approve", boss)
    with django_capture_on_commit_callbacks(execute=True):
        return act(case, "notify", officer)


def test_a_decision_notice_to_a_mayor_says_it_goes_via_the_prefecture(officer, django_capture_on_commit_callbacks):
    case = notified(officer, municipality(1, "11", "所沢市"), django_capture_on_commit_callbacks)
    notice = Letter.objects.get(case=case, kind="decision_notice")
    assert notice.content["addressee"] == "所沢市長　殿" and notice.content["addressee_note"] == "（埼玉県経由）"
    text = pdf_text(notice)
    assert nfkc("所沢市長殿(埼玉県経由)") in text


def test_a_notice_to_a_prefecture_goes_straight_to_its_governor(officer, django_capture_on_commit_callbacks):
    case = notified(officer, f.prefecture("12"), django_capture_on_commit_callbacks)
    notice = Letter.objects.get(case=case, kind="decision_notice")
    assert notice.content["addressee"] == "千葉県知事　殿" and notice.content["addressee_note"] == ""
    assert "経由" not in pdf_text(notice)


# ------------------------------------------------------------ late municipalities by prefecture


def test_the_late_list_groups_overdue_routed_cases_by_prefecture_within_scope(officer, today, client):
    late = [requested(officer, municipality(n, "11", f"遅町{n}")) for n in range(2)]
    late_chiba = requested(officer, municipality(1, "12", "柏市"))
    on_time = act(requested(officer, municipality(5, "11", "所沢市")), "submit", officer, amount=1, date="2025-10-01")
    own = requested(officer, f.prefecture("12"))  # the prefecture's own grant: not routed
    fund = requested(officer, stream="medical_care_fund", part="personnel", recipient=f.prefecture("11"))
    assert {c.state for c in (own, fund, on_time)} == {"requested", "consultation_requested", "submitted"}
    today(date(2025, 11, 4))  # after the deadline 2025-10-31
    client.force_login(officer)
    page = client.get("/cases/late-by-prefecture/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="late-count-11">2<' in body and 'data-testid="late-count-12">1<' in body
    assert all(town.recipient.name_ja in body for town in (*late, late_chiba))
    assert "所沢市" not in body
    # the day counted from can be chosen: on the deadline itself nobody is late yet
    assert "late-count-" not in client.get("/cases/late-by-prefecture/", {"on": "2025-10-31"}).content.decode()
    assert client.get("/cases/late-by-prefecture/", {"on": "not a day"}).status_code == 422
    # an officer of Saitama alone sees Saitama's
    saitama_only = f.officer(prefectures=("11",))
    client.force_login(saitama_only)
    body = client.get("/cases/late-by-prefecture/").content.decode()
    assert 'data-testid="late-count-11">2<' in body and "late-count-12" not in body and "柏市" not in body
    # and an officer of another prefecture sees none
    client.force_login(f.officer(prefectures=("13",)))
    body = client.get("/cases/late-by-prefecture/").content.decode()
    assert "late-count-" not in body and "遅町0" not in body
