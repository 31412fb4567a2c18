"""Payments in a real browser: a payment run drafted by an officer, approved by a supervisor (after a
confirmation), executed by the officer, its notices; a repayment typed with an input method closes a claim."""

from datetime import date

import pytest

from payments.models import PaymentRun, ReturnClaim
from payments.selectors import return_claim_balance
from tests.payments import factories as pf
from tests.ui.test_browser import LAPTOP, PHONE, chromium, open_as, people, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_a_payment_run_is_drafted_approved_and_executed_by_two_people(open_as, live_server, people):
    pf.shipped_plans()
    pf.notified(officer=people["officer"], boss=people["boss"], year=2023, amount=100_000_000, on=date(2023, 10, 19))
    officer = open_as(people["officer"])
    officer.goto(f"{live_server.url}/payment-runs/")
    officer.get_by_label("支払日").fill("2023-10-30")
    officer.get_by_role("button", name="起案する").click()
    officer.wait_for_load_state()
    assert "支払分の支払回を起案しました。" in officer.content()
    assert officer.get_by_role("button", name="決裁", exact=True).count() == 0
    shot(officer, "23-payment-runs-drafted-1366")

    boss = open_as(people["boss"])
    boss.goto(f"{live_server.url}/payment-runs/")
    asked, answers = [], [False, True]

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    boss.on("dialog", answer)
    boss.get_by_role("button", name="決裁", exact=True).click()
    assert asked and "元に戻せません" in asked[0]
    assert PaymentRun.objects.get().state == "draft"  # dismissed: nothing happened
    boss.get_by_role("button", name="決裁", exact=True).click()
    boss.wait_for_load_state()
    assert "完了しました：決裁" in boss.content() and boss.url.endswith("/payment-runs/")

    officer.reload()
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.get_by_role("button", name="支払実行", exact=True).click()
    officer.wait_for_load_state()
    run = PaymentRun.objects.get()
    assert run.state == "executed" and run.approved_by == people["boss"] and run.executed_by == people["officer"]
    assert officer.get_by_role("link", name="支払通知（PDF）").count() == 1
    shot(officer, "24-payment-runs-executed-1366")
    phone = open_as(people["boss"], viewport=PHONE)
    phone.goto(f"{live_server.url}/payment-runs/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "25-payment-runs-390")


def test_a_repayment_typed_with_an_input_method_closes_the_claim(open_as, live_server, people):
    officer, boss = people["officer"], people["boss"]
    pf.shipped_plans()
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用")
    claim = ReturnClaim.objects.get()
    paid_on = claim.due_on
    owed = return_claim_balance(claim=claim, as_of=paid_on).total_outstanding
    page = open_as(boss)
    page.goto(f"{live_server.url}/return-claims/{claim.pk}/")
    page.get_by_label("返還額（円）").fill(f"{owed:,}".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,"}))
    page.get_by_label("納付日").fill(paid_on.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="納付を記録").click()
    assert "返還金の納付を記録しました。" in page.content()
    assert claim.payments.get().amount == owed
    shot(page, "26-return-claim-repaid-1366")
