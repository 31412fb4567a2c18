"""What stands of a grant once its revocation is notified (補助金適正化法 art. 17): nothing is in force, the determined
and current amounts stay as history, and the API says so in two added keys (``revoked``, ``in_force``)."""

from datetime import date

import pytest
from django.utils import timezone

from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def notified_grant(people):
    return pf.notified(officer=people["officer"], boss=people["boss"], year=2023, amount=10_000_000, on=date(2023, 10, 19))


def test_the_api_adds_what_was_revoked_and_what_stands_keeping_the_history(api, people):
    case = notified_grant(people)
    api.force_authenticate(people["officer"])
    amounts = api.get(f"/api/cases/{case.pk}").json()["amounts"]
    assert (amounts["current"], amounts["revoked"], amounts["in_force"]) == (10_000_000, None, 10_000_000)
    case = pf.revoked(case, people["boss"], today=date(2024, 3, 1))
    amounts = api.get(f"/api/cases/{case.pk}").json()["amounts"]
    assert (amounts["determined"], amounts["current"]) == (10_000_000, 10_000_000)  # history, as before
    assert (amounts["revoked"], amounts["in_force"]) == (10_000_000, 0)
    [listed] = [item for item in api.get("/api/cases").json()["items"] if item["id"] == case.pk]
    assert (listed["amounts"]["revoked"], listed["amounts"]["in_force"]) == (10_000_000, 0)


def test_a_case_revoked_while_its_revocation_is_only_drafted_still_stands(api, people):
    case = notified_grant(people)
    case = pf.act(case, "draft_revocation", people["officer"], today=date(2024, 3, 1), reason="目的外使用",
                  legal_basis="art_17_1")
    api.force_authenticate(people["officer"])
    amounts = api.get(f"/api/cases/{case.pk}").json()["amounts"]
    assert (amounts["revoked"], amounts["in_force"]) == (None, 10_000_000)  # in force until the notice


def test_the_case_as_it_stood_after_the_revocation_shows_nothing_in_force(client, people):
    case = pf.revoked(notified_grant(people), people["boss"], today=date(2024, 3, 1))
    client.force_login(people["officer"])
    body = client.get(f"/cases/{case.pk}/as-of/?date={timezone.localdate():%Y-%m-%d}").content.decode()
    assert 'data-testid="amount-current">0円<' in body
    assert 'data-testid="amount-revoked">10,000,000円<' in body
    assert 'data-testid="amount-determined">10,000,000円<' in body
