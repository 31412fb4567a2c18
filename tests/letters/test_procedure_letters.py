"""The letters of the procedures' new steps, rendered and read back as text (pdftotext)."""

import subprocess
import unicodedata
from datetime import date

import pytest
from django.core.files.storage import default_storage

from letters.models import Letter
from letters.services.letters import letter_render
from tests import factories as f
from tests.factories import Stream
from tests.letters.factories import act, shipped_schedules

pytestmark = pytest.mark.django_db


def text_of(letter: Letter, tmp_path) -> str:
    letter = letter_render(letter_id=letter.pk)
    path = tmp_path / f"letter-{letter.pk}.pdf"
    with default_storage.open(letter.pdf.name, "rb") as stored:
        path.write_bytes(stored.read())
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode()
    return "".join(unicodedata.normalize("NFKC", out).split())  # lines broken anywhere: compare without spaces


def flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def letters_of(case, kind):
    return list(Letter.objects.filter(case=case, kind=kind).order_by("pk"))


@pytest.fixture
def officer(today):
    shipped_schedules()
    today(date(2023, 8, 1))
    return f.officer()


def test_fy2023_community_grant_presents_its_adjusted_amount_after_the_review(officer, tmp_path):
    case = f.case(actor=officer, year=2023)
    for name, data in (("request", {"deadline": "2023-08-31"}), ("submit", {"amount": 5_000_000}), ("start_review", {})):
        case = act(case, name, officer, **data)
    act(case, "present_amount", officer, amount=4_800_000)
    [letter] = letters_of(case, "presentation")
    assert letter.subject == "令和5年度地域支援事業交付金の当初交付決定額の調整・提示について（通知）"
    text = text_of(letter, tmp_path)
    assert flat(letter.subject) in text and "提示額" in text and "金4,800,000円" in text and "申請の書類を審査した結果" in text


def test_adjustment_grant_survey_is_assessed_presented_and_its_notice_is_the_informal_notice(officer, tmp_path):
    boss = f.supervisor()
    f.budget_notice(2023, Stream.COMMUNITY_SUPPORT_GRANT, by=boss)
    case = f.case(actor=officer, year=2023, procedure="adjustment_grant")
    case = act(case, "request", officer, deadline="2023-08-31")
    [request] = letters_of(case, "request")
    assert request.subject == "令和5年度地域支援事業交付金の調整交付金に係る調査について（依頼）"
    for name, data in (("submit", {"amount": 3_000_000}), ("start_review", {}), ("present_amount", {"amount": 2_500_000})):
        case = act(case, name, officer, **data)
    [presented] = letters_of(case, "presentation")
    assert presented.subject == "令和5年度地域支援事業交付金の調整交付金の算定・提示について（通知）"
    assert "調査書類の書類を審査した結果" in text_of(presented, tmp_path)
    case = act(case, "draft", officer, amount=2_500_000, reason="算定結果による")
    case = act(case, "approve", boss)
    act(case, "notify", officer)
    [notice] = letters_of(case, "decision_notice")
    assert notice.subject == "令和5年度地域支援事業交付金の調整交付金の内示について（通知）"
    text = text_of(notice, tmp_path)
    assert "提出のあった調査書類に基づき算定した標記の交付額について、下記のとおり内示します。" in text
    assert "内示額" in text and "金2,500,000円" in text and "申請のあった" not in text


def test_fund_consultation_informal_notice_and_the_second_round_request(officer, tmp_path):
    case = f.case(actor=officer, year=2023, stream=Stream.MEDICAL_CARE_FUND, part="facilities")
    case = act(case, "request_consultation", officer, deadline="2023-08-31")
    case = act(case, "submit_consultation", officer, amount=400_000_000)
    case = act(case, "present_amount", officer, amount=380_000_000)
    [presented] = letters_of(case, "presentation")
    assert presented.subject == "令和5年度地域医療介護総合確保基金（施設分）の国庫補助協議に係る内示について（通知）"
    text = text_of(presented, tmp_path)
    assert "国庫補助協議の書類を審査した結果" in text and "金380,000,000円" in text
    act(case, "request_consultation", officer, deadline="2023-09-29")  # 第2次国庫補助協議
    requests = letters_of(case, "request")
    assert [letter.subject for letter in requests] == ["令和5年度地域医療介護総合確保基金（施設分）の国庫補助協議について（依頼）"] * 2


def test_special_adjustment_grant_informal_notice_then_the_formal_application_request(officer, tmp_path):
    case = f.case(actor=officer, year=2023, stream=Stream.SPECIAL_ADJUSTMENT_GRANT)
    for name, data in (("request", {"deadline": "2023-08-18"}), ("submit", {"amount": 20_000_000}), ("start_review", {}),
                       ("present_amount", {"amount": 19_000_000}), ("request", {"deadline": "2023-10-31"})):
        case = act(case, name, officer, **data)
    [presented] = letters_of(case, "presentation")
    assert presented.subject == "令和5年度後期高齢者医療特別調整交付金の当初交付決定に係る交付額内示について（通知）"
    assert "提示した額に基づき" in text_of(presented, tmp_path)
    first, formal = letters_of(case, "request")
    assert first.subject == "令和5年度後期高齢者医療特別調整交付金の当初交付に係る事前申請について（依頼）"
    assert formal.subject == "令和5年度後期高齢者医療特別調整交付金の当初交付申請について（依頼）"
    assert flat(formal.subject) in text_of(formal, tmp_path)


def test_a_year_that_sends_no_presentation_letter_records_the_act_without_one(officer):
    f.define(2023, Stream.COMMUNITY_SUPPORT_GRANT, "initial_grant", informal_notice="after_review",
             letters=["request", "notice"])
    case = f.case(actor=officer, year=2023)
    for name, data in (("request", {"deadline": "2023-08-31"}), ("submit", {"amount": 5_000_000}), ("start_review", {}),
                       ("present_amount", {"amount": 4_800_000})):
        case = act(case, name, officer, **data)
    assert case.state == "amount_presented" and letters_of(case, "presentation") == []
    assert len(letters_of(case, "request")) == 1
