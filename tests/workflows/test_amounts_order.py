"""The API's ``amounts_shown`` and the case page list a case's amounts in one order: a grant, a settlement, a
survey and a revoked grant."""

import re
from datetime import date

import pytest

from tests import factories as f
from tests.factories import Stream
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


def page_amount_names(client, case) -> list[str]:
    """The amounts the case page lists, top to bottom."""
    body = client.get(f"/cases/{case.pk}/").content.decode()
    table = re.search(r'<table[^>]*data-testid="amounts">(.*?)</table>', body, re.S).group(1)
    return re.findall(r'data-testid="amount-(\w+)"', table)


def api_amount_names(api, case) -> list[str]:
    return api.get(f"/api/cases/{case.pk}").json()["amounts_shown"]


@pytest.fixture
def cases():
    officer, boss = f.officer(), f.supervisor()
    pf.shipped_plans()
    grant = pf.notified(officer=officer, boss=boss, year=2023, amount=4_000_000, on=date(2023, 10, 19))
    revoked = pf.notified(officer=officer, boss=boss, year=2023, amount=1_000_000, on=date(2023, 10, 19),
                          recipient=f.municipality(code="112089", name="所沢市"))
    pf.revoked(revoked, boss, today=date(2024, 3, 1))
    survey = f.case(actor=officer, stream=Stream.MEDICAL_CARE_FUND, part="facilities", procedure="demand_survey")
    settlement = f.case(actor=officer, procedure="prior_year_settlement")
    return officer, {"grant": grant, "revoked": revoked, "survey": survey, "settlement": settlement}


def test_the_api_and_the_case_page_list_the_amounts_in_one_order(client, api, cases):
    officer, by_kind = cases
    client.force_login(officer)
    api.force_authenticate(officer)
    for kind, case in by_kind.items():
        shown = api_amount_names(api, case)
        on_page = page_amount_names(client, case)
        assert shown == [name for name in on_page if name in shown], kind
    assert api_amount_names(api, by_kind["grant"]) == ["requested", "determined", "current", "paid"]
    assert api_amount_names(api, by_kind["settlement"]) == ["requested", "settled", "paid"]
    assert api_amount_names(api, by_kind["survey"]) == ["requested"]
    # a revocation's amount is on the page once there is one; the API keeps it in ``amounts``
    assert "revoked" in page_amount_names(client, by_kind["revoked"])
    assert api_amount_names(api, by_kind["revoked"]) == ["requested", "determined", "current", "paid"]
