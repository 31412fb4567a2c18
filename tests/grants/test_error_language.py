"""Refusals explain themselves in the request's language: the details services write are Japanese by default, English on request."""

from datetime import date

import pytest

from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db

CSG = "community_support_grant"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def refusals(api, url: str, body: dict, field: str) -> tuple[str, str]:
    """The 422 detail for ``field`` of the same refused POST, asked in Japanese (default) and in English."""

    def detail(**headers) -> str:
        error = assert_error(api.post(url, body, format="json", **headers), 422, "invalid_input")
        return " ".join(error["details"][field])

    return detail(), detail(**ENGLISH)


def test_an_unknown_recipient_is_named_in_japanese_or_in_english(api):
    f.fiscal_year(2025)
    api.force_authenticate(f.officer())
    body = {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant", "recipient": "99-nowhere"}
    japanese, english = refusals(api, "/api/cases", body, "recipient")
    assert japanese == "交付先コード '99-nowhere' は登録されていません。"
    assert english == "Unknown recipient code '99-nowhere'."


def test_a_case_in_a_fiscal_year_not_set_up_is_refused_in_the_request_language(api):
    f.municipality()
    api.force_authenticate(f.officer())
    body = {"fiscal_year": 2030, "stream": CSG, "procedure": "initial_grant", "recipient": "112011"}
    japanese, english = refusals(api, "/api/cases", body, "fiscal_year")
    assert japanese == "2030年度は設定されていません。"
    assert english == "Fiscal year 2030 is not set up."


def test_a_budget_notice_for_a_year_not_set_up_is_refused_in_the_request_language(api):
    api.force_authenticate(f.supervisor())
    body = {"fiscal_year": 2030, "stream": CSG, "amount": 5, "received_on": "2025-04-01", "reference": "老発0401第1号"}
    japanese, english = refusals(api, "/api/budget-notices", body, "fiscal_year")
    assert japanese == "2030年度は設定されていません。"
    assert english == "Fiscal year 2030 is not set up."


def test_a_repayment_dated_before_the_claim_is_refused_in_the_request_language(api):
    pf.shipped_plans()
    officer, boss = f.officer(), f.supervisor()
    case = pf.notified(officer=officer, boss=boss, year=2023, amount=100_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.revoked(case, boss, today=date(2023, 11, 15), reason="目的外使用", legal_basis="art_17_1")
    api.force_authenticate(officer)
    claim_id = api.get("/api/return-claims").json()["items"][0]["id"]
    url, body = f"/api/return-claims/{claim_id}/payments", {"amount": 1, "paid_on": "2023-11-01"}
    japanese, english = refusals(api, url, body, "paid_on")
    assert japanese == "返還金の納付は、返還請求の通知日以降の日付順に記録します。"
    assert english == "Payments are recorded in date order, from the claim's notice on."
