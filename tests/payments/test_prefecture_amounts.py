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
