"""Two officers act on the same case at once: one wins, the other gets a conflict."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories as f
from tests.threads import at_once


def _client(user) -> APIClient:
    client = APIClient()
    token = client.post("/api/auth/token", {"username": user.username, "password": "pw-for-tests-123"}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    return client


@pytest.mark.parametrize("round_", range(3))
def test_same_version_from_two_clients_one_wins_one_gets_409(live_db, round_):
    first, second = f.officer(), f.officer()
    case = f.case(actor=first)
    clients = [_client(first), _client(second)]
    responses = at_once(*[
        (lambda index=index: clients[index].post(
            f"/api/cases/{case.pk}/transitions/request",
            {"version": 1, "deadline": (timezone.localdate() + timedelta(days=10 + index)).isoformat()},
            format="json",
        ))
        for index in range(2)
    ])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["error"]["code"] == "stale_version"
    winner = next(r for r in responses if r.status_code == 200).json()
    assert winner["version"] == 2
    assert case.history.filter(action="request").count() == 1
    case.refresh_from_db()
    assert case.version == 2 and case.state == "requested"
