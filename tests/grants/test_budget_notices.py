"""A supervisor records the ministry's budget-obligation notice; the service refuses what the API refuses."""

from datetime import date

import pytest
from django.db import transaction

from grants.limits import EARLIEST_DATE, LATEST_DATE, MAX_YEN
from grants.models import BudgetNotice, HistoryEntry
from grants.services import budget_notice_record
from tests import factories as f
from tests.http import assert_error
from web.errors import InvalidInput

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


@pytest.mark.parametrize("received_on", [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_a_received_on_outside_the_date_bounds_is_invalid_input(received_on):
    with pytest.raises(InvalidInput) as raised, transaction.atomic():
        record(received_on=received_on)
    assert "received_on" in raised.value.details
    assert not BudgetNotice.objects.exists()


@pytest.mark.parametrize("received_on", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_the_api_names_received_on_outside_the_date_bounds(api, received_on):
    f.fiscal_year(2025)
    api.force_authenticate(f.supervisor())
    body = {"fiscal_year": 2025, "stream": "community_support_grant", "amount": 5,
            "received_on": received_on, "reference": "老発0401第1号"}
    error = assert_error(api.post("/api/budget-notices", body, format="json"), 422, "invalid_input")
    assert set(error["details"]) == {"received_on"}
    assert not BudgetNotice.objects.exists() and not HistoryEntry.objects.filter(action="budget_notice_record").exists()


@pytest.mark.parametrize("received_on", [EARLIEST_DATE, LATEST_DATE])
def test_received_on_at_the_date_bounds_is_recorded(received_on):
    assert record(received_on=received_on).received_on == received_on


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
