"""A funding stream declared in one module of its own runs like the shipped ones, through the API.

``tests/workflows/fourth_stream.py`` registers a fourth stream with two parts
and two procedures (its flows, specs and letter wording); nothing else in the
product names it. One case of each procedure goes from request to notice
through the API, and its letters, money and history records are checked.
"""

import gc
import importlib
import sys

import pytest

from grants.catalogue import registry_restored
from grants.history import history_verify
from grants.models import Case, HistoryEntry
from tests import factories as f
from workflows import checks

pytestmark = pytest.mark.django_db
MODULE = "tests.workflows.fourth_stream"
STREAM = "care_robot_subsidy"


@pytest.fixture
def fourth_stream():
    """The module imported afresh (so it registers), and its stream gone from the registry afterwards."""
    with registry_restored():
        sys.modules.pop(MODULE, None)
        yield importlib.import_module(MODULE)
        sys.modules.pop(MODULE, None)
    gc.collect()


def act(api, case: dict, name: str, **fields) -> dict:
    response = api.post(f"/api/cases/{case['id']}/transitions/{name}", {"version": case["version"], **fields}, format="json")
    assert response.status_code == 200, (name, response.content)
    return response.json()


def open_case(api, **body) -> dict:
    response = api.post("/api/cases", {"stream": STREAM, "part": "robots", "recipient": "11", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def decide(api, officer, boss, case: dict, *, requested: int, decided: int, notified_on: str) -> dict:
    api.force_authenticate(officer)
    case = act(api, case, "request", deadline="2025-06-30", occurred_on="2025-06-02")  # before the papers
    # each act entered later on the day it took place: dates run forward, and the notice follows its approval
    case = act(api, case, "submit", amount=requested, occurred_on="2025-06-20")
    case = act(api, case, "start_review", occurred_on="2025-06-25")
    if "record_site_visit" in {step["name"] for step in case["available_transitions"]}:
        case = act(api, case, "record_site_visit", date="2025-07-01", occurred_on="2025-07-01")
    case = act(api, case, "draft", amount=decided, reason="対象外経費を除く" if decided < requested else "",
               occurred_on="2025-07-05")
    api.force_authenticate(boss)
    case = act(api, case, "approve", occurred_on=notified_on)
    api.force_authenticate(officer)
    return act(api, case, "notify", date=notified_on)


def test_the_fourth_stream_passes_the_system_check(fourth_stream):
    assert checks.check_procedures(None) == []


def test_a_fourth_stream_runs_both_its_procedures_from_request_to_notice(api, fourth_stream):
    officer, boss = f.officer(prefectures=("11",)), f.supervisor()
    f.prefecture("11"), f.fiscal_year(2024), f.fiscal_year(2025)
    for year in (2024, 2025):
        f.budget_notice(year, STREAM, "robots", amount=5_000_000, by=boss)
    api.force_authenticate(officer)

    award = open_case(api, fiscal_year=2024, procedure="award")
    assert (award["stream"], award["part"], award["state"]) == (STREAM, "robots", "planned")
    award = decide(api, officer, boss, award, requested=1_200_000, decided=1_000_000, notified_on="2025-07-15")
    assert award["state"] == "notified" and award["amounts"]["determined"] == 1_000_000

    settlement = open_case(api, fiscal_year=2025, procedure="settlement")
    assert settlement["settles_fiscal_year"] == 2024
    settlement = decide(api, officer, boss, settlement, requested=800_000, decided=800_000, notified_on="2025-08-20")
    assert settlement["state"] == "notified" and settlement["amounts"]["settled"] == 800_000

    letters = {case["id"]: [(letter["kind"], letter["subject"]) for letter in api.get("/api/letters", {"case": case["id"]}).json()["items"]]
               for case in (award, settlement)}
    assert sorted(letters[award["id"]]) == [
        ("decision_notice", "令和6年度介護ロボット導入支援補助金（機器分）の補助金の交付決定について（通知）"),
        ("request", "令和6年度介護ロボット導入支援補助金（機器分）の補助金交付申請について（依頼）"),
    ]
    assert sorted(letters[settlement["id"]]) == [
        ("request", "令和6年度介護ロボット導入支援補助金（機器分）の実績報告について（依頼）"),  # names the year it settles
        ("settlement_notice", "令和6年度介護ロボット導入支援補助金（機器分）の補助金の額の確定について（通知）"),
    ]

    items = api.get("/api/payment-items", {"recipient": "11"}).json()["items"]
    live = [(item["basis"], item["amount"]) for item in items if item["withdrawn_on"] is None]
    assert live == [("tranche_1", 800_000)]  # the award's 1,000,000 less what the settlement took back unpaid

    history = HistoryEntry.objects.filter(case_id=award["id"]).order_by("pk")
    assert [(entry.action, entry.source, entry.target) for entry in history] == [
        ("create", "", "planned"),
        ("request", "planned", "requested"),
        ("submit", "requested", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("record_site_visit", "under_review", "under_review"),
        ("draft", "under_review", "drafted"),
        ("approve", "drafted", "approved"),
        ("notify", "approved", "notified"),
    ]
    notice = history.last()
    assert notice.stream == STREAM and notice.data["part"] == "robots" and notice.data["procedure"] == "award"
    subjects = dict(letters[award["id"]])
    assert (notice.data["letter"]["kind"], notice.data["letter"]["subject"]) == ("decision_notice", subjects["decision_notice"])
    assert history[1].data["letter"]["subject"] == subjects["request"]
    assert notice.data["amounts_after"]["current"] == 1_000_000
    assert history_verify().ok
    assert Case.objects.get(pk=settlement["id"]).settles_fiscal_year == 2024


def test_its_steps_and_parts_are_offered_and_refused_as_declared(api, fourth_stream):
    officer = f.officer(prefectures=("11",))
    f.prefecture("11"), f.fiscal_year(2024)
    api.force_authenticate(officer)
    case = open_case(api, fiscal_year=2024, procedure="award")
    response = api.post("/api/cases", {"stream": STREAM, "part": None, "recipient": "11", "fiscal_year": 2024,
                                       "procedure": "settlement"}, format="json")
    assert response.status_code == 422  # a stream with parts needs one
    case = act(api, act(api, act(api, case, "request", deadline="2024-06-28", occurred_on="2024-06-03"), "submit", amount=10), "start_review")
    offered = {step["name"]: step["fields"] for step in case["available_transitions"]}
    assert [(field["name"], field["type"], field["required"]) for field in offered["record_site_visit"]] == [
        ("date", "date", True)
    ]
    refused = api.post(f"/api/cases/{case['id']}/transitions/record_site_visit", {"version": case["version"]}, format="json")
    assert refused.status_code == 422 and "date" in refused.json()["error"]["details"]
