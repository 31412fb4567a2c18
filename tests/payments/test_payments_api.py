"""The payment endpoints over HTTP: status codes, error codes and the fields the contract names."""

from datetime import date

import pytest

from payments.errors import DISCONTINUITY_MESSAGE, RunFourEyesViolation
from payments.models import PaymentRecord
from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


def login(api, user):
    response = api.post("/api/auth/token", {"username": user.username, "password": "pw-for-tests-123"}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor(), "auditor": f.auditor()}


@pytest.fixture
def notified_case(people):
    officer, boss = people["officer"], people["boss"]
    return pf.notified(officer=officer, boss=boss, year=2023, amount=100_000_000, on=date(2023, 10, 19))


def test_payment_endpoints_need_a_token(api):
    for url in ("/api/payment-runs", "/api/payment-items", "/api/return-claims", "/api/fund-balances"):
        assert_error(api.get(url), 401, "not_authenticated")


def test_draft_approve_execute_over_http(api, people, notified_case):
    officer_api = login(api, people["officer"])
    created = officer_api.post("/api/payment-runs", {"date": "2023-10-30"}, format="json")
    assert created.status_code == 201, created.content
    run = created.json()
    assert (run["date"], run["fiscal_year"], run["state"], run["total"], run["item_count"]) == (
        "2023-10-30", 2023, "draft", 50_000_000, 1,
    )
    assert run["available_transitions"] == ["cancel"]  # the officer may not approve
    assert run["lines"][0]["recipient"]["code"] == "112011" and run["lines"][0]["amount"] == 50_000_000

    assert_error(officer_api.post(f"/api/payment-runs/{run['id']}/transitions/execute"), 409, "transition_not_allowed")
    assert_error(officer_api.post(f"/api/payment-runs/{run['id']}/transitions/approve"), 403, "permission_denied")
    assert_error(officer_api.post(f"/api/payment-runs/{run['id']}/transitions/explode"), 404, "unknown_transition")

    boss_api = login(api, people["boss"])
    approved = boss_api.post(f"/api/payment-runs/{run['id']}/transitions/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["approved_by"] == people["boss"].username
    executed = login(api, people["officer"]).post(f"/api/payment-runs/{run['id']}/transitions/execute")
    assert executed.status_code == 200 and executed.json()["state"] == "executed"
    again = api.post(f"/api/payment-runs/{run['id']}/transitions/execute")
    assert_error(again, 409, "transition_not_allowed")
    assert PaymentRecord.objects.count() == 1

    listed = api.get("/api/payment-runs?fiscal_year=2023").json()
    assert listed["count"] == 1 and listed["items"][0]["date"] == "2023-10-30"
    assert api.get("/api/payment-runs?fiscal_year=2025").json()["count"] == 0
    case = api.get(f"/api/cases/{notified_case.pk}").json()
    assert case["amounts"]["paid"] == 50_000_000


def test_cancel_over_http_releases_the_items_and_only_from_draft(api, people, notified_case):
    officer_api = login(api, people["officer"])
    run = officer_api.post("/api/payment-runs", {"date": "2023-10-30"}, format="json").json()
    url = f"/api/payment-runs/{run['id']}/transitions/cancel"
    assert_error(login(api, people["auditor"]).post(url), 403, "permission_denied")
    cancelled = login(api, people["officer"]).post(url)
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["state"], body["item_count"], body["available_transitions"]) == ("cancelled", 0, [])
    assert_error(api.post(url), 409, "transition_not_allowed")
    again = api.post("/api/payment-runs", {"date": "2023-10-30"}, format="json").json()
    assert again["total"] == 50_000_000
    login(api, people["boss"]).post(f"/api/payment-runs/{again['id']}/transitions/approve")
    assert_error(api.post(f"/api/payment-runs/{again['id']}/transitions/cancel"), 409, "transition_not_allowed")


def test_the_drafter_gets_four_eyes(api, people, notified_case):
    boss_api = login(api, people["boss"])
    run = boss_api.post("/api/payment-runs", {"date": "2023-10-30"}, format="json").json()
    error = assert_error(boss_api.post(f"/api/payment-runs/{run['id']}/transitions/approve"), 403, "four_eyes")
    assert error["message"] == str(RunFourEyesViolation.default_message)


