"""Four eyes on a revocation (取消) and on the recorded ministry decision (docs/domain.md, rule 2).

A revocation is drafted by an officer, approved by a supervisor who did not draft it, then notified by an
officer: only the notice revokes, issues the 取消通知 and takes the money back, as of the effective date. The
ministry's decision on a special adjustment grant counts once a supervisor who did not record it confirms it.
Each refusal: its status and code through the API (or the page), and nothing written.
"""

from datetime import date

import pytest

from grants.models import BudgetNotice, Case, Determination, HistoryEntry, Role
from grants.roles import role_group
from grants.selectors import budget_position, grant_current_amount
from letters.models import Letter
from payments.models import PaymentItem, ReturnClaim
from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error
from tests.payments import factories as pf
from tests.workflows.test_rules_api import act, login
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT
REVOCATION = {"reason": "補助対象外の経費に充当していたため", "legal_basis": "art_17_1", "date": "2024-06-28"}


@pytest.fixture
def people():
    pf.shipped_plans()
    return {"officer": f.officer(), "boss": f.supervisor()}


def both_roles():
    """An officer who is also a supervisor: drafts, and would approve their own draft."""
    user = f.officer()
    user.groups.add(role_group(Role.SUPERVISOR))
    return user


def written(case) -> tuple:
    """What a refused act must leave as it was."""
    return (
        HistoryEntry.objects.count(),
        Case.objects.get(pk=case.pk).version,
        Case.objects.get(pk=case.pk).state,
        list(Determination.objects.filter(case=case).values_list("approved_by", "notified_on", "sent_back_reason")),
        ReturnClaim.objects.count(),
        Letter.objects.count(),
    )


def paid_grant(people, drafter=None):
    """FY2023's ¥10,000,000 grant notified 2023-10-19 by ``drafter``'s hand, ① ¥5,000,000 paid 2023-10-30."""
    officer = drafter or people["officer"]
    case = pf.notified(officer=officer, boss=people["boss"], year=2023, amount=10_000_000, on=date(2023, 10, 19))
    pf.paid_run(date(2023, 10, 30), officer=people["officer"], boss=people["boss"])
    return case


