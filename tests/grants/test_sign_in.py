"""API tokens expire, are one per sign-in and are revoked on sign-out and on a password change;
repeated failed sign-ins lock the account on the page and on the API.

(Found by a security audit: the same token came back on every sign-in, never
expired and survived sign-out and a password change; 30 wrong passwords and
then the right one signed in on both paths.)
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests import factories as f
from tests.http import assert_error

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


def sign_in(api, user, password=PASSWORD):
    return api.post("/api/auth/token", {"username": user.username, "password": password}, format="json")


def bearer(api, token: str):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


# ---------------------------------------------------------------- tokens


def test_each_sign_in_is_its_own_token_with_an_expiry(api):
    officer = f.officer()
    first, second = sign_in(api, officer).json(), sign_in(api, officer).json()
    assert set(first) == {"token", "expiry"} and first["token"] != second["token"]
    expiry = timezone.datetime.fromisoformat(first["expiry"])
    assert timezone.now() < expiry <= timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert bearer(api, first["token"]).get("/api/cases").status_code == 200
    assert bearer(api, second["token"]).get("/api/cases").status_code == 200
    assert not AuthToken.objects.filter(digest__contains=first["token"]).exists()  # stored as a hash only


def test_an_expired_token_is_refused(api):
    officer = f.officer()
    token = sign_in(api, officer).json()["token"]
    AuthToken.objects.filter(user=officer).update(expiry=timezone.now() - timedelta(seconds=1))
    assert_error(bearer(api, token).get("/api/cases"), 401, "authentication_failed")


def test_signing_out_revokes_that_token_and_only_that_one(api):
    officer = f.officer()
    laptop, script = sign_in(api, officer).json()["token"], sign_in(api, officer).json()["token"]
    assert bearer(api, laptop).post("/api/auth/logout").status_code == 204
    assert_error(bearer(api, laptop).get("/api/cases"), 401, "authentication_failed")
    assert bearer(api, script).get("/api/cases").status_code == 200


def test_signing_out_everywhere_revokes_every_token(api):
    officer = f.officer()
    laptop, script = sign_in(api, officer).json()["token"], sign_in(api, officer).json()["token"]
    other = sign_in(api, f.officer(username="other")).json()["token"]
    assert bearer(api, laptop).post("/api/auth/logout-all").status_code == 204
    for token in (laptop, script):
        assert_error(bearer(api, token).get("/api/cases"), 401, "authentication_failed")
    assert bearer(api, other).get("/api/cases").status_code == 200


def test_a_password_change_revokes_every_token(api):
    officer = f.officer()
    token = sign_in(api, officer).json()["token"]
    officer.set_password("a-new-pw-for-tests-456")
    officer.save()
    assert_error(bearer(api, token).get("/api/cases"), 401, "authentication_failed")
    assert sign_in(api, officer, "a-new-pw-for-tests-456").status_code == 200


def test_saving_a_user_without_a_new_password_keeps_the_tokens(api):
    officer = f.officer()
    token = sign_in(api, officer).json()["token"]
    officer.first_name = "太郎"
    officer.save()
    assert bearer(api, token).get("/api/cases").status_code == 200


def test_the_admin_password_form_revokes_the_tokens_too(api):
    officer = f.officer()
    token = sign_in(api, officer).json()["token"]
    admin = Client()
    admin.force_login(f.UserFactory(username="root", is_staff=True, is_superuser=True))
    response = admin.post(
        f"/admin/auth/user/{officer.pk}/password/",
        {"password1": "a-new-pw-for-tests-456", "password2": "a-new-pw-for-tests-456", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert_error(bearer(api, token).get("/api/cases"), 401, "authentication_failed")


def test_a_token_header_that_is_not_ascii_is_refused_not_a_500(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer caf\u00e9")
    assert_error(api.get("/api/cases"), 400, "malformed_request")


# ---------------------------------------------------------------- lockout


def test_an_overlong_user_name_is_a_422_not_a_database_error(api):
    """django-axes records a failed name in a 255-character column, which PostgreSQL enforces."""
    response = api.post("/api/auth/token", {"username": "x" * 300, "password": "wrong"}, format="json")
    assert_error(response, 422, "invalid_input")


def test_the_api_locks_an_account_after_repeated_failures_even_for_the_right_password(api):
    officer = f.officer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(sign_in(api, officer, "wrong"), 401, "invalid_credentials")
    assert_error(sign_in(api, officer, "wrong"), 429, "too_many_attempts")
    assert_error(sign_in(api, officer), 429, "too_many_attempts")
    assert sign_in(api, f.officer(username="colleague")).status_code == 200  # another account is not locked


def test_the_sign_in_page_says_the_account_is_locked(client):
    officer = f.officer()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": officer.username, "password": "wrong"})
    response = client.post("/login/", {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors().as_data()[0].code == "locked_out"
    assert 'data-testid="locked-out"' in response.content.decode()


def test_a_success_before_the_limit_clears_the_count(api):
    officer = f.officer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(api, officer, "wrong")
    assert sign_in(api, officer).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(sign_in(api, officer, "wrong"), 401, "invalid_credentials")


def test_the_lockout_ends_with_the_cool_off_or_an_administrators_reset(api):
    officer = f.officer()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(api, officer, "wrong")
    assert_error(sign_in(api, officer), 429, "too_many_attempts")
    call_command("axes_reset_username", officer.username)
    assert sign_in(api, officer).status_code == 200
