"""Payment reads follow the case scope: a run is one batch for the whole bureau, but each reader sees
only the items of the cases they may read, and its totals count those alone.

officer2 of the demo works on the community support grant in Saitama (11) and Chiba (12); the run
below also pays a Tokyo (13) municipality and Saitama's medical-care fund.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants.catalogue import stream_codes
from grants.models import Determination, DeterminationKind, Scope
from payments.models import PaymentBasis, PaymentItem
from payments.services import payment_run_approve, payment_run_create, payment_run_execute
from tests import factories as f
from tests.factories import Stream
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db

CSG, MCF = Stream.COMMUNITY_SUPPORT_GRANT, Stream.MEDICAL_CARE_FUND
SAITAMA, TOKYO, FUND = 50_000_000, 15_000_000, 7_000_000
TOKYO_CITY = ("132012", "八王子市")


def login(api, user):
    response = api.post("/api/auth/token", {"username": user.username, "password": "pw-for-tests-123"}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


def fund_item(*, officer, amount: int, due_on: date) -> PaymentItem:
    """A medical-care fund item for Saitama straight onto a case (how fund items arise is not the point here)."""
    case = f.case(actor=officer, year=2023, stream=MCF, part="facilities", recipient=f.prefecture("11"))
    determination = Determination.objects.create(
        case=case, kind=DeterminationKind.DECISION, amount=amount, drafted_by=officer,
        drafted_at=timezone.now(), notified_on=due_on,
    )
    return PaymentItem.objects.create(
        case=case, determination=determination, recipient=case.recipient, budget_year=2023,
        basis=PaymentBasis.TRANCHE_1, amount=amount, due_on=due_on,
    )


@pytest.fixture
def world():
    pf.shipped_plans()
    officer = f.officer(prefectures=("11", "12", "13"))
    boss = f.supervisor()
    officer2 = f.officer(streams=(CSG,), prefectures=("11", "12"), username="officer2")
    pf.notified(officer=officer, boss=boss, year=2023, amount=2 * SAITAMA, on=date(2023, 10, 19))
    tokyo = pf.notified(
        officer=officer, boss=boss, year=2023, amount=2 * TOKYO, on=date(2023, 10, 19),
        recipient=f.municipality(*TOKYO_CITY, prefecture_code="13"),
    )
    fund_item(officer=officer, amount=FUND, due_on=date(2023, 10, 1))
    run = payment_run_create(actor=officer, run_on=date(2023, 10, 30))
    return {"officer": officer, "boss": boss, "officer2": officer2, "tokyo": tokyo, "run": run}


def test_officer2_reads_only_saitama_s_community_grant_items_of_a_run_over_the_api(api, world):
    run = world["run"]
    detail = login(api, world["officer2"]).get(f"/api/payment-runs/{run.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["total"], body["item_count"]) == (SAITAMA, 1)
    assert [line["recipient"]["code"] for line in body["lines"]] == ["112011"]
    assert TOKYO_CITY[0] not in detail.content.decode() and TOKYO_CITY[1] not in detail.content.decode()
    [listed] = api.get("/api/payment-runs").json()["items"]
    assert (listed["total"], listed["item_count"]) == (SAITAMA, 1)
    items = api.get("/api/payment-items", {"run": run.pk}).json()["items"]
    assert [(item["recipient"]["code"], item["amount"]) for item in items] == [("112011", SAITAMA)]


def test_a_supervisor_reads_the_whole_run(api, world):
    body = login(api, world["boss"]).get(f"/api/payment-runs/{world['run'].pk}").json()
    assert (body["total"], body["item_count"]) == (SAITAMA + TOKYO + FUND, 3)
    assert sorted(line["recipient"]["code"] for line in body["lines"]) == ["11", "112011", TOKYO_CITY[0]]


def test_payment_run_show_prints_officer2_only_what_they_may_read(world, capsys):
    call_command("payment_run", "show", str(world["run"].pk), "--user", "officer2")
    printed = capsys.readouterr().out
    assert "112011" in printed and f"{SAITAMA:,}" in printed
    assert TOKYO_CITY[0] not in printed and f"{TOKYO:,}" not in printed and f"{FUND:,}" not in printed
    assert f"total {SAITAMA:,} yen to 1 recipient(s)" in printed


def test_officer2_sees_no_tokyo_return_claim_in_the_api_or_on_the_page(api, client, world):
    # The run is paid, then Tokyo's grant revoked: a claim on Tokyo for what it was paid.
    payment_run_approve(actor=world["boss"], run_id=world["run"].pk)
    payment_run_execute(actor=world["officer"], run_id=world["run"].pk)
    pf.revoked(world["tokyo"], world["boss"], today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
    assert login(api, world["boss"]).get("/api/return-claims").json()["count"] == 1
    assert login(api, world["officer2"]).get("/api/return-claims").json()["count"] == 0
    client.force_login(world["officer2"])
    page = client.get("/return-claims/").content.decode()
    assert TOKYO_CITY[1] not in page


def test_a_supervisor_limited_to_saitama_sees_only_saitama_s_part_of_a_run_in_the_approval_queue(client, world):
    saitama_boss = f.supervisor()
    Scope.objects.bulk_create([Scope(user=saitama_boss, stream=stream, prefecture_code="11") for stream in stream_codes()])
    client.force_login(saitama_boss)
    queue = client.get("/approvals/").content.decode()
    # The run also pays Tokyo: its approval is for a supervisor whose scope covers every item.
    assert f"/payment-runs/{world['run'].pk}/steps/approve/" not in queue
    assert "川越市" in queue and f"{SAITAMA:,}" in queue
    assert TOKYO_CITY[1] not in queue and f"{TOKYO:,}" not in queue
    client.force_login(world["boss"])
    assert TOKYO_CITY[1] in client.get("/approvals/").content.decode()


# A run's step (approve, execute, cancel) acts on every item of the run: it is for someone whose scope covers
# them all. officer2 reads one of the run's three items; the officer who drafted it covers all three.


def test_officer2_may_not_cancel_a_run_holding_items_outside_their_scope(world):
    from grants.models import HistoryEntry
    from payments.errors import RunOutOfScope
    from payments.models import PaymentRunState
    from payments.selectors import payment_run_available_transitions
    from payments.services import payment_run_transition

    run, officer2 = world["run"], world["officer2"]
    assert payment_run_available_transitions(run=run, actor=officer2) == []
    assert payment_run_available_transitions(run=run, actor=world["officer"]) == ["cancel"]
    records = HistoryEntry.objects.count()
    with pytest.raises(RunOutOfScope):
        payment_run_transition(actor=officer2, run_id=run.pk, name="cancel")
    run.refresh_from_db()
    assert run.state == PaymentRunState.DRAFT and run.items.count() == 3
    assert HistoryEntry.objects.count() == records  # a refused act writes nothing


def test_the_api_refuses_officer2_the_run_s_cancel_with_a_403_and_offers_it_not(api, world):
    run = world["run"]
    login(api, world["officer2"])
    assert api.get(f"/api/payment-runs/{run.pk}").json()["available_transitions"] == []
    response = api.post(f"/api/payment-runs/{run.pk}/transitions/cancel")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "out_of_scope"
    assert "すべての項目" in response.json()["error"]["message"]


def test_the_payment_runs_page_offers_officer2_no_cancel_and_says_why(client, world):
    run = world["run"]
    client.force_login(world["officer2"])
    page = client.get("/payment-runs/").content.decode()
    assert f"/payment-runs/{run.pk}/steps/cancel/" not in page
    assert "範囲外の項目が含まれています" in page
    response = client.post(f"/payment-runs/{run.pk}/steps/cancel/", follow=True)
    assert response.status_code == 200 and "範囲外の項目が含まれています" in response.content.decode()  # the refusal said
    run.refresh_from_db()
    assert run.state == "draft"
    client.force_login(world["officer"])
    assert f"/payment-runs/{run.pk}/steps/cancel/" in client.get("/payment-runs/").content.decode()


def test_a_scoped_reader_is_not_shown_a_run_holding_none_of_their_items(api, client, world):
    run = world["run"]
    kanagawa = f.officer(streams=(CSG,), prefectures=("14",), username="kanagawa")
    login(api, kanagawa)
    assert api.get("/api/payment-runs").json()["items"] == []
    detail = api.get(f"/api/payment-runs/{run.pk}")
    assert detail.status_code == 403 and detail.json()["error"]["code"] == "out_of_scope"
    assert api.post(f"/api/payment-runs/{run.pk}/transitions/cancel").status_code == 403
    client.force_login(kanagawa)
    assert f"/payment-runs/{run.pk}/" not in client.get("/payment-runs/").content.decode()


def test_a_run_with_no_items_is_its_drafter_s_or_a_bureau_wide_user_s(world):
    from payments.errors import EmptyRunNotYours
    from payments.models import PaymentRun
    from payments.selectors import payment_run_available_transitions, payment_run_list_for_actor
    from payments.services import payment_run_cancel

    officer2 = world["officer2"]
    # the service drafts no run without items (NothingToPay): one left empty is made directly
    empty = PaymentRun.objects.create(
        fiscal_year=world["run"].fiscal_year, run_on=date(2023, 11, 1), drafted_by=world["officer"],
        drafted_at=timezone.now(),
    )
    assert empty.pk not in {r.pk for r in payment_run_list_for_actor(actor=officer2)}
    assert payment_run_available_transitions(run=empty, actor=officer2) == []
    assert payment_run_available_transitions(run=empty, actor=world["officer"]) == ["cancel"]
    assert payment_run_available_transitions(run=empty, actor=world["boss"]) == ["cancel"]
    with pytest.raises(EmptyRunNotYours):
        payment_run_cancel(actor=officer2, run_id=empty.pk)
    payment_run_cancel(actor=world["officer"], run_id=empty.pk)
    empty.refresh_from_db()
    assert empty.state == "cancelled"


def test_a_run_that_would_gather_items_outside_the_drafter_s_scope_is_not_drafted(client):
    """A run gathers every item due by its date, and its steps act on them all: a drafter whose scope does not
    cover them could draft a run they could neither cancel nor execute, so it is refused and nothing is written.
    Once the items due are theirs, they draft it."""
    from grants.models import HistoryEntry
    from payments.errors import RunOutOfScope
    from payments.models import PaymentRun

    pf.shipped_plans()
    officer, boss = f.officer(prefectures=("11", "12", "13")), f.supervisor()
    officer2 = f.officer(streams=(CSG,), prefectures=("11", "12"), username="officer2")
    pf.notified(officer=officer, boss=boss, year=2023, amount=2 * SAITAMA, on=date(2023, 10, 19))
    fund_item(officer=officer, amount=FUND, due_on=date(2023, 10, 1))  # the medical-care fund's: not officer2's
    records = HistoryEntry.objects.count()
    with pytest.raises(RunOutOfScope):
        payment_run_create(actor=officer2, run_on=date(2023, 10, 30))
    assert not PaymentRun.objects.exists() and not PaymentItem.objects.filter(run__isnull=False).exists()
    assert HistoryEntry.objects.count() == records
    client.force_login(officer2)  # the page's form says why
    body = client.post("/payment-runs/new/", {"run_on": "2023-10-30"}).content.decode()
    assert "担当外の事業・都道府県のものが含まれています" in body and not PaymentRun.objects.exists()
    PaymentItem.objects.filter(case__stream=MCF).update(due_on=date(2023, 11, 30))  # due after the run's date
    run = payment_run_create(actor=officer2, run_on=date(2023, 10, 30))
    assert run.items.count() == 1 and run.drafted_by == officer2
