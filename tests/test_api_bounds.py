"""Out-of-range numbers in URLs and query strings are a 404 or a 422, never a 500.

(Found by running schemathesis against /api/openapi.json: unbounded integers
overflowed the database's integer types.)
"""

import pytest

from tests import factories as f
from tests.http import assert_error

pytestmark = pytest.mark.django_db
HUGE = "9" * 30


@pytest.mark.parametrize(
    "url",
    [
        f"/api/cases?fiscal_year={HUGE}",
        f"/api/payment-runs?fiscal_year={HUGE}",
        f"/api/payment-items?case={HUGE}",
        f"/api/return-claims?case={HUGE}",
        f"/api/fund-balances?fiscal_year={HUGE}",
        f"/api/letters?case={HUGE}",
        f"/api/history/export?case={HUGE}",
        "/api/cases?fiscal_year=-5",
    ],
)
def test_huge_query_numbers_are_422(api, url):
    api.force_authenticate(f.supervisor())
    response = api.get(url)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    "url", [f"/api/cases/{HUGE}", f"/api/payment-runs/{HUGE}", f"/api/letters/{HUGE}.pdf", "/api/no-such-endpoint"]
)
def test_huge_ids_in_urls_and_unknown_api_addresses_are_a_json_404(api, url):
    api.force_authenticate(f.supervisor())
    assert_error(api.get(url), 404, "not_found")


def test_unknown_web_addresses_still_get_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


def test_huge_version_is_422(api):
    officer = f.officer()
    case = f.case(actor=officer)
    api.force_authenticate(officer)
    response = api.post(f"/api/cases/{case.pk}/transitions/request", {"version": int(HUGE)}, format="json")
    assert response.status_code == 422


def test_an_api_refusal_keeps_its_code_and_details_when_the_client_asks_for_html(api):
    """A browser asks for HTML first: the refusal is still the API's error shape with its own code, message and
    details, not a page, nor a shape left with only its status."""
    officer = f.officer()
    case = f.case(actor=officer)
    api.force_authenticate(officer)
    html = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = api.get("/api/recipients", {"code": "122204"}, **html)
    assert response["Content-Type"].startswith("application/json")
    error = assert_error(response, 422, "invalid_input")
    assert "122204" in str(error["details"]) and "検査数字" in str(error["details"])
    response = api.post(f"/api/cases/{case.pk}/transitions/request", {"version": case.version + 1}, format="json", **html)
    error = assert_error(response, 409, "stale_version")
    assert error["details"]["current_version"] == case.version
    assert assert_error(api.get("/api/cases/999999999", **html), 404, "case_not_found")["details"] == {"case": 999999999}


def test_a_history_export_that_ends_before_it_starts_is_refused(api):
    api.force_authenticate(f.auditor())
    error = assert_error(api.get("/api/history/export", {"date_from": "2025-06-01", "date_to": "2025-05-01"}), 422, "invalid_input")
    assert list(error["details"]) == ["date_to"]
