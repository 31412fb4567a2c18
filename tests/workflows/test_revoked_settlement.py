"""A settlement (額の確定) needs the grant it settles to stand at every step that decides or moves money, not only at
its draft: once that grant is revoked (取消, its notice given) the revocation's return settles it, and while a
revocation of it is under way the settlement waits (docs/domain.md, "Amounts")."""

from datetime import date

import pytest

from grants.models import HistoryEntry
from payments.models import PaymentItem
from tests import factories as f
from tests.http import assert_error
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db

REVOKED = "This grant decision has been revoked"
REVOKING = "A revocation of this grant decision is under way"


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def grant_and_settlement(people, *, until: str):
    """A FY2023 grant of 20,000,000 notified and its first tranche paid, and its FY2024 settlement taken to ``until``
    (``draft``, ``approve``) on 2024-07-01."""
    officer, boss = people["officer"], people["boss"]
    grant = pf.notified(officer=officer, boss=boss, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    settlement = f.case(actor=officer, year=2024, procedure="prior_year_settlement", recipient=grant.recipient)
    day = "2024-07-01"
    steps = [("request", officer, {}), ("submit", officer, {"amount": 20_000_000}), ("start_review", officer, {}),
             ("draft", officer, {"amount": 20_000_000}), ("approve", boss, {})]
    for name, actor, data in steps:
        settlement = pf.act(settlement, name, actor, occurred_on=day, **data)
        if name == until:
            break
    return grant, settlement


def refused(api, case, name, actor, message, language="en", condition="baseline_stands", **data):
    """``name`` on ``case`` over the API is a 409 ``condition_unmet`` naming ``condition`` and ``message``, and
    writes nothing."""
    records, items, version = HistoryEntry.objects.count(), PaymentItem.objects.count(), case.version
    api.force_authenticate(actor)
    response = api.post(f"/api/cases/{case.pk}/transitions/{name}", {"version": case.version, **data}, format="json",
                        HTTP_ACCEPT_LANGUAGE=language)
    error = assert_error(response, 409, "condition_unmet")
    assert error["details"]["condition"] == condition and message in error["message"]
    case.refresh_from_db()
    assert (case.version, HistoryEntry.objects.count(), PaymentItem.objects.count()) == (version, records, items)
    return case


def test_a_settlement_drafted_before_the_revocation_is_not_approved_after_it_and_is_withdrawn(api, people):
    grant, settlement = grant_and_settlement(people, until="draft")
    pf.revoked(grant, people["boss"], today=date(2024, 7, 5))
    settlement = refused(api, settlement, "approve", people["boss"], REVOKED)
    [approve] = [t for t in api.get(f"/api/cases/{settlement.pk}", HTTP_ACCEPT_LANGUAGE="en").json()["available_transitions"] if t["name"] == "approve"]
    assert REVOKED in approve["blocked_by"]["message"]
    api.force_authenticate(people["officer"])
    withdrawn = api.post(f"/api/cases/{settlement.pk}/transitions/withdraw",
                         {"version": settlement.version, "reason": "交付決定の取消による"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_a_settlement_approved_before_the_revocation_is_not_notified_after_it(api, people):
    grant, settlement = grant_and_settlement(people, until="approve")
    pf.revoked(grant, people["boss"], today=date(2024, 7, 5))
    refused(api, settlement, "notify", people["officer"], REVOKED)
    assert not PaymentItem.objects.filter(case=settlement).exists()


def test_no_settlement_is_drafted_on_a_revoked_grant_and_the_refusal_says_why_in_japanese(api, people):
    grant, settlement = grant_and_settlement(people, until="start_review")
    pf.revoked(grant, people["boss"], today=date(2024, 7, 5))
    refused(api, settlement, "draft", people["officer"], "この交付決定は取り消されています。取消による返還で精算されます。",
            language="ja", amount=20_000_000)


def test_while_a_revocation_is_under_way_the_settlement_is_drafted_and_approved_but_waits_to_be_notified(api, people):
    officer, boss = people["officer"], people["boss"]
    grant, settlement = grant_and_settlement(people, until="start_review")
    grant = pf.act(grant, "draft_revocation", officer, today=date(2024, 7, 5), reason="目的外使用", legal_basis="art_17_1")
    settlement = pf.act(settlement, "draft", officer, occurred_on="2024-07-08", amount=20_000_000)  # moves no money
    grant = pf.act(grant, "approve_revocation", boss, today=date(2024, 7, 9))
    settlement = pf.act(settlement, "approve", boss, occurred_on="2024-07-10")  # moves no money either
    refused(api, settlement, "notify", officer, REVOKING, condition="baseline_not_being_revoked")
    pf.act(grant, "revoke", officer, today=date(2024, 7, 11))
    refused(api, settlement, "notify", officer, REVOKED)  # baseline_stands


def test_a_settlement_approved_is_not_notified_while_a_revocation_is_under_way(api, people):
    grant, settlement = grant_and_settlement(people, until="approve")
    pf.act(grant, "draft_revocation", people["officer"], today=date(2024, 7, 5), reason="目的外使用",
           legal_basis="art_17_1")
    refused(api, settlement, "notify", people["officer"], REVOKING, condition="baseline_not_being_revoked")


def test_a_revocation_sent_back_lets_the_settlement_go_on(people):
    officer, boss = people["officer"], people["boss"]
    grant, settlement = grant_and_settlement(people, until="draft")
    grant = pf.act(grant, "draft_revocation", officer, today=date(2024, 7, 5), reason="目的外使用", legal_basis="art_17_1")
    pf.act(grant, "send_back_revocation", boss, today=date(2024, 7, 5), reason="根拠を再確認")
    settlement = pf.act(settlement, "approve", boss, occurred_on="2024-07-10")
    settlement = pf.act(settlement, "notify", officer, date="2024-07-10")
    assert settlement.state == "notified" and settlement.amount_settled == 20_000_000


def test_a_change_approved_before_the_revocation_is_not_notified_after_it(api, people):
    officer, boss = people["officer"], people["boss"]
    grant = pf.notified(officer=officer, boss=boss, year=2023, amount=20_000_000, on=date(2023, 10, 19))
    change = f.case(actor=officer, year=2023, procedure="change_grant", recipient=grant.recipient)
    for name, actor, data in [("request", officer, {}), ("submit", officer, {"amount": 24_000_000}),
                              ("start_review", officer, {}), ("draft", officer, {"amount": 24_000_000, "reason": "増"}),
                              ("approve", boss, {})]:
        change = pf.act(change, name, actor, occurred_on="2024-01-10", **data)
    pf.revoked(grant, boss, today=date(2024, 2, 1))
    refused(api, change, "notify", officer, REVOKED)
