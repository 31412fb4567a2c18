"""Input the database cannot store is refused at the edge, and every error under /api/ is in the error shape.

(Found by a security audit: on PostgreSQL a NUL in the session cookie, ``Cookie:
sessionid="abc\\000def"``, gave a 500 on every address, signed in or not, and a
NUL in ``Authorization: Bearer`` did the same; with DEBUG on, /api/ 404s and
oversize 400s were Django's HTML pages.)
"""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests import factories as f
from tests.http import assert_error

pytestmark = pytest.mark.django_db
NUL = "\x00"


def assert_plain_400_page(response):
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html"), response.content
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/cases", "/login/", "/cases/"])
def test_a_nul_in_the_session_cookie_is_a_400_not_a_database_error(client, path):
    client.cookies[settings.SESSION_COOKIE_NAME] = f"abc{NUL}def"  # sent quoted, as "abc\000def"
    response = client.get(path)
    if path.startswith("/api/"):
        assert_error(response, 400, "malformed_request")
    else:
        assert_plain_400_page(response)


def test_a_nul_in_the_bearer_token_is_a_400(api):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer abc{NUL}def")
    assert_error(api.get("/api/cases"), 400, "malformed_request")


@pytest.mark.parametrize(
    "path", ["/api/cases?state=%00", "/api/cases?%00=1", "/api/cases/%00", "/api/recipients?prefecture=1%002"]
)
def test_a_nul_in_the_address_or_query_is_a_400_in_the_api(api, path):
    api.force_authenticate(f.officer())
    assert_error(api.get(path), 400, "malformed_request")


def test_a_nul_in_a_page_query_or_another_header_is_the_plain_400_page(client):
    client.force_login(f.officer())
    assert_plain_400_page(client.get("/cases/", {"state": f"a{NUL}"}))
    assert_plain_400_page(client.get("/calendar/?view=%00"))
    assert_plain_400_page(client.get("/cases/", HTTP_USER_AGENT=f"x{NUL}y"))


def test_a_nul_in_the_sign_in_form_is_a_form_error_not_a_database_error(client):
    response = client.post("/login/", {"username": f"officer{NUL}", "password": "x"})
    assert response.status_code == 200 and response.context["form"].errors


def test_a_page_query_with_too_many_fields_is_the_plain_400_page(client, settings):
    settings.DEBUG = True  # where Django's own refusal failed while drawing its debug page
    too_many = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert client.get(f"/login/?{too_many}").status_code == 400


def test_an_api_body_over_the_limit_is_a_413_before_it_is_read(api):
    api.force_authenticate(f.supervisor())
    body = b'{"reference": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    assert_error(api.post("/api/budget-notices", body, content_type="application/json"), 413, "request_too_large")


# ---------------------------------------------------------------- the error shape in every configuration


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.urls("tests.error_urls")
def test_every_api_error_is_in_the_shape_with_debug_on_or_off(debug):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(f.supervisor())
    assert_error(api.get("/api/no-such-endpoint"), 404, "not_found")
    assert_error(api.get("/api/cases/"), 404, "not_found")  # a trailing slash the API does not use
    assert_error(api.delete("/api/cases"), 405, "method_not_allowed")
    form = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_error(api.post("/api/budget-notices", form, content_type="application/x-www-form-urlencoded"),
                 400, "malformed_request")
    assert_error(api.post("/api/budget-notices", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
                          content_type="application/json"), 413, "request_too_large")
    too_many = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_error(api.get(f"/api/cases?{too_many}"), 400, "malformed_request")
    error = assert_error(api.get("/api/test-failure"), 500, "server_error")
    assert "secret" not in str(error)


@pytest.mark.urls("tests.error_urls")
def test_web_pages_keep_their_html_errors(client, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
