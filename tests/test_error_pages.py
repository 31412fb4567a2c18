"""The production error pages are the app's own and show nothing internal.

(Found by a security audit: the 404 page printed ``str(exception)``, which for
an address no pattern matches is Django's list of every URL pattern; a bad
Host header's 400 named the ALLOWED_HOSTS setting.)
"""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def page_text(response, status: int) -> str:
    assert response.status_code == status and response["Content-Type"].startswith("text/html"), response.content
    return response.content.decode()


def assert_nothing_internal(text: str):
    for internal in ("api/", "admin/", "tried", "Resolver", str(settings.BASE_DIR), "ALLOWED_HOSTS", "Traceback", "/srv/"):
        assert internal not in text, internal


def test_the_404_page_does_not_list_the_url_map(client):
    text = page_text(client.get("/no-such-page/"), 404)
    assert_nothing_internal(text)
    assert "This page does not exist" in text or "ページ" in text


def test_the_400_page_does_not_name_settings():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="grants.evil.example")
    assert_nothing_internal(page_text(response, 400))


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_shows_nothing_of_the_failure():
    text = page_text(Client(raise_request_exception=False).get("/test-failure/"), 500)
    assert_nothing_internal(text)
    assert "something internal" not in text


def test_a_message_written_for_the_reader_is_still_shown(client):
    client.force_login(f.officer())
    text = page_text(client.get("/cases/999999/"), 404)
    assert "案件" in text or "No such case" in text
    assert_nothing_internal(text)


def test_an_address_for_a_forms_button_opened_in_the_browser_gets_the_apps_own_page(client):
    """Signing out, approving in bulk, a payment run's step: addresses that take only a form's POST answer a GET
    with the app's page saying so (Django's 405 has no body, and the browser would show its own blank error)."""
    client.force_login(f.supervisor())
    for address in ("/logout/", "/approvals/bulk/"):
        response = client.get(address)
        text = page_text(response, 405)
        assert "405" in text and "POST" in response["Allow"]
        assert_nothing_internal(text)
    response = client.get("/api/auth/token")  # the API keeps its error shape
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_the_405_page_may_not_be_framed(client):
    client.force_login(f.supervisor())
    response = client.get("/logout/")  # a POST-only address
    assert response.status_code == 405 and response["X-Frame-Options"] == "DENY"
