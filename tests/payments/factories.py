"""Payment test data: cases driven to a notice through the real transition service, runs paid end to end."""

from datetime import date

from django.utils import timezone

from tests.factories import Stream
from grants.models import BudgetNotice, Case, Determination, DeterminationKind
from grants.roles import system_user
from payments.models import PaymentBasis, PaymentItem, PaymentPlanRule, PaymentRun
from payments.services import payment_plans_load_defaults, payment_run_approve, payment_run_create, payment_run_execute
from tests import factories as f
from workflows.services import case_transition

CSG = Stream.COMMUNITY_SUPPORT_GRANT


def shipped_plans() -> None:
    """The FY2023 and FY2025 plans as shipped (tests that flush the database need them again)."""
    payment_plans_load_defaults(actor=system_user())


def plan(year: int, procedure: str, base: str, *shares: tuple[str, int, date], stream: str = CSG) -> None:
    """A tranche plan for a year the shipped data leaves out."""
    for sequence, (basis, percent, run_on) in enumerate(shares, start=1):
        PaymentPlanRule.objects.create(
            fiscal_year=f.fiscal_year(year), stream=stream, procedure=procedure, sequence=sequence,
            basis=basis, base=base, percent=percent, run_on=run_on,
        )


def act(case: Case, name: str, actor, today: date | None = None, **data) -> Case:
    return case_transition(
        case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version, today=today
    )


def notified(
    *, officer, boss, year: int, amount: int, on: date, procedure: str = "initial_grant", recipient=None, stream=CSG
) -> Case:
    """A case of ``procedure`` taken from planned to a notice of ``amount`` on ``on``."""
    f.fiscal_year(year)
    if not BudgetNotice.objects.filter(fiscal_year_id=year, stream=stream, part="").exists():
        f.budget_notice(year, stream, by=boss)
    case = f.case(actor=officer, year=year, stream=stream, procedure=procedure, recipient=recipient)
    # every act on ``on``, entered later (dates run forward: asked for, received, reviewed, drafted, approved, noticed)
    day = on.isoformat()
    case = act(case, "request", officer, occurred_on=day)
    case = act(case, "submit", officer, amount=amount, occurred_on=day)
    case = act(case, "start_review", officer, occurred_on=day)
    case = act(case, "draft", officer, amount=amount, reason="事業費の見直し" if procedure == "change_grant" else "",
               occurred_on=day)
    case = act(case, "approve", boss, occurred_on=day)
    return act(case, "notify", officer, date=day)


def paid_run(on: date, *, officer, boss) -> PaymentRun:
    """A run for ``on`` drafted by the officer, approved by the supervisor, executed."""
    f.fiscal_year(on.year if on.month >= 4 else on.year - 1)
    run = payment_run_create(actor=officer, run_on=on)
    payment_run_approve(actor=boss, run_id=run.pk)
    return payment_run_execute(actor=officer, run_id=run.pk)


def payment_item(*, officer, amount: int, due_on: date, recipient=None, year: int = 2025) -> PaymentItem:
    """An item straight onto a planned case, for tests about runs rather than about how items arise."""
    case = f.case(actor=officer, year=year, recipient=recipient)
    determination = Determination.objects.create(
        case=case, kind=DeterminationKind.DECISION, amount=amount, drafted_by=officer,
        drafted_at=timezone.now(), notified_on=due_on,
    )
    return PaymentItem.objects.create(
        case=case, determination=determination, recipient=case.recipient, budget_year=year,
        basis=PaymentBasis.TRANCHE_1, amount=amount, due_on=due_on,
    )



def revoked(case: Case, boss, *, today: date, officer=None, reason: str = "補助目的外への使用",
            legal_basis: str = "art_17_1", **data) -> Case:
    """A notified case revoked as the act has it: the officer (the case's own unless named) drafts the
    revocation with its reason, legal basis and effective date (``date``, else ``today``), the supervisor
    approves it, the officer notifies it; all on ``today``."""
    officer = officer or case.officer
    case = act(case, "draft_revocation", officer, today=today, reason=reason, legal_basis=legal_basis, **data)
    case = act(case, "approve_revocation", boss, today=today)
    return act(case, "revoke", officer, today=today)
