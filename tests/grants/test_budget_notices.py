"""A supervisor records the ministry's budget-obligation notice; the service refuses what the API refuses."""

from datetime import date

import pytest
from django.db import transaction

from grants.errors import InvalidInput
from grants.limits import MAX_YEN
from grants.models import BudgetNotice, HistoryEntry
from grants.services import budget_notice_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def record(**overrides):
    f.fiscal_year(2025)
    arguments = {
        "actor": f.supervisor(), "fiscal_year": 2025, "stream": "community_support_grant", "part": "",
        "amount": 1_000_000, "received_on": date(2025, 4, 1), "reference": "老発0401第1号",
    }
    return budget_notice_record(**arguments | overrides)


def test_the_history_records_the_reference_as_stored():
    notice = record(reference="  老発0401第1号 ")
    entry = HistoryEntry.objects.get(action="budget_notice_record")
    assert notice.reference == entry.data["reference"] == "老発0401第1号"


@pytest.mark.parametrize("amount", [0, -1, MAX_YEN + 1, 2**64, "1000"])
def test_an_amount_outside_the_yen_bounds_is_invalid_input(amount):
    with pytest.raises(InvalidInput) as raised, transaction.atomic():
        record(amount=amount)
    assert "amount" in raised.value.details
    assert not BudgetNotice.objects.exists()


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/budget-notices", '{"fiscal_year": 2025, "stream": "community_support_grant", "amount": 5, '
                                '"received_on": "2025-04-01", "reference": "\\ud800"}'),
        ("/api/auth/token", '{"username": "\\udfff", "password": "x"}'),
    ],
)
def test_json_with_an_unpaired_surrogate_is_a_malformed_request(api, url, body):
    f.fiscal_year(2025)
    api.force_authenticate(f.supervisor())
    response = api.post(url, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"
    assert not BudgetNotice.objects.exists()
