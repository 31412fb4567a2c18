"""Payment runs in the supervisor's queue; paid amounts on the case page and the dashboard."""

from datetime import date

import pytest

from payments.models import PaymentRun
from payments.services import payment_run_create
from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(username="tanaka"), "boss": f.supervisor(username="suzuki")}


def test_supervisor_approves_a_payment_run_from_the_queue_but_not_their_own(client, people):
    case = pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    run = payment_run_create(actor=people["officer"], run_on=date(2023, 10, 30))
    client.force_login(people["boss"])
    queue = client.get("/approvals/").content.decode()
    assert "支払回" in queue and "50,000,000円" in queue and case.recipient.name_ja in queue
    approve_form = queue.split(f'action="/payment-runs/{run.pk}/steps/approve/"')[1].split("</form>")[0]
    assert ">決裁</button>" in approve_form
    response = client.post(f"/payment-runs/{run.pk}/steps/approve/")
    assert response.status_code == 302
    assert PaymentRun.objects.get(pk=run.pk).state == "approved"
    client.force_login(people["officer"])
    client.post(f"/payment-runs/{run.pk}/steps/execute/")
    assert PaymentRun.objects.get(pk=run.pk).state == "executed"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "支払済額" in page and "50,000,000円" in page and "第1回支払" in page


def test_the_drafter_of_a_run_is_told_plainly_when_approving_it(client, people):
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    people["officer"].groups.add(people["boss"].groups.first())
    run = payment_run_create(actor=people["officer"], run_on=date(2023, 10, 30))
    client.force_login(people["boss"])
    assert "起案した人は" not in client.get("/approvals/").content.decode()
    client.force_login(people["officer"])
    queue = client.get("/approvals/").content.decode()
    assert "支払回を起案した人は、その決裁はできません。" in queue and f"/payment-runs/{run.pk}/steps/approve/" not in queue
    response = client.post(f"/payment-runs/{run.pk}/steps/approve/", follow=True)
    assert "支払回を起案した人は、その決裁はできません。" in response.content.decode()
    assert PaymentRun.objects.get(pk=run.pk).state == "draft"
    assert client.post("/payment-runs/999999/steps/approve/").status_code == 404
    assert client.post(f"/payment-runs/{run.pk}/steps/explode/").status_code == 404


def test_a_draft_run_is_cancelled_from_the_queue_and_leaves_it(client, people):
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    run = payment_run_create(actor=people["officer"], run_on=date(2023, 10, 30))
    client.force_login(people["boss"])
    queue = client.get("/approvals/").content.decode()
    cancel_form = queue.split(f'action="/payment-runs/{run.pk}/steps/cancel/"')[1].split("</form>")[0]
    assert ">取消し</button>" in cancel_form and f"/payment-runs/{run.pk}/steps/approve/" in queue
    assert '<input type="hidden" name="next" value="/approvals/">' in cancel_form  # back to the queue it came from
    response = client.post(f"/payment-runs/{run.pk}/steps/cancel/", {"next": "/approvals/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/approvals/"
    assert PaymentRun.objects.get(pk=run.pk).state == "cancelled"
    body = response.content.decode()
    assert "完了しました：取消し" in body and f"/payment-runs/{run.pk}/steps/" not in body
    again = payment_run_create(actor=people["officer"], run_on=date(2023, 10, 30))
    assert again.items.count() == 1


def test_dashboard_shows_what_was_paid_towards_the_year(client, people):
    pf.notified(**people, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), **people)
    client.force_login(people["boss"])
    body = client.get("/dashboard/?fiscal_year=2023").content.decode()
    assert "100,000,000円" in body and "50,000,000円" in body
