"""Bulk approval: a supervisor approves the drafts ticked in the queue; each is still checked on its own
(four eyes, budget cover, version) and each refusal is named by its recipient."""

import pytest

from tests.factories import Stream
from grants.models import Case
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT


def drafted(officer, recipient, amount=1_000):
    case = f.case(actor=officer, recipient=recipient)
    for name, data in [("request", {}), ("submit", {"amount": amount}), ("start_review", {}), ("draft", {"amount": amount})]:
        case = case_transition(case_id=case.pk, name=name, actor=officer, data=data, expected_version=case.version)
    return case


def test_bulk_approve_approves_each_and_names_each_refusal(client):
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, CSG, amount=5_000, by=boss)
    kawagoe = drafted(officer, f.municipality())
    matsudo = drafted(officer, f.municipality("122076", "松戸市", "12"))
    too_big = drafted(officer, f.municipality("122203", "流山市", "12"), amount=9_000)
    client.force_login(boss)
    queue = client.get("/approvals/").content.decode()
    assert f'value="{kawagoe.pk}:{kawagoe.version}" form="bulk-approve"' in queue
    stale = f"{matsudo.pk}:{matsudo.version}"
    case_transition(case_id=matsudo.pk, name="send_back", actor=boss, data={"reason": "再確認"}, expected_version=matsudo.version)
    response = client.post("/approvals/bulk/", {"cases": [f"{kawagoe.pk}:{kawagoe.version}", stale, f"{too_big.pk}:{too_big.version}"]})
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    body = client.get("/approvals/").content.decode()
    assert "決裁：1件完了しました。" in body
    assert "松戸市：決裁できませんでした。" in body and "流山市：決裁できませんでした。" in body
    states = dict(Case.objects.values_list("recipient__code", "state"))
    assert states == {"112011": "approved", "122076": "under_review", "122203": "drafted"}


def test_the_drafter_cannot_bulk_approve_their_own_draft(client):
    officer = f.officer()
    boss = f.supervisor()
    f.budget_notice(2025, CSG, by=boss)
    officer.groups.add(boss.groups.first())
    case = drafted(officer, f.municipality())
    client.force_login(officer)
    client.post("/approvals/bulk/", {"cases": [f"{case.pk}:{case.version}"]})
    version = case.version
    case.refresh_from_db()
    assert (case.state, case.version) == ("drafted", version)


def test_nothing_ticked_or_a_damaged_list_is_refused_politely(client):
    client.force_login(f.supervisor())
    assert "決裁する起案にチェックを入れてください。" in client.post("/approvals/bulk/", follow=True).content.decode()
    assert "最初からやり直してください" in client.post("/approvals/bulk/", {"cases": ["x:1"]}, follow=True).content.decode()


def test_a_send_back_refused_from_the_queue_comes_back_to_the_queue_with_the_reason(client):
    """A step taken from the approval queue and refused (here: a send-back without its reason) returns to the
    queue, which names the case and what is missing, not to the case page; the draft stays as it was."""
    officer, boss = f.officer(), f.supervisor()
    case = drafted(officer, f.municipality())
    client.force_login(boss)
    response = client.post(
        f"/cases/{case.pk}/steps/send_back/", {"version": case.version, "reason": "", "next": "/approvals/"}
    )
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    queue = client.get("/approvals/").content.decode()
    assert "川越市：「起案を差戻し」を行えませんでした。" in queue and "理由：この項目は必須です。" in queue
    version = case.version
    case.refresh_from_db()
    assert (case.state, case.version) == ("drafted", version)
