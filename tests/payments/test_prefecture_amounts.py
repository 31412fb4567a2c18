"""The dashboard's amounts per prefecture: each recipient's grant as last notified, summed."""

import pytest

from payments.selectors import prefecture_amount_list_for_actor
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG = "community_support_grant"


def notify(*, officer, boss, recipient, procedure: str, amount: int):
    f.budget_notice(2025, CSG, amount=10**9, by=boss)
    case = f.case(actor=officer, procedure=procedure, recipient=recipient)
    steps = [
        ("request", {}), ("submit", {"amount": amount}), ("start_review", {}),
        ("draft", {"amount": amount, "reason": "事業費の変更"}), ("approve", {}), ("notify", {}),
    ]
    for name, data in steps:
        actor = boss if name == "approve" else officer
        case = case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)
    return case


def test_a_change_replaces_only_its_own_recipients_initial_grant():
    officer, boss = f.officer(), f.supervisor()
    kawagoe = f.municipality()
    tokorozawa = f.municipality(code="112089", name="所沢市")
    notify(officer=officer, boss=boss, recipient=kawagoe, procedure="initial_grant", amount=1_000)
    notify(officer=officer, boss=boss, recipient=kawagoe, procedure="change_grant", amount=1_200)
    notify(officer=officer, boss=boss, recipient=tokorozawa, procedure="initial_grant", amount=500)
    notify(officer=officer, boss=boss, recipient=tokorozawa, procedure="adjustment_grant", amount=30)
    [saitama] = prefecture_amount_list_for_actor(actor=boss, fiscal_year=2025)
    assert (saitama.stream, saitama.prefecture_code) == (CSG, "11")
    assert saitama.determined == 1_200 + 500 + 30


def test_what_was_paid_on_a_revoked_grant_reconciles_with_its_claim():
    """A revoked grant is determined no more, but what was paid on it stays paid: the claim beside it says what
    was asked back and how much of it came back, so paid less claimed back meets what is determined."""
    from datetime import date

    from payments.models import ReturnClaim
    from payments.services import return_claim_payment_record
    from tests.payments import factories as pf

    officer, boss = f.officer(), f.supervisor()
    pf.shipped_plans()
    kept = pf.notified(officer=officer, boss=boss, year=2023, amount=4_000_000, on=date(2023, 10, 19))
    revoked = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19),
                          recipient=f.municipality(code="112089", name="所沢市"))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.paid_run(date(2024, 1, 29), officer=officer, boss=boss)
    pf.revoked(revoked, boss, today=date(2024, 3, 1))
    claim = ReturnClaim.objects.get()
    return_claim_payment_record(actor=officer, claim_id=claim.pk, amount=3_000_000, paid_on=date(2024, 4, 1))
    [saitama] = prefecture_amount_list_for_actor(actor=boss, fiscal_year=2023)
    assert saitama.determined == kept.amount_current == 4_000_000
    assert (saitama.claimed, saitama.returned) == (claim.principal, 3_000_000)
    assert saitama.paid == 3_000_000 + claim.principal  # 75 % of each grant paid by 1/29
    assert saitama.net_paid == 3_000_000
    assert prefecture_amount_list_for_actor(actor=boss, fiscal_year=2025) == []


def test_the_dashboards_totals_are_the_sums_of_its_rows_per_stream():
    """Each stream's total is its prefectures' figures summed: two prefectures of one stream (one grant revoked
    and claimed back), and a stream the ministry pays beside them."""
    from datetime import date

    from payments.selectors import dashboard_amounts_for_actor
    from tests.payments import factories as pf
    from tests.ui.cases import notified_grant

    officer, boss = f.officer(), f.supervisor()
    pf.shipped_plans()
    pf.notified(officer=officer, boss=boss, year=2023, amount=4_000_000, on=date(2023, 10, 19))
    revoked = pf.notified(officer=officer, boss=boss, year=2023, amount=10_000_000, on=date(2023, 10, 19),
                          recipient=f.municipality(code="122203", name="流山市", prefecture_code="12"))
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    pf.revoked(revoked, boss, today=date(2024, 3, 1))
    sag = notified_grant(officer=officer, boss=boss, year=2023, stream="special_adjustment_grant", amount=700_000)
    amounts = dashboard_amounts_for_actor(actor=boss, fiscal_year=2023)
    assert [(row.stream, row.prefecture_code) for row in amounts.rows] == [
        (CSG, "11"), (CSG, "12"), ("special_adjustment_grant", sag.recipient.prefecture_code)]
    assert [total.stream for total in amounts.totals] == [CSG, "special_adjustment_grant"]
    for total in amounts.totals:
        rows = [row for row in amounts.rows if row.stream == total.stream]
        for figure in ("determined", "paid", "claimed"):
            assert getattr(total, figure) == sum(getattr(row, figure) for row in rows), (total.stream, figure)
    csg, sag_total = amounts.totals
    assert (csg.determined, csg.paid, csg.claimed) == (4_000_000, 2_000_000 + 5_000_000, 5_000_000)  # half paid by 10/30
    assert (sag_total.determined, sag_total.ministry_pays, csg.ministry_pays) == (700_000, True, False)
    assert amounts.peak == max(max(row.determined, row.paid) for row in amounts.rows)
