import pytest

from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def test_officer_takes_initial_grant_to_notified():
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, "community_support_grant", by=boss)
    case = f.case(actor=officer)
    steps = [
        ("request", officer, {"deadline": "2026-02-27"}),
        ("submit", officer, {"amount": 1_000_000, "date": "2026-02-20"}),
        ("start_review", officer, {}),
        ("draft", officer, {"amount": 900_000, "reason": "対象外経費を除外"}),
        ("approve", boss, {}),
        ("notify", officer, {}),
    ]
    for name, actor, data in steps:
        case = case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)
    assert case.state == "notified"
    assert case.amount_current == 900_000
    assert case.history.count() == 7