def test_creating_a_run_refuses_auditors_bad_dates_and_empty_runs(api, people, notified_case):
    auditor_api = login(api, people["auditor"])
    assert_error(auditor_api.post("/api/payment-runs", {"date": "2023-10-30"}), 403, "permission_denied")
    officer_api = login(api, people["officer"])
    assert_error(officer_api.post("/api/payment-runs", {"date": "30/10/2023"}), 422, "invalid_input")
    assert_error(officer_api.post("/api/payment-runs", {"date": "2023-10-02"}), 409, "nothing_to_pay")
    assert_error(officer_api.get("/api/payment-runs/999999"), 404, "payment_run_not_found")


def test_payment_items_show_amount_basis_due_run_and_paid_in_run(api, people, notified_case):
    run = pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    body = login(api, people["officer"]).get(f"/api/payment-items?case={notified_case.pk}").json()
    assert body["count"] == 2
    assert [(i["basis"], i["amount"], i["due_run"], i["paid_in_run"]) for i in body["items"]] == [
        ("tranche_1", 50_000_000, "2023-10-30", run.pk),
        ("tranche_2", 25_000_000, "2024-01-29", None),
    ]
    assert api.get(f"/api/payment-items?run={run.pk}").json()["count"] == 1
    assert api.get("/api/payment-items?recipient=112011").json()["count"] == 2
    outsider = f.officer(prefectures=("13",))
    assert login(api, outsider).get("/api/payment-items").json()["count"] == 0


def test_return_claims_with_interest_and_repayments(api, people, notified_case):
    pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    pf.revoked(notified_case, people["boss"], today=date(2023, 11, 15), reason="目的外使用", legal_basis="art_17_1")
    officer_api = login(api, people["officer"])
    claims = officer_api.get("/api/return-claims?as_of=2023-12-01").json()
    assert claims["count"] == 1
    claim = claims["items"][0]
    assert (claim["principal"], claim["reason"], claim["surcharge_applies"]) == (50_000_000, "revocation", True)
    # 加算金 2023-10-30 … 2023-12-01 = 33 days × 50,000,000 × 0.03 % = 495,000.
    assert claim["balance"]["surcharge"] == 495_000
    assert claim["receipts"] == [{"date": "2023-10-30", "amount": 50_000_000}]

    url = f"/api/return-claims/{claim['id']}/payments"
    assert_error(officer_api.post(url, {"amount": 0, "paid_on": "2023-12-01"}), 422, "invalid_input")
    assert_error(officer_api.post(url, {"amount": 60_000_000, "paid_on": "2023-12-01"}), 422, "overpayment")
    one_yen = {"amount": 1, "paid_on": "2023-12-01"}
    assert_error(login(api, people["auditor"]).post(url, one_yen), 403, "permission_denied")
    paid = login(api, people["officer"]).post(url, {"amount": 50_495_000, "paid_on": "2023-12-01"}, format="json")
    assert paid.status_code == 201, paid.content
    assert paid.json()["balance"]["settled"] is True
    assert_error(api.post("/api/return-claims/999999/payments", one_yen), 404, "return_claim_not_found")


def test_dates_beyond_the_years_the_app_handles_are_422_not_500(api, people, notified_case):
    pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    pf.revoked(notified_case, people["boss"], today=date(2023, 11, 15), reason="目的外使用", legal_basis="art_17_1")
    boss_api = login(api, people["boss"])
    claim_id = boss_api.get("/api/return-claims").json()["items"][0]["id"]
    for far in ("9999-12-31", "1900-01-01"):
        error = assert_error(boss_api.get(f"/api/return-claims?as_of={far}"), 422, "invalid_input")
        assert "as_of" in error["details"]
        paid = boss_api.post(f"/api/return-claims/{claim_id}/payments", {"amount": 1, "paid_on": far}, format="json")
        assert "paid_on" in assert_error(paid, 422, "invalid_input")["details"]
        run = boss_api.post("/api/payment-runs", {"date": far}, format="json")
        assert "date" in assert_error(run, 422, "invalid_input")["details"]


