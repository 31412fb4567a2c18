"""Payment runs: the approver does not execute, nothing is executed before its date, open claims shown beside each line."""

from datetime import date

import pytest

from grants.models import HistoryEntry
from payments.errors import RunExecutorIsApprover, RunNotDue
from payments.models import PaymentRecord, PaymentRun
from payments.services import payment_run_approve, payment_run_create, payment_run_execute
from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf
from tests.payments.test_payments_api import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor(), "other": f.officer()}


def approved_run(people, on=date(2025, 7, 31)):
    pf.payment_item(officer=people["officer"], amount=5_000, due_on=date(2025, 7, 1))
    run = payment_run_create(actor=people["officer"], run_on=on)
    return payment_run_approve(actor=people["boss"], run_id=run.pk)


def written():
    return (PaymentRecord.objects.count(), HistoryEntry.objects.count(), list(PaymentRun.objects.values_list("state")))


def test_the_approver_may_not_execute(people, today):
    today(date(2025, 8, 1))
    run = approved_run(people)
    before = written()
    with pytest.raises(RunExecutorIsApprover) as refused:
        payment_run_execute(actor=people["boss"], run_id=run.pk)
    assert refused.value.code == "four_eyes"
    assert written() == before
    assert payment_run_execute(actor=people["other"], run_id=run.pk).executed_by == people["other"]


def test_a_run_is_not_executed_before_its_date(people, today):
    run = approved_run(people)
    today(date(2025, 7, 30))
    before = written()
    with pytest.raises(RunNotDue) as refused:
        payment_run_execute(actor=people["officer"], run_id=run.pk)
    assert refused.value.code == "run_not_due" and "令和7年7月31日" in str(refused.value.message)
    assert written() == before
    today(date(2025, 7, 31))
    assert payment_run_execute(actor=people["officer"], run_id=run.pk).state == "executed"


def test_api_refusals(api, people, today):
    run = approved_run(people)
    today(date(2025, 7, 30))
    url = f"/api/payment-runs/{run.pk}/transitions/execute"
    before = written()
    assert_error(login(api, people["officer"]).post(url), 409, "run_not_due")
    today(date(2025, 8, 1))
    assert_error(login(api, people["boss"]).post(url), 403, "four_eyes")
    assert written() == before


def test_ui_refusal_is_a_message_and_writes_nothing(client, people, today):
    run = approved_run(people)
    today(date(2025, 8, 1))
    client.force_login(people["boss"])
    before = written()
    response = client.post(f"/payment-runs/{run.pk}/steps/execute/", follow=True)
    assert "承認した" in response.content.decode() or "approved a payment run" in response.content.decode()
    assert written() == before


def test_each_recipient_line_shows_its_open_claims_unnetted(api, people, client):
    officer, boss = people["officer"], people["boss"]
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2023, 11, 15), reason="目的外使用", legal_basis="other")
    adjustment = pf.notified(
        officer=officer, boss=boss, year=2023, amount=3_000_000, on=date(2024, 2, 21), procedure="adjustment_grant",
        recipient=case.recipient,
    )
    run = payment_run_create(actor=officer, run_on=date(2024, 3, 25))
    lines = login(api, boss).get(f"/api/payment-runs/{run.pk}").json()["lines"]
    mine = [line for line in lines if line["recipient"]["code"] == case.recipient.code]
    assert len(mine) == 1
    # Paid gross: 3,000,000 for the adjustment grant; the 5,000,000 claim is shown beside it, not netted.
    assert mine[0]["amount"] == 3_000_000 and adjustment.pk in {item["case"] for item in mine[0]["items"]}
    assert [(c["principal"], c["reason"]) for c in mine[0]["open_claims"]] == [(5_000_000, "revocation")]
    client.force_login(boss)
    page = client.get("/approvals/").content.decode()
    claim_id = mine[0]["open_claims"][0]["id"]
    assert f'href="/return-claims/{claim_id}/"' in page and "5,000,000" in page
