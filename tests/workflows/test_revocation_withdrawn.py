"""A revocation sent back and withdrawn leaves the officer's worklist, however many went back before it (found by
review: the worklist looked past the withdrawn draft to an older one sent back, where the step offered nothing)."""

from datetime import date

import pytest

from grants.selectors import determination_sent_back
from tests.workflows.test_budget_ceiling import three_drafts  # noqa: F401 (fixture)
from workflows.selectors import worklist_counts_for_actor, worklist_for_actor
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def step(case, name, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def test_a_second_revocation_withdrawn_after_being_sent_back_leaves_the_sent_back_worklist(three_drafts):
    officer, boss, cases = three_drafts
    case = step(step(cases[0], "approve", boss), "notify", officer)
    for reason in ("確認", "確認2"):
        case = step(case, "draft_revocation", officer, reason="違反", legal_basis="art_17_1")
        case = step(case, "send_back_revocation", boss, reason=reason)
    sent_back = worklist_for_actor(actor=officer, filters={}, today=date(2027, 6, 1), needs="sent_back")
    assert [(c.pk, c.sent_back_reason) for c in sent_back] == [(case.pk, "確認2")]
    case = step(case, "withdraw_revocation", officer, reason="見送る")
    assert determination_sent_back(case_id=case.pk) is None
    assert case.pk not in [c.pk for c in worklist_for_actor(actor=officer, filters={}, today=date(2027, 6, 1), needs="sent_back")]
    assert case.pk not in [c.pk for c in worklist_for_actor(actor=officer, filters={}, today=date(2027, 6, 1))]
    assert worklist_counts_for_actor(actor=officer, filters={}, today=date(2027, 6, 1))["sent_back"] == 0