def test_a_repayment_dated_after_today_is_422(api, people, notified_case, today):
    pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    pf.revoked(notified_case, people["boss"], today=date(2023, 11, 15), reason="目的外使用", legal_basis="art_17_1")
    today(date(2023, 12, 1))
    boss_api = login(api, people["boss"])
    url = f"/api/return-claims/{boss_api.get('/api/return-claims').json()['items'][0]['id']}/payments"
    refused = boss_api.post(url, {"amount": 1, "paid_on": "2023-12-02"}, format="json")
    assert assert_error(refused, 422, "invalid_input")["details"]["paid_on"] == ["今日より後の日付は入力できません。"]
    assert boss_api.post(url, {"amount": 1, "paid_on": "2023-12-01"}, format="json").status_code == 201


def test_fund_balances_import_and_list_over_http(api, people):
    f.prefecture("11")
    for year in (2023, 2024):
        f.fiscal_year(year)
    rows = [
        {"prefecture": "11", "fiscal_year": 2023, "opening": 1_000, "national_contribution": 400,
         "prefectural_contribution": 200, "interest": 3, "spending": 600, "closing": 1_003},
        {"prefecture": "11", "fiscal_year": 2024, "opening": 1_000, "national_contribution": 0,
         "prefectural_contribution": 0, "interest": 0, "spending": 0, "closing": 1_000},
    ]
    boss_api = login(api, people["boss"])
    refused = boss_api.post("/api/fund-balances", {"rows": rows}, format="json")
    error = assert_error(refused, 422, "fund_balance_discontinuity")
    assert error["message"] == DISCONTINUITY_MESSAGE.format(
        prefecture="埼玉県 (11)", year=2023, next_year=2024, closing=1_003, opening=1_000
    )
    rows[1] |= {"opening": 1_003, "closing": 1_003}
    created = boss_api.post("/api/fund-balances", {"rows": rows}, format="json")
    assert created.status_code == 201 and created.json()["count"] == 2
    listed = login(api, people["auditor"]).get("/api/fund-balances?prefecture=11").json()
    assert [(b["fiscal_year"], b["opening"], b["closing"]) for b in listed["items"]] == [
        (2023, 1_000, 1_003),
        (2024, 1_003, 1_003),
    ]
    auditor_post = login(api, people["auditor"]).post("/api/fund-balances", {"rows": rows}, format="json")
    assert_error(auditor_post, 403, "permission_denied")


def test_openapi_document_describes_the_payment_endpoints(api, people):
    paths = login(api, people["auditor"]).get("/api/openapi.json").json()["paths"]
    for path in ("/api/payment-runs", "/api/payment-runs/{run_id}/transitions/{name}", "/api/payment-items",
                 "/api/return-claims", "/api/fund-balances"):
        assert path in paths


def test_a_payment_run_is_dated_on_a_business_day_in_the_api_the_page_and_the_command_line(api, people, client):
    """Sunday 13 December 2026 is refused everywhere, naming Monday the 14th; nothing is drafted or recorded."""
    from django.core.management import CommandError, call_command

    from grants.models import HistoryEntry
    from payments.models import PaymentRun

    officer = people["officer"]
    pf.payment_item(officer=officer, amount=1_000, due_on=date(2026, 12, 1), year=2026)
    before = HistoryEntry.objects.count()
    error = assert_error(login(api, officer).post("/api/payment-runs", {"date": "2026-12-13"}, format="json"),
                         422, "invalid_input")
    assert "令和8年12月14日" in error["details"]["date"][0]
    client.force_login(people["boss"])
    page = client.post("/payment-runs/new/", {"run_on": "2026-12-13"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 422
    assert "令和8年12月13日は開庁日ではありません。次の開庁日は令和8年12月14日です。" in page.content.decode()
    with pytest.raises(CommandError, match="invalid_input(.|\n)*(令和8年12月14日|2026-12-14)"):
        call_command("payment_run", "create", "--date", "2026-12-13", "--user", officer.username)
    assert not PaymentRun.objects.exists() and HistoryEntry.objects.count() == before
    assert login(api, officer).post("/api/payment-runs", {"date": "2026-12-14"}, format="json").status_code == 201
