"""Payments in the browser's pages: payment runs drafted, approved and executed by two different users from
/payment-runs/ (each act a redirect back, never a re-post), their notices; repayments recorded on a claim."""

from datetime import date

import pytest

from payments.models import PaymentRun, ReturnClaim
from payments.selectors import return_claim_balance
from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(username="tanaka", first_name="田中"), "boss": f.supervisor(username="suzuki", first_name="鈴木")}


def test_a_run_is_drafted_approved_and_executed_by_two_people_from_its_page(client, people, django_capture_on_commit_callbacks):
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    client.force_login(people["officer"])
    response = client.post("/payment-runs/new/", {"run_on": "２０２３／１０／３０"})
    assert response.status_code == 302 and response["Location"] == "/payment-runs/"
    run = PaymentRun.objects.get()
    body = client.get("/payment-runs/").content.decode()
    assert "令和5年10月30日" in body and "支払分の支払回を起案しました。" in body and "50,000,000円" in body
    assert f"/payment-runs/{run.pk}/steps/approve/" not in body  # the drafter does not approve
    client.force_login(people["boss"])
    body = client.get("/payment-runs/").content.decode()
    assert f'action="/payment-runs/{run.pk}/steps/approve/" data-confirm="「決裁」を行います。元に戻せません。よろしいですか？"' in body
    response = client.post(f"/payment-runs/{run.pk}/steps/approve/", {"next": "/payment-runs/"})
    assert response.status_code == 302 and response["Location"] == "/payment-runs/"
    client.force_login(people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payment-runs/{run.pk}/steps/execute/", {"next": "/payment-runs/"})
    run.refresh_from_db()
    assert run.state == "executed" and (run.drafted_by, run.approved_by, run.executed_by) == (
        people["officer"], people["boss"], people["officer"])
    body = client.get("/payment-runs/").content.decode()
    assert "支払済" in body and "/steps/" not in body.split("<tbody>")[1]
    notices = client.get(f"/payment-runs/{run.pk}/notices.pdf")
    assert notices.status_code == 302 and notices["Location"].startswith("/letters/batches/")


def test_a_run_with_nothing_due_is_an_error_of_its_date_and_writes_nothing(client, people):
    """Nothing is due by the date: the error is the date field's (the date is what to change), not the form's."""
    client.force_login(people["officer"])
    f.fiscal_year(2023)
    response = client.post("/payment-runs/new/", {"run_on": "2023-10-30"})
    assert response.status_code == 422
    form = response.context["create"]
    assert form.errors == {"run_on": ["この日までに支払うべき未払の項目はありません。"]}
    assert not form.non_field_errors()
    assert not PaymentRun.objects.exists()


def test_a_run_on_a_closed_day_is_an_error_of_its_date(client, people):
    """The service's refusal of a day the offices are closed (its ``date``) is the date field's on the page."""
    client.force_login(people["officer"])
    pf.payment_item(officer=people["officer"], amount=1_000, due_on=date(2026, 12, 1), year=2026)
    response = client.post("/payment-runs/new/", {"run_on": "2026-12-13"})
    assert response.status_code == 422
    form = response.context["create"]
    assert list(form.errors) == ["run_on"] and "令和8年12月14日" in form.errors["run_on"][0]
    assert not PaymentRun.objects.exists()


def test_an_auditor_sees_no_payment_runs_link_or_form(client, people):
    client.force_login(f.auditor())
    assert "/payment-runs/" not in client.get("/history/").content.decode()


def test_a_repayment_typed_with_an_input_method_is_recorded_on_the_claims_page_and_closes_the_claim(client, people, today):
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.paid_run(date(2024, 1, 29), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2024, 3, 1), reason="補助目的外への使用")
    claim = ReturnClaim.objects.get()
    today(date(2024, 4, 1))
    owed = return_claim_balance(claim=claim, as_of=date(2024, 4, 1)).total_outstanding
    client.force_login(officer)
    assert f"/return-claims/{claim.pk}/" in client.get("/return-claims/").content.decode()
    response = client.post(f"/return-claims/{claim.pk}/", {"amount": "９９，９９９，９９９，９９９", "paid_on": "2024-04-01"})
    assert response.status_code == 422  # more than is owed: refused on the form, nothing written
    assert not claim.payments.exists()
    typed = f"{owed:,}".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,"})
    response = client.post(f"/return-claims/{claim.pk}/", {"amount": typed, "paid_on": "２０２４／０４／０１"})
    assert response.status_code == 302
    assert return_claim_balance(claim=claim, as_of=date(2024, 4, 1)).total_outstanding == 0
    assert "完納" in client.get("/return-claims/").content.decode()


def test_a_runs_step_posted_without_a_page_to_return_to_goes_back_to_the_payment_runs_page(client, people):
    """An officer's step on a run posted without ``next`` (a form of their own, a bookmarked button) lands on the
    payment runs page, which they read, not on the approvers' queue, which would refuse them."""
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    client.force_login(people["officer"])
    client.post("/payment-runs/new/", {"run_on": "2023-10-30"})
    run = PaymentRun.objects.get()
    response = client.post(f"/payment-runs/{run.pk}/steps/cancel/")
    assert response.status_code == 302 and response["Location"] == "/payment-runs/"
    assert client.get(response["Location"]).status_code == 200
