"""取消通知, 返還命令 and the settlement notice's money: who signs, who receives, what they say; rendered and read back."""

import re
import unicodedata
from datetime import date

import pytest

from letters.models import Letter
from letters.services import letter_render
from payments.models import ReturnClaim
from tests import factories as f
from tests.letters.test_letters import pdf_text
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    f.prefecture("11")
    return {"officer": f.officer(first_name="花子", last_name="山田"), "boss": f.supervisor()}


def rendered(letter: Letter) -> Letter:
    return letter if letter.status == "rendered" else letter_render(letter_id=letter.pk)


def nfkc(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_revocation_sends_a_notice_and_a_return_order_from_the_chief_to_the_mayor_via_the_prefecture(people):
    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    pf.revoked(case, people["boss"], today=date(2024, 6, 28),
           reason="補助対象外の経費に充当していたため\n（令和6年5月の実地検査で判明）", legal_basis="art_17_1")
    notice = Letter.objects.get(case=case, kind="revocation_notice")
    order = Letter.objects.get(case=case, kind="return_order")
    claim = ReturnClaim.objects.get()
    town = case.recipient
    for letter in (notice, order):
        assert letter.content["sender"] == "関東信越厚生局長"
        assert letter.content["addressee"] == f"{town.name_ja}長　殿"
        assert letter.content["addressee_note"] == "（埼玉県経由）"
    assert notice.subject == "令和5年度地域支援事業交付金の交付決定の取消しについて（通知）"
    items = dict(notice.content["items"])
    assert items["取消しの理由"] == "補助対象外の経費に充当していたため\n（令和6年5月の実地検査で判明）"
    assert items["根拠法令"] == "補助金等に係る予算の執行の適正化に関する法律第17条第1項"
    assert items["返還を要する額"] == "金7,500,000円" and items["取消しの日"] == "令和6年6月28日"
    assert order.subject == "令和5年度地域支援事業交付金の返還について（命令）"
    assert order.issued_on == claim.noticed_on == date(2024, 6, 28)
    order_items = dict(order.content["items"])
    assert order_items["返還額"] == "金7,500,000円"
    assert order_items["納期限"] == "令和6年7月29日（月）"
    assert "補助金等に係る予算の執行の適正化に関する法律第18条第1項の規定により" in order.content["body_paragraphs"][0]
    assert "加算金を併せて" in order_items["加算金及び延滞金"] and "施行令第11条" in order_items["加算金及び延滞金"]
    assert "日本銀行" in order_items["納付の方法"]

    notice_text, order_text = pdf_text(rendered(notice)), pdf_text(rendered(order))
    for expected in ("関東信越厚生局長", f"{town.name_ja}長殿", "(埼玉県経由)", "交付決定の取消しについて(通知)",
                     "補助対象外の経費に充当していたため", "(令和6年5月の実地検査で判明)", "金7,500,000円", "第17条第1項"):
        assert nfkc(expected) in notice_text, expected
    assert "2/2" not in order_text.replace(" ", "")  # one page
    for expected in ("返還について(命令)", "金7,500,000円", "令和6年7月29日(月)", "年10.95パーセント", "延滞金", "納入告知書"):
        assert nfkc(expected) in order_text, expected
    assert "推進課長" not in notice_text  # not the division head
    # Issued by the revocation's notice: numbered as the revocation was notified, dated its effective date.
    revocation = case.determinations.get(kind="revocation")
    assert (notice.document_number, notice.issued_on) == (revocation.document_number, date(2024, 6, 28))
    assert nfkc(revocation.document_number) in notice_text and nfkc("令和6年6月28日") in notice_text


def test_a_typed_line_break_stays_a_line_break_in_the_pdf(people):
    import subprocess

    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.revoked(case, people["boss"], today=date(2024, 6, 28), reason="一行目の理由\n二行目の理由", legal_basis="other")
    notice = rendered(Letter.objects.get(case=case, kind="revocation_notice"))
    lines = subprocess.run(["pdftotext", "-layout", notice.pdf.path, "-"], capture_output=True, check=True).stdout.decode()
    first = next(line for line in lines.splitlines() if "一行目の理由" in line)
    assert "二行目の理由" not in first
    assert any("二行目の理由" in line for line in lines.splitlines())
    assert dict(notice.content["items"])["根拠法令"].endswith("第17条第1項以外の事由（交付の条件等）")
    # Another ground: no 加算金 in the order, 延滞金 only.
    order = Letter.objects.get(case=case, kind="return_order")
    assert "加算金を併せて" not in dict(order.content["items"])["加算金及び延滞金"]


def test_settlement_notice_states_paid_and_to_return_and_the_order_follows(people):
    pf.notified(**people, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    settlement = pf.notified(**people, year=2024, amount=14_000_000, on=date(2024, 7, 12), procedure="prior_year_settlement")
    notice = Letter.objects.get(case=settlement, kind="settlement_notice")
    items = dict(notice.content["items"])
    assert items["確定額"] == "金14,000,000円" and items["既交付額"] == "金15,000,000円"
    assert items["返還を要する額"].startswith("金1,000,000円")
    assert notice.content["sender"] == "関東信越厚生局長"
    order = Letter.objects.get(case=settlement, kind="return_order")
    assert dict(order.content["items"])["納期限"] == "令和6年8月13日（火）"
    assert "第18条第2項の規定により" in order.content["body_paragraphs"][0]
    assert "加算金を併せて" not in dict(order.content["items"])["加算金及び延滞金"]
    text = pdf_text(rendered(notice))
    for expected in ("既交付額", "金15,000,000円", "返還を要する額", "金1,000,000円"):
        assert nfkc(expected) in text, expected


def test_settlement_with_nothing_to_return_says_so_and_orders_nothing(people):
    pf.notified(**people, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    pf.paid_run(date(2024, 1, 29), **people)
    settlement = pf.notified(**people, year=2024, amount=15_000_000, on=date(2024, 7, 12), procedure="prior_year_settlement")
    items = dict(Letter.objects.get(case=settlement, kind="settlement_notice").content["items"])
    assert items["追加交付額・返還額"] == "なし"
    assert not Letter.objects.filter(kind="return_order").exists()


def test_working_letters_go_from_the_division_head_to_the_prefectures_division_head(people):
    case = pf.notified(**people, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    request = Letter.objects.get(case=case, kind="request")
    prefecture = case.recipient.__class__.objects.get(kind="prefecture", code="11")
    assert request.content["sender"] == "関東信越厚生局健康福祉部地域包括ケア推進課長"
    assert request.content["addressee"] == prefecture.addressee_ja.strip()
    decision = Letter.objects.get(case=case, kind="decision_notice")
    assert decision.content["sender"] == "関東信越厚生局長" and decision.content["addressee"] == f"{case.recipient.name_ja}長　殿"
