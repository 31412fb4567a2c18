"""The payment run's state machine: draft → approved (supervisor, four eyes) → executed, or draft → cancelled.

Execution is four-eyed too: the person who approved a run does not execute it,
and a run is not executed before its own date.

Like the case flows in ``workflows/flows``: the flow wraps one run for one act
by one actor, permissions and conditions sit beside each transition, and the
bodies only set in-memory fields. ``services.runs`` checks the permission
itself (viewflow checks only the source state and the conditions), saves the
run and writes its history record.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.fsm import State

from calendars.eras import day_text
from grants.access import may, scope_covers, works_bureau_wide
from web.errors import PermissionDenied

from .errors import (
    RUN_EMPTY_MESSAGE,
    RUN_NOT_DUE_MESSAGE,
    EmptyRunNotYours,
    RunConditionUnmet,
    RunExecutorIsApprover,
    RunFourEyesViolation,
    RunNotDue,
    RunOutOfScope,
)
from .models import PaymentRun, PaymentRunState

S = PaymentRunState
PREPARE = "payments.prepare_payment_run"
APPROVE = "payments.approve_payment_run"
#: The permission each step asks for, beside the rest of its rule (four eyes, scope) in its ``permission=``.
STEP_PERMISSIONS = {"approve": APPROVE, "execute": PREPARE, "cancel": PREPARE}


class PaymentRunFlow:
    """The state machine around one payment run."""

    state = State(PaymentRunState, default=PaymentRunState.DRAFT)

    def __init__(self, run: PaymentRun, *, actor, today: date | None = None):
        self.run = run
        self.actor = actor
        self.today = today or timezone.localdate()
        self._covers: dict = {}

    @state.getter()
    def _get_state(self):
        return self.run.state

    @state.setter()
    def _set_state(self, value):
        self.run.state = value

    # -- who may act ------------------------------------------------------
    # Each step acts on every item of the run, so the actor's scope must cover them all (``covers``).
    def staff(self, user) -> bool:
        return may(user, PREPARE) and self.covers(user, PREPARE)

    def supervisor_not_drafter(self, user) -> bool:
        return may(user, APPROVE) and self.run.drafted_by_id != user.pk and self.covers(user, APPROVE)

    def staff_not_approver(self, user) -> bool:
        return self.staff(user) and self.run.approved_by_id != user.pk

    def covers(self, user, permission: str) -> bool:
        """Whether every item of the run lies in ``user``'s scope; a run with no items is its drafter's or a
        bureau-wide user's (nobody's scope names it)."""
        key = (user.pk, permission)
        if key not in self._covers:
            items = self.run.items.all()
            self._covers[key] = (
                scope_covers(user, permission, items, via="case__")
                if items.exists()
                else self.run.drafted_by_id == user.pk or works_bureau_wide(user)
            )
        return self._covers[key]

    def refusal(self, name: str, user) -> Exception:
        """The error that explains why ``user`` may not take transition ``name``."""
        permission = STEP_PERMISSIONS[name]
        if not may(user, permission):
            return PermissionDenied(details={"transition": name})
        if name == "approve" and self.run.drafted_by_id == user.pk:
            return RunFourEyesViolation()
        if name == "execute" and self.run.approved_by_id == user.pk:
            return RunExecutorIsApprover()
        if not self.covers(user, permission):
            details = {"transition": name, "run": self.run.pk}
            return RunOutOfScope(details=details) if self.run.items.exists() else EmptyRunNotYours(details=details)
        return PermissionDenied(details={"transition": name})

    def unmet(self, condition: str, message) -> Exception:
        """The error for an unmet condition: the run's date has its own code, the others the general one."""
        if condition == "run_date_reached":
            return RunNotDue(message or None, details={"run_on": self.run.run_on.isoformat()})
        return RunConditionUnmet(message or None, details={"condition": condition})

    # -- conditions --------------------------------------------------------
    def has_items(self):
        """A draft can lose every item to a later, lower determination; an empty run is not approved."""
        return State.CONDITION(self.run.items.exists(), unmet=RUN_EMPTY_MESSAGE)

    def run_date_reached(self):
        """Money leaves on the run's date: a run is not executed before it."""
        return State.CONDITION(
            self.today >= self.run.run_on, unmet=RUN_NOT_DUE_MESSAGE.format(run_on=day_text(self.run.run_on))
        )

    # -- acts ----------------------------------------------------------------
    @state.transition(
        source=S.DRAFT,
        target=S.APPROVED,
        label=_("Approve"),
        conditions=[this.has_items],
        permission=this.supervisor_not_drafter,
    )
    def approve(self):
        self.run.approved_by = self.actor
        self.run.approved_at = timezone.now()

    @state.transition(
        source=S.APPROVED,
        target=S.EXECUTED,
        label=_("Execute"),
        conditions=[this.run_date_reached],
        permission=this.staff_not_approver,
    )
    def execute(self):
        self.run.executed_by = self.actor
        self.run.executed_at = timezone.now()

    @state.transition(
        source=S.DRAFT, target=S.CANCELLED, label=_("Cancel run"), permission=this.staff, custom={"turns_back": True}
    )
    def cancel(self):
        """A draft made by mistake or emptied by withdrawals; the service hands its items back to later runs."""


_RUN_TRANSITIONS = {
    transition.slug: transition
    for transitions in PaymentRunFlow.state.get_transitions().values()
    for transition in transitions
}
# Each payment-run step by the label its transition gives it (approve, execute, cancel), for pages and messages.
RUN_STEP_LABELS = {slug: transition.label for slug, transition in _RUN_TRANSITIONS.items()}


def run_step_buttons(names: list[str]) -> list[dict]:
    """The buttons of a run's steps ``names``: name, label, and ``turns_back`` (shown as a secondary action)."""
    return [
        {
            "name": name,
            "label": RUN_STEP_LABELS[name],
            "turns_back": bool(_RUN_TRANSITIONS[name].custom.get("turns_back")),
        }
        for name in names
    ]
