"""Repayments recorded against a return claim in the API and the UI: recomputed balance, closing, refusals that write nothing."""

from datetime import date

import pytest

from grants.models import HistoryEntry
from payments.models import ReturnClaim, ReturnPayment
from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf
from tests.payments.test_payments_api import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor(), "auditor": f.auditor()}


@pytest.fixture
def claim(people, today):
    """¥5,000,000 paid 2023-10-30, revoked under art. 17(1) on 2023-11-15: due 2023-12-14."""
    case = pf.notified(**{k: people[k] for k in ("officer", "boss")}, year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    pf.revoked(case, people["boss"], today=date(2023, 11, 15), reason="目的外使用", legal_basis="art_17_1")
    today(date(2024, 1, 31))
    return ReturnClaim.objects.get()


def written():
    return (ReturnPayment.objects.count(), HistoryEntry.objects.count(), ReturnClaim.objects.filter(closed_on__isnull=False).count())


def test_api_records_with_reference_recomputes_and_closes(api, people, claim):
    officer_api = login(api, people["officer"])
    url = f"/api/return-claims/{claim.pk}/payments"
    part = officer_api.post(url, {"amount": 2_000_000, "paid_on": "2023-11-30", "reference": "R5-77"}, format="json")
    assert part.status_code == 201, part.content
    body = part.json()
    # 加算金 2023-10-30 … 11-30 on 5,000,000: 32 days × 1,500 = 48,000.
    assert body["balance"]["principal_outstanding"] == 3_000_000 and body["balance"]["surcharge"] == 48_000
    assert body["payments"] == [{"date": "2023-11-30", "amount": 2_000_000, "reference": "R5-77"}]
    assert body["closed_on"] is None
    # The rest on 2023-12-14 (the due date): 加算金 + 3,000,000 × 14 days (12-01 … 12-14) × 0.03 % = 12,600.
    rest = officer_api.post(url, {"amount": 3_060_600, "paid_on": "2023-12-14"}, format="json")
    assert rest.status_code == 201, rest.content
    assert rest.json()["closed_on"] == "2023-12-14" and rest.json()["balance"]["settled"] is True
    before = written()
    assert_error(officer_api.post(url, {"amount": 1, "paid_on": "2024-01-05"}, format="json"), 409, "claim_closed")
    assert written() == before


def test_api_refusals_write_nothing(api, people, claim):
    officer_api = login(api, people["officer"])
    url = f"/api/return-claims/{claim.pk}/payments"
    before = written()
    assert_error(officer_api.post(url, {"amount": 9_000_000, "paid_on": "2023-12-01"}, format="json"), 422, "overpayment")
    assert_error(officer_api.post(url, {"amount": 1, "paid_on": "2023-11-01"}, format="json"), 422, "invalid_input")
    assert_error(officer_api.post(url, {"amount": 1, "paid_on": "2023-12-01", "reference": "x" * 101}, format="json"),
                 422, "invalid_input")
    assert_error(login(api, people["auditor"]).post(url, {"amount": 1, "paid_on": "2023-12-01"}, format="json"),
                 403, "permission_denied")
    assert written() == before


def test_a_repayment_of_0_yen_is_refused_saying_it_must_be_at_least_1_yen(api, client, people, claim):
    """The page, the API and the service give the service's one message (the page's form said "enter a whole
    number of yen" of 0, the API "greater than or equal to 1"), and nothing is written."""
    before = written()
    client.force_login(people["officer"])
    page = client.post(f"/return-claims/{claim.pk}/", {"paid_on": "2023-12-01", "amount": "0"})
    assert page.status_code == 422 and "返還額は1円以上で入力してください。" in page.content.decode()
    officer_api = login(api, people["officer"])
    url = f"/api/return-claims/{claim.pk}/payments"
    for amount in (0, -5):
        error = assert_error(officer_api.post(url, {"amount": amount, "paid_on": "2023-12-01"}, format="json"),
                             422, "invalid_input")
        assert error["details"] == {"amount": ["返還額は1円以上で入力してください。"]}
    english = officer_api.post(url, {"amount": 0, "paid_on": "2023-12-01"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 422, "invalid_input")["details"] == {"amount": ["The amount paid back must be at least 1 yen."]}
    assert written() == before


def test_ui_records_a_repayment_and_shows_the_balance(client, people, claim):
    client.force_login(people["officer"])
    url = f"/return-claims/{claim.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "name=\"amount\"" in page.content.decode()
    done = client.post(url, {"paid_on": "2023-11-30", "amount": "2000000", "reference": "R5-77"})
    assert done.status_code == 302
    shown = client.get(url).content.decode()
    assert "R5-77" in shown and "3,000,000" in shown


def test_ui_form_errors_write_nothing(client, people, claim):
    client.force_login(people["officer"])
    url = f"/return-claims/{claim.pk}/"
    before = written()
    too_much = client.post(url, {"paid_on": "2023-12-01", "amount": "9000000"})
    assert too_much.status_code == 422
    assert "field__error" in too_much.content.decode() and "amount_error" in too_much.content.decode()
    early = client.post(url, {"paid_on": "2023-11-01", "amount": "1"})
    assert early.status_code == 422 and "paid_on_error" in early.content.decode()
    blank = client.post(url, {"paid_on": "", "amount": ""})
    assert blank.status_code == 422
    assert written() == before
    client.force_login(people["auditor"])
    assert client.get(url).status_code == 200
    assert "name=\"amount\"" not in client.get(url).content.decode()
    assert client.post(url, {"paid_on": "2023-12-01", "amount": "1"}).status_code == 403
    assert written() == before
