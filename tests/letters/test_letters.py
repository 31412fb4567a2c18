"""Letters: a request or notice is worded and recorded with its act, drawn to PDF after commit, stored with its hash."""

import hashlib
import re
import shutil
import subprocess
import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from grants.models import HistoryEntry
from letters.letter_texts import LetterWording
from letters.models import Letter
from letters.services import letter_issue, letter_render
from tests import factories as f

from .factories import act, shipped_schedules

pytestmark = pytest.mark.django_db
ISSUE_DAY = date(2025, 11, 21)


def pdf_text(letter: Letter) -> str:
    """The letter's text as a reader's tool extracts it, NFKC-normalised and without line breaks."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: install poppler-utils")
    text = subprocess.run(["pdftotext", letter.pdf.path, "-"], check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture
def officer(today):
    today(ISSUE_DAY)
    return f.officer(first_name="花子", last_name="山田")


def request(case, officer, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return act(case, "request", officer, **data)


def test_request_issues_a_letter_recorded_with_the_act(officer):
    case = act(f.case(actor=officer), "request", officer, deadline="2026-02-27")
    letter = Letter.objects.get(kind="request", case=case)
    transition = HistoryEntry.objects.get(case=case, action="request")
    assert letter.kind == "request" and letter.status == "pending"  # drawn once the act has committed
    assert letter.history_entry == transition
    assert letter.subject == "令和7年度地域支援事業交付金の当初交付申請について（依頼）"
    assert letter.recipient == case.recipient and letter.issued_on == ISSUE_DAY
    # One act, one record: the request's own record describes the letter it sends.
    assert not HistoryEntry.objects.filter(subject_type="letter", action="letter_issue").exists()
    described = transition.data["letter"]
    assert described["kind"] == "request" and described["subject"] == letter.subject
    assert described["issued_on"] == ISSUE_DAY.isoformat() and described["case"] == case.pk
    assert described["deadline"] == {"stated": "2026-02-27", "effective": "2026-02-27"}
    assert described["basis"] == letter.basis == {"deadline": "officer"}


def test_rendered_request_letter_reads_right(officer, django_capture_on_commit_callbacks):
    case = request(f.case(actor=officer), officer, django_capture_on_commit_callbacks, deadline="2026-02-27")
    letter = Letter.objects.get(kind="request", case=case)
    assert letter.status == "rendered"
    assert re.fullmatch(r"関厚発1121第\d+号", letter.document_number)
    text = pdf_text(letter)
    for expected in (
        letter.document_number,
        case.recipient.name_ja,  # 川越市長 殿
        "令和7年11月21日",  # the issue day, in era form
        "令和8年2月27日(金)",  # the deadline with its weekday
        "当初交付申請について(依頼)",
        "担当者:山田花子",
    ):
        assert unicodedata.normalize("NFKC", expected) in text, expected


def test_rolled_deadline_is_explained_in_the_letter(officer, django_capture_on_commit_callbacks):
    case = request(f.case(actor=officer), officer, django_capture_on_commit_callbacks, deadline="2026-02-28")
    text = pdf_text(Letter.objects.get(kind="request", case=case))
    assert "令和8年3月2日(月)" in text
    assert "令和8年2月28日(土)は行政機関の休日に当たるため" in text


def test_stored_pdf_matches_its_hash_and_the_render_is_recorded(officer, django_capture_on_commit_callbacks):
    case = request(f.case(actor=officer), officer, django_capture_on_commit_callbacks)
    letter = Letter.objects.get(kind="request", case=case)
    with letter.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == letter.sha256
    record = HistoryEntry.objects.get(subject_type="letter", subject_id=str(letter.pk), action="letter_render")
    assert record.data["sha256"] == letter.sha256 and record.data["document_number"] == letter.document_number
    letter_render(letter_id=letter.pk)  # again: nothing changes, nothing is recorded twice
    assert HistoryEntry.objects.filter(subject_id=str(letter.pk), action="letter_render").count() == 1


def test_letter_from_the_schedule_names_its_step(officer):
    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")  # the application alone, no pre-consultation
    case = act(f.case(actor=officer), "request", officer)
    letter = Letter.objects.get(kind="request", case=case)
    assert letter.basis["step"] == "community_support_grant/initial_grant/initial_application_deadline"
    # A request about a municipality goes to its prefecture and names the municipality first.
    assert letter.content["items"][0] == ["対象団体", case.recipient.name_ja]
    assert letter.content["items"][2] == ["提出期限", "令和8年2月27日（金）"]


def test_undecided_deadline_says_so(officer):
    case = act(f.case(actor=officer, stream="medical_care_fund", part="personnel"), "request_consultation", officer)
    letter = Letter.objects.get(kind="request", case=case)
    assert letter.subject == "令和7年度地域医療介護総合確保基金（人材分）の国庫補助協議について（依頼）"
    assert letter.content["items"][1] == ["提出期限", "未定（追ってお知らせします）"]
    assert letter.basis == {"deadline": "undecided", "schedule": None}


def test_acts_without_a_letter_issue_none(officer):
    case = act(f.case(actor=officer), "request", officer)
    act(case, "submit", officer, amount=1_000)
    # the request's only (to the prefecture's division head, naming the municipality: 経由)
    assert list(Letter.objects.filter(case=case).values_list("kind", flat=True)) == ["request"]


def decide(case, officer, boss, amount, **draft):
    for name, actor, data in [
        ("request", officer, {"occurred_on": "2025-11-04"}),  # before the papers it asks for
        ("submit", officer, {"amount": 1_000_000, "date": "2025-11-10"}),
        ("start_review", officer, {}),
        ("draft", officer, {"amount": amount, **draft}),
        ("approve", boss, {}),
        ("notify", officer, {"date": "2025-11-21"}),
    ]:
        case = act(case, name, actor, **data)
    return case


def test_notify_issues_the_decision_notice_with_the_determinations_number(officer):
    boss = f.supervisor()
    f.budget_notice(2025, "community_support_grant", by=boss)
    case = decide(f.case(actor=officer), officer, boss, 900_000, reason="対象外経費を除外")
    notice = Letter.objects.get(case=case, kind="decision_notice")
    determination = case.determinations.get()
    assert notice.document_number == determination.document_number and notice.issued_on == date(2025, 11, 21)
    assert notice.subject == "令和7年度地域支援事業交付金の交付決定について（通知）"
    assert notice.content["items"] == [
        ["交付決定額", "金900,000円"],
        ["交付申請額", "金1,000,000円"],
        ["修正の内容及び理由", "対象外経費を除外"],
    ]
    assert "令和7年11月10日付けで申請のあった標記について" in notice.content["body_paragraphs"][0]
    record = HistoryEntry.objects.get(case=case, action="notify")  # the notice's own record describes its letter
    assert notice.history_entry == record
    assert record.data["letter"]["document_number"] == notice.document_number == record.data["document_number"]
    assert record.data["letter"]["basis"] == {"determination": determination.pk}


def decide_after_grant(officer, procedure, amount, *, granted_in, **case):
    """A 1,000,000 yen grant of FY ``granted_in``, then the recipient's ``procedure`` case decided at ``amount`` (a
    settlement below the 1,000,000 reported says why)."""
    boss = f.supervisor()
    f.budget_notice(granted_in, "community_support_grant", by=boss)
    f.budget_notice(2025, "community_support_grant", by=boss)
    grant = decide(f.case(actor=officer, year=granted_in), officer, boss, 1_000_000)
    return decide(f.case(actor=officer, procedure=procedure, recipient=grant.recipient, **case), officer, boss, amount,
                  **({"reason": "対象外経費"} if amount < 1_000_000 else {}))


def test_settlement_notice_names_the_year_it_settles(officer):
    settlement = decide_after_grant(officer, "prior_year_settlement", 800_000, granted_in=2024)
    notice = Letter.objects.get(case=settlement, kind="settlement_notice")
    assert notice.subject == "令和6年度地域支援事業交付金の交付額の確定について（通知）"
    # Nothing was paid; the settlement withdraws 200,000 of the unpaid grant: nothing more to pay or return.
    assert notice.content["items"] == [
        ["確定額", "金800,000円"], ["交付決定額", "金1,000,000円"], ["既交付額", "金0円"], ["追加交付額・返還額", "なし"],
    ]
    request_letter = Letter.objects.get(case=settlement, kind="request")
    assert request_letter.subject == "令和6年度地域支援事業交付金の実績報告について（依頼）"


def test_resettlement_notice_answers_the_report_it_asked_for_and_names_the_resettled_amount(officer):
    resettlement = decide_after_grant(officer, "past_year_resettlement", 700_000, granted_in=2023, settles=2023)
    request_letter = Letter.objects.get(case=resettlement, kind="request")
    assert request_letter.subject == "令和5年度地域支援事業交付金の再確定に係る報告について（依頼）"
    notice = Letter.objects.get(case=resettlement, kind="settlement_notice")
    assert notice.subject == "令和5年度地域支援事業交付金の交付額の再確定について（通知）"
    assert notice.content["body_paragraphs"] == [
        "令和7年11月10日付けで提出のあった再確定に係る報告に基づき、標記について、下記のとおり交付額を再確定したので通知します。"
    ]
    assert notice.content["items"] == [
        ["再確定額", "金700,000円"], ["交付決定額", "金1,000,000円"], ["既交付額", "金0円"], ["追加交付額・返還額", "なし"],
    ]


def test_a_letter_whose_words_do_not_fit_is_refused_field_by_field_and_nothing_is_stored(officer):
    """The letter's own fields are checked as ``full_clean`` checks them (lengths SQLite does not enforce,
    choices, dates, required words), each refusal under its field, before anything is written."""
    case = f.case(actor=officer)
    records = HistoryEntry.objects.count()

    def refusals(**particulars) -> dict:
        with pytest.raises(ValidationError) as refused, transaction.atomic():
            letter_issue(case=case, actor=officer, **particulars)
        return {name: [error.code for error in errors] for name, errors in refused.value.error_dict.items()}

    words = LetterWording(subject="件名", body_paragraphs=("本文",))
    assert refusals(
        kind="reminder", wording=LetterWording(subject="あ" * 301, body_paragraphs=()), document_number="号" * 61
    ) == {"subject": ["max_length"], "document_number": ["max_length"]}
    assert refusals(kind="telegram", wording=words) == {"kind": ["invalid_choice"]}
    assert refusals(kind="reminder", wording=LetterWording(subject="", body_paragraphs=()), issued_on="2025-13-01") == {
        "subject": ["blank"], "issued_on": ["invalid_date"],
    }
    assert not Letter.objects.exists() and HistoryEntry.objects.count() == records
