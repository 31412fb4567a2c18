"""Every API list pages the same way: ``?page=`` is a whole number from 1, anything else a 422."""

import pytest

from grants.models import Recipient
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "²", "9" * 5000, "1000000001"])
def test_a_page_that_is_not_a_whole_number_from_one_is_422(api, page):
    api.force_authenticate(f.auditor())
    response = api.get("/api/recipients", {"page": page})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert "page" in response.json()["error"]["details"]


def test_pages_hold_fifty_and_a_page_past_the_end_is_empty(api):
    for number in range(55):
        f.town(number)
    count = Recipient.objects.count()
    api.force_authenticate(f.auditor())
    pages = [api.get("/api/recipients", {"page": page}).json() for page in (1, 2, 3)]
    assert [len(body["items"]) for body in pages] == [50, count - 50, 0]
    assert {body["count"] for body in pages} == {count}
