"""Pages are Japanese by default whatever the browser says; English only when the user picks it."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_japanese_pages(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "ログイン" in response.content.decode()


def test_the_language_switch_gives_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Log in" in body
    assert "ログイン" not in body


def test_api_clients_may_ask_for_english_messages(api):
    response = api.get("/api/cases", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"].isascii()