def step(case, name, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def test_only_the_notice_of_an_approved_revocation_revokes_and_its_money_and_letter_take_the_effective_date(
    api, people, today
):
    officer, boss = people["officer"], people["boss"]
    case = paid_grant(people)
    today(date(2024, 7, 3))
    drafted = act(login(api, officer), case.pk, "draft_revocation", case.version, **REVOCATION)
    assert drafted.status_code == 200, drafted.content
    assert drafted.json()["state"] == "revocation_drafted"
    draft = Determination.objects.get(case=case, kind="revocation")
    assert (draft.amount, draft.legal_basis, draft.effective_on, draft.drafted_by, draft.notified_on) == (
        10_000_000, "art_17_1", date(2024, 6, 28), officer, None
    )
    unpaid = PaymentItem.objects.get(case=case, run__isnull=True)  # ② 2,500,000 due 2024-01-29
    assert not ReturnClaim.objects.exists() and not Letter.objects.filter(kind="revocation_notice").exists()
    # The decision stands while its revocation is under way.
    assert grant_current_amount(fiscal_year=2023, stream=CSG, part="", recipient_id=case.recipient_id) == 10_000_000

    case = Case.objects.get(pk=case.pk)
    approved = act(login(api, boss), case.pk, "approve_revocation", case.version)
    assert approved.status_code == 200 and approved.json()["state"] == "revocation_approved"
    record = HistoryEntry.objects.filter(case=case).latest("pk")
    assert (record.action, record.actor, record.actor_role, record.source, record.target) == (
        "approve_revocation", boss, "supervisor", "revocation_drafted", "revocation_approved"
    )
    assert record.data["determination"] == draft.pk
    draft.refresh_from_db()
    assert draft.approved_by == boss and draft.notified_on is None
    unpaid.refresh_from_db()
    assert unpaid.withdrawn_on is None
    assert not ReturnClaim.objects.exists() and not Letter.objects.filter(kind="revocation_notice").exists()

    case = Case.objects.get(pk=case.pk)
    notified = act(login(api, officer), case.pk, "revoke", case.version)
    assert notified.status_code == 200 and notified.json()["state"] == "revoked"
    draft.refresh_from_db()
    assert draft.notified_on == date(2024, 6, 28) and draft.document_number.endswith("0628第1号")
    claim = ReturnClaim.objects.get()
    assert (claim.principal, claim.noticed_on, claim.surcharge_applies, claim.revocation_basis) == (
        5_000_000, date(2024, 6, 28), True, "art_17_1"
    )
    unpaid.refresh_from_db()
    assert unpaid.withdrawn_on == date(2024, 6, 28)
    letter = Letter.objects.get(case=case, kind="revocation_notice")
    assert (letter.issued_on, letter.document_number) == (date(2024, 6, 28), draft.document_number)
    items = dict(letter.content["items"])
    assert items["取消しの日"] == "令和6年6月28日" and items["取消しの理由"] == REVOCATION["reason"]
    record = HistoryEntry.objects.filter(case=case).latest("pk")
    assert (record.action, record.actor, record.data["document_number"]) == ("revoke", officer, draft.document_number)


def test_a_document_number_typed_at_the_notice_is_the_letter_s(people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    case = step(case, "approve_revocation", people["boss"])
    step(case, "revoke", people["officer"], document_number="関厚発0628第12号")
    letter = Letter.objects.get(case=case, kind="revocation_notice")
    assert (letter.document_number, letter.issued_on) == ("関厚発0628第12号", date(2024, 6, 28))


def test_the_drafter_of_a_revocation_cannot_approve_it(api, people, today):
    drafter = both_roles()
    case = paid_grant(people, drafter=drafter)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", drafter, **REVOCATION)
    before = written(case)
    error = assert_error(act(login(api, drafter), case.pk, "approve_revocation", case.version), 403, "four_eyes")
    assert error["message"]
    assert written(case) == before
    assert act(login(api, people["boss"]), case.pk, "approve_revocation", case.version).status_code == 200


def test_an_officer_cannot_approve_or_send_back_a_revocation(api, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    before = written(case)
    officer_api = login(api, people["officer"])
    assert_error(act(officer_api, case.pk, "approve_revocation", case.version), 403, "permission_denied")
    assert_error(act(officer_api, case.pk, "send_back_revocation", case.version, reason="x"), 403, "permission_denied")
    assert written(case) == before


def test_a_supervisor_does_not_revoke_alone_and_an_unapproved_revocation_is_not_notified(api, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    before = written(case)
    # The old one-step revocation is gone: the supervisor's act from ``notified`` is refused, nothing written.
    assert_error(act(login(api, people["boss"]), case.pk, "draft_revocation", case.version, **REVOCATION), 403,
                 "permission_denied")
    assert written(case) == before
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    before = written(case)
    assert_error(act(login(api, people["officer"]), case.pk, "revoke", case.version), 409, "transition_not_allowed")
    assert written(case) == before


def test_a_revocation_sent_back_leaves_the_decision_notified_and_keeps_the_draft(api, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    response = act(login(api, people["boss"]), case.pk, "send_back_revocation", case.version, reason="根拠条項を確認のこと")
    assert response.status_code == 200 and response.json()["state"] == "notified"
    draft = Determination.objects.get(case=case, kind="revocation")
    assert (draft.sent_back_reason, draft.approved_by, draft.notified_on) == ("根拠条項を確認のこと", None, None)
    assert not ReturnClaim.objects.exists() and not Letter.objects.filter(kind="revocation_notice").exists()
    # A new draft may follow; the one sent back stays on record beside it.
    case = step(Case.objects.get(pk=case.pk), "draft_revocation", people["officer"], **{**REVOCATION, "legal_basis": "other"})
    assert case.state == "revocation_drafted"
    assert list(case.determinations.filter(kind="revocation").values_list("legal_basis", "sent_back_reason")) == [
        ("art_17_1", "根拠条項を確認のこと"), ("other", ""),
    ]


def test_a_revocation_commits_nothing_and_needs_no_budget_notice(people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    draft = Determination.objects.get(case=case, kind="revocation")
    position = budget_position(fiscal_year=2023, stream=CSG, part="", pending=draft)
    assert (position.committed, position.with_pending) == (10_000_000, 10_000_000)
    BudgetNotice.objects.filter(fiscal_year_id=2023).delete()  # no notice at all: a revocation needs none
    case = step(case, "approve_revocation", people["boss"])
    assert budget_position(fiscal_year=2023, stream=CSG, part="").committed == 10_000_000  # approved, not yet notified
    case = step(case, "revoke", people["officer"])
    assert budget_position(fiscal_year=2023, stream=CSG, part="").committed == 0


def test_a_case_whose_revocation_is_under_way_is_not_withdrawn(api, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    before = written(case)
    assert_error(act(login(api, people["officer"]), case.pk, "withdraw", case.version, reason="取下げ"), 409,
                 "transition_not_allowed")
    assert written(case) == before


# -- the pages ---------------------------------------------------------------------------------------------


def test_the_approval_queue_shows_a_revocation_draft_and_approves_it_without_a_bulk_tick(client, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", people["officer"], **REVOCATION)
    client.force_login(people["boss"])
    queue = client.get("/approvals/").content.decode()
    assert "交付決定の取消" in queue and REVOCATION["reason"] in queue and "補助金適正化法第17条第1項" in queue
    assert f"/cases/{case.pk}/steps/approve_revocation/" in queue
    assert f"/cases/{case.pk}/steps/send_back_revocation/" in queue
    assert f'value="{case.pk}:{case.version}"' not in queue  # decided one by one, not ticked for the bulk approval
    response = client.post(f"/cases/{case.pk}/steps/approve_revocation/", {"version": case.version, "next": "/approvals/"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "revocation_approved"
    assert "取消決裁済" in client.get(f"/cases/{case.pk}/").content.decode()


def test_the_drafter_is_refused_on_the_page_and_nothing_is_written(client, people, today):
    drafter = both_roles()
    case = paid_grant(people, drafter=drafter)
    today(date(2024, 7, 3))
    case = step(case, "draft_revocation", drafter, **REVOCATION)
    client.force_login(drafter)
    assert "起案した人は、その決裁はできません。" in client.get("/approvals/").content.decode()
    before = written(case)
    response = client.post(f"/cases/{case.pk}/steps/approve_revocation/", {"version": case.version})
    assert response.status_code == 403 and "起案した人は、その決裁はできません。" in response.content.decode()
    assert written(case) == before


def test_a_revocation_dated_in_the_future_is_a_form_error(client, people, today):
    case = paid_grant(people)
    today(date(2024, 7, 3))
    client.force_login(people["officer"])
    before = written(case)
    response = client.post(f"/cases/{case.pk}/steps/draft_revocation/",
                           {"version": case.version, **REVOCATION, "date": "2024-07-04"})
    assert response.status_code == 422 and "未来の日付で記録することはできません。" in response.content.decode()
    assert written(case) == before


# -- the ministry's decision -------------------------------------------------------------------------------


def forwarded(officer, today):
    today(date(2025, 12, 6))
    case = f.case(actor=officer, stream=SAG)
    for name, data in [("request", {"deadline": "2025-12-20", "occurred_on": "2025-11-25"}),
                       ("submit", {"amount": 5_000_000, "date": "2025-12-01"}),
                       ("start_review", {}), ("forward", {"date": "2025-12-02"})]:
        case = step(case, name, officer, **data)
    return case


DECISION = {"amount": 4_800_000, "document_number": "保高発1204第4号", "date": "2025-12-04"}


def test_the_ministry_decision_counts_only_once_a_supervisor_who_did_not_record_it_confirms_it(api, today):
    recorder, boss, officer = both_roles(), f.supervisor(), f.officer()
    case = forwarded(recorder, today)
    before = written(case)
    error = assert_error(act(login(api, recorder), case.pk, "record_ministry_decision", case.version,
                             **{**DECISION, "date": "2025-12-01"}), 422, "invalid_input")
    assert "date" in error["details"]  # before the forwarding
    assert written(case) == before
    recorded = act(login(api, recorder), case.pk, "record_ministry_decision", case.version, **DECISION)
    assert recorded.status_code == 200 and recorded.json()["state"] == "ministry_decision_recorded"
    case = Case.objects.get(pk=case.pk)
    assert case.amount_current is None  # not counted yet
    record = case.determinations.get()
    assert (record.kind, record.amount, record.document_number, record.effective_on, record.notified_on) == (
        "ministry_decision", 4_800_000, "保高発1204第4号", date(2025, 12, 4), None
    )
    assert_error(act(login(api, officer), case.pk, "record_ministry_payment", case.version, amount=1, date="2025-12-05"),
                 409, "transition_not_allowed")

    before = written(case)
    assert_error(act(login(api, recorder), case.pk, "confirm_ministry_decision", case.version), 403, "four_eyes")
    assert_error(act(login(api, officer), case.pk, "confirm_ministry_decision", case.version), 403, "permission_denied")
    assert written(case) == before

    confirmed = act(login(api, boss), case.pk, "confirm_ministry_decision", case.version)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "notified"
    case = Case.objects.get(pk=case.pk)
    record.refresh_from_db()
    assert (case.amount_determined, case.amount_current) == (4_800_000, 4_800_000)
    assert (record.approved_by, record.notified_on) == (boss, date(2025, 12, 4))
    entry = HistoryEntry.objects.filter(case=case).latest("pk")
    assert (entry.action, entry.actor, entry.source, entry.target) == (
        "confirm_ministry_decision", boss, "ministry_decision_recorded", "notified"
    )
    assert entry.data["amounts_after"]["current"] == 4_800_000


def test_a_ministry_decision_sent_back_returns_to_forwarded_and_is_recorded_again(client, today):
    officer, boss = f.officer(), f.supervisor()
    case = forwarded(officer, today)
    case = step(case, "record_ministry_decision", officer, **{**DECISION, "amount": 480_000})
    client.force_login(boss)
    queue = client.get("/approvals/").content.decode()
    assert "本省決定（記録）" in queue and f"/cases/{case.pk}/steps/confirm_ministry_decision/" in queue
    response = client.post(f"/cases/{case.pk}/steps/send_back_ministry_decision/",
                           {"version": case.version, "reason": "金額の桁誤り", "next": "/approvals/"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.amount_current) == ("forwarded", None)
    assert case.determinations.get().sent_back_reason == "金額の桁誤り"
    case = step(case, "record_ministry_decision", officer, **DECISION)
    case = step(case, "confirm_ministry_decision", boss)
    assert (case.state, case.amount_current) == ("notified", 4_800_000)


def test_the_states_awaiting_a_supervisor_are_those_the_declared_approvals_leave_from():
    from grants.models import AWAITING_SUPERVISOR_STATES
    from workflows.steps import DeterminationAct, states_awaiting

    assert states_awaiting(DeterminationAct.APPROVES) == AWAITING_SUPERVISOR_STATES == {
        "drafted", "revocation_drafted", "ministry_decision_recorded",
    }


def test_the_legal_basis_is_offered_as_its_choices_on_the_page_and_in_the_api(api, client, people):
    case = paid_grant(people)
    client.force_login(people["officer"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<select name="legal_basis"' in page and '<option value="art_17_1">' in page and '<option value="other">' in page
    detail = login(api, people["officer"]).get(f"/api/cases/{case.pk}").json()
    [draft] = [t for t in detail["available_transitions"] if t["name"] == "draft_revocation"]
    [basis] = [field for field in draft["fields"] if field["name"] == "legal_basis"]
    assert [choice["value"] for choice in basis["choices"]] == ["art_17_1", "other"] and basis["required"] is True


def test_only_grant_decisions_are_approved_or_notified_in_bulk_never_a_revocation():
    from workflows.forms import bulk_steps
    from workflows.steps import bulk_approval_step

    names = [declared.name for declared in bulk_steps()]
    assert "notify" in names and "revoke" not in names
    assert bulk_approval_step().name == "approve"


def test_the_approval_queue_weighs_a_revocation_against_the_grant_it_revokes_and_what_was_paid(client, people, today):
    """A revocation's row showed the papers' requested amount (申請額); it shows what the procedure declares a
    revocation is weighed against (``ProcedureSpec.amounts_weighed``): the grant it revokes and what was paid."""
    case = paid_grant(people)
    today(date(2024, 7, 3))
    step(case, "draft_revocation", people["officer"], **REVOCATION)
    client.force_login(people["boss"])
    queue = client.get("/approvals/").content.decode()
    assert "取消" in queue and "/steps/approve_revocation/" in queue
    assert "現在の交付額（変更後） 10,000,000円" in queue and "支払済額 5,000,000円" in queue
    assert "申請額" not in queue and 'data-testid="weighed-requested"' not in queue


def test_the_approval_queue_weighs_a_decision_against_what_was_requested(client, people):
    officer = people["officer"]
    case = f.case(actor=officer)
    for name, data in (("request", {}), ("submit", {"amount": 1_200_000}), ("start_review", {}), ("draft", {"amount": 1_000_000, "reason": "対象外経費を除外"})):
        case = step(case, name, officer, **data)
    client.force_login(people["boss"])
    queue = client.get("/approvals/").content.decode()
    assert "申請額 1,200,000円" in queue and 'data-testid="weighed-paid"' not in queue
