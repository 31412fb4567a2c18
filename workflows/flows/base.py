"""What every procedure shares: the state slot, who may act, the rules, and the steps.

A flow wraps one case for one act by one actor. Step bodies only copy
validated data onto the in-memory case and its determination;
``workflows.services.case_transition`` saves them and writes the history
record, the letter and the money the step declares.

The building blocks below are mixins holding the steps of one phase of a
procedure; each procedure in ``flows/<stream>.py`` lists the phases it has and
registers its spec with ``procedure``. Each step is declared once, with
``step``: source, target, label, permission and conditions (viewflow's own),
and its fields, letter, determination act and payment effect (``steps.Step``).
"""

from datetime import date
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.fsm import State

from calendars.eras import day_text
from calendars.numbering import document_number_claim, document_number_issue, document_number_typed
from grants.access import in_scope, may
from grants.catalogue import (
    ActLetter,
    ProcedureSpec,
    StreamSpec,
    procedure_get,
    procedure_register,
    routes_via_prefecture,
    stream_get,
)
from grants.errors import OutOfScope
from grants.services import budget_checks_serialised, budget_position_serialised
from grants.procedures import InformalNotice, definition_full
from grants.models import (
    DECISION_IN_FORCE_STATES,
    OPEN_STATES,
    Case,
    CaseState,
    Determination,
    DeterminationKind,
)
from grants.selectors import (
    budget_commitments,
    case_last_act_on,
    decision_in_force,
    determination_pending,
    determination_sent_back,
    GrantStanding,
    grant_standing,
)
from payments.services import payment_items_issue, payment_items_revoke, payment_plan_rider
from schedules.deadlines import deadline_for_request
from web.errors import InvalidInput

from ..errors import BudgetCeilingExceeded, ConditionUnmet, FourEyesViolation, TransitionForbidden
from ..signals import document_number_given
from ..fields import (
    AMOUNT,
    DATE,
    DEADLINE,
    DOCUMENT_NUMBER,
    EXPECTED_AMOUNTS,
    LEGAL_BASIS,
    PREFECTURE_RECEIVED_ON,
    REASON,
    amount_asked_problem,
    expected_amounts_by_year,
    prefecture_receipt_problem,
    required,
)
from ..steps import DeterminationAct, Step, step_of

S = CaseState
# A case whose notified decision stands (its revocation drafted or approved) is not withdrawn: it is revoked or not.
WITHDRAWABLE = sorted(OPEN_STATES - DECISION_IN_FORCE_STATES)


class CaseFlow:
    """The state machine around one case."""

    state = State(CaseState, default=CaseState.PLANNED)

    #: The procedure's spec, set by ``procedure`` when the flow is registered.
    spec: ProcedureSpec

    def __init__(self, case: Case, *, actor=None, data: dict | None = None, today: date | None = None):
        self.case = case
        self.actor = actor
        self.data = data or {}
        self.today = today or timezone.localdate()
        self.new_determination: Determination | None = None
        #: A bulk step's chunk of acts: the budget positions its approvals share, by fiscal year, stream and part
        #: (set by the transition service; None for a single act).
        self.chunk_budgets: dict | None = None

    @state.getter()
    def _get_state(self):
        return self.case.state

    @state.setter()
    def _set_state(self, value):
        self.case.state = value

    @property
    def determination_kind(self) -> str | None:
        return self.spec.determination

    # -- who may act (permissions and scope: ``grants.access``) -------------
    def _may(self, user, permission: str) -> bool:
        case = self.case
        return may(user, permission, stream=case.stream, prefecture=case.recipient.prefecture_code)

    def officer_in_scope(self, user) -> bool:
        """The officer's steps: ``grants.act_on_case`` on a case in the user's scope."""
        return self._may(user, "grants.act_on_case")

    def supervisor(self, user) -> bool:
        """The supervisor's steps: ``grants.approve_decision`` on a case in the user's scope."""
        return self._may(user, "grants.approve_decision")

    def officer_with_draft_sent_back(self, user) -> bool:
        """The officer's steps on a draft a supervisor sent back, offered only while there is one."""
        return self.officer_in_scope(user) and self.draft_sent_back() is not None

    def supervisor_not_drafter(self, user) -> bool:
        pending = self.pending_determination()
        return self.supervisor(user) and (pending is None or pending.drafted_by_id != user.pk)

    def refusal(self, name: str, user) -> Exception:
        """The error that explains why ``user`` may not take step ``name``."""
        if step_of(type(self), name).determination == DeterminationAct.APPROVES and self.supervisor(user):
            return FourEyesViolation()
        case = self.case
        if not in_scope(user, stream=case.stream, prefecture=case.recipient.prefecture_code):
            return OutOfScope(details={"stream": case.stream, "prefecture": case.recipient.prefecture_code})
        return TransitionForbidden(details={"transition": name})

    # -- conditions --------------------------------------------------------
    @cached_property
    def definition(self) -> dict:
        """The procedure's definition the case copied from its fiscal year when it was created."""
        return definition_full(self.case.stream, self.case.procedure, self.case.definition)

    def needs_pre_consultation(self) -> bool:
        return bool(self.definition["pre_consultation"])

    def _notice_at(self, where: str) -> bool:
        return self.definition["informal_notice"] == where

    def consultation_due(self):
        """A consultation round: the first where the year starts with one; a second after the first 内示
        where the year's definition has a second round."""
        definition, state = self.definition, self.case.state
        if state == S.PLANNED:
            ok = definition["pre_consultation"]
        else:
            ok = definition["second_consultation"] and self.case.consultation_round < 2
        return State.CONDITION(ok, unmet=_("This year's procedure has no (further) consultation round."))

    def presentation_due(self):
        """The informal notice (内示 / 調整・提示) falls where the year's definition puts it, once after a review."""
        state = self.case.state
        if state == S.CONSULTATION_SUBMITTED:
            ok = self._notice_at(InformalNotice.AFTER_CONSULTATION)
        else:
            ok = self._notice_at(InformalNotice.AFTER_REVIEW) and self.case.amount_presented is None
        return State.CONDITION(ok, unmet=_("This year's procedure presents no amount at this point."))

    def application_due(self):
        """The (formal) application is requested where the year's definition says: at once, after the
        consultation, after its 内示, or after the 内示 that follows the pre-application's review."""
        definition, state = self.definition, self.case.state
        if state == S.PLANNED:
            ok = not definition["pre_consultation"]
            unmet = _("This year the procedure starts with a pre-consultation.")
        elif state == S.CONSULTATION_SUBMITTED:
            ok = not self._notice_at(InformalNotice.AFTER_CONSULTATION)
            unmet = _("This year an amount is presented before the application is requested.")
        else:
            ok = self._notice_at(InformalNotice.AFTER_CONSULTATION) or definition["formal_application"]
            unmet = _("This year the presented amount is decided without a further application.")
        return State.CONDITION(ok, unmet=unmet)

    def decision_due(self):
        """A determination is drafted after the review, or after the amount presented after it."""
        after_review = self._notice_at(InformalNotice.AFTER_REVIEW)
        if self.case.state == S.AMOUNT_PRESENTED:
            ok = after_review and not self.definition["formal_application"]
        else:
            ok = not (after_review and self.case.amount_presented is None)
        return State.CONDITION(ok, unmet=_("This year the amount is presented (調整・提示) before the decision."))

    def forwarding_due(self):
        """With a formal application, the papers go to the ministry after the 内示 and the formal application."""
        ok = not (self.definition["formal_application"] and self.case.amount_presented is None)
        return State.CONDITION(ok, unmet=_("This year the ministry's informal notice and the formal application come first."))

    def budget_notice_covers(self):
        """The year's budget-obligation notices are a ceiling on every approved decision and change plus this one
        (docs/money.md); settlements and re-settlements need none, streams the ministry decides neither."""
        case = self.case
        if not stream_get(case.stream).bureau_decides:
            return State.CONDITION(True)  # no query for streams the ministry decides
        pending = self.pending_determination()
        if pending is None or procedure_get(case.stream, case.procedure).settles:
            return State.CONDITION(True)  # no query
        commitments = getattr(case, "budget_commitments", None)  # set on the approval queue's cases, one per year
        in_chunk = self.chunk_budgets  # a bulk approval's acts: what its earlier acts approved is not written yet
        year = (case.fiscal_year_id, case.stream, case.part)
        if commitments is not None:
            position = commitments.position(pending)
        elif in_chunk is not None:
            if year not in in_chunk:
                budget_checks_serialised(fiscal_year=year[0], stream=year[1], part=year[2])
                in_chunk[year] = budget_commitments(fiscal_year=year[0], stream=year[1], part=year[2])
            position = in_chunk[year].position(pending)
            if position.covered:
                in_chunk[year].approved(pending)  # the chunk's later approvals count this one
        else:  # an act: the year's budget ledger, locked and read in one statement whatever the size of the year
            position = budget_position_serialised(
                fiscal_year=case.fiscal_year_id, stream=case.stream, part=case.part, pending=pending
            )
        self.budget = position
        return State.CONDITION(
            position.covered,
            unmet=_(
                "The budget-obligation notices (支出負担行為示達) of this year come to %(ceiling)s yen; approved decisions "
                "commit %(committed)s yen, and this one would bring them to %(with_pending)s yen: %(shortfall)s yen short."
            )
            % {
                "ceiling": f"{position.ceiling:,}",
                "committed": f"{position.committed:,}",
                "with_pending": f"{position.with_pending:,}",
                "shortfall": f"{position.shortfall:,}",
            },
        )

    def unmet(self, condition: str, message) -> Exception:
        """The error for an unmet condition: the budget ceiling names its figures, the others only themselves."""
        budget = getattr(self, "budget", None)
        if condition == "budget_notice_covers" and budget is not None:
            return BudgetCeilingExceeded(
                message or None,
                details={
                    "condition": condition,
                    "ceiling": budget.ceiling,
                    "committed": budget.committed,
                    "with_this": budget.with_pending,
                    "shortfall": budget.shortfall,
                },
            )
        return ConditionUnmet(message or None, details={"condition": condition})

    def baseline_known(self):
        """Changes and settlements need the grant they change or settle."""
        if self.determination_kind in (DeterminationKind.DECISION, None):
            return State.CONDITION(True)
        return State.CONDITION(
            self.baseline_amount() is not None,
            unmet=_("No notified grant decision exists for the fiscal year this case changes or settles."),
        )

    def baseline_stands(self):
        """Changes and settlements decide on a grant that stands: not on one revoked, whose revocation's return
        settles it. Held at every step that decides or moves money (draft, approve, notify), not only at the draft."""
        baseline = self.baseline_grant()
        return State.CONDITION(
            baseline is None or not baseline.revoked,
            unmet=_(
                "This grant decision has been revoked: the return its revocation ordered settles it. "
                "Withdraw this case."
            ),
        )

    def baseline_not_being_revoked(self):
        """A change or settlement is not notified while a revocation of its grant is under way (drafted or
        approved): it waits until the revocation is sent back or notified. Its draft and approval, which move no
        money, may be made meanwhile (an approval racing the revocation's notice reads the budget ledger after it:
        docs/money.md), and ``baseline_stands`` refuses whatever follows a notified revocation."""
        baseline = self.baseline_grant()
        return State.CONDITION(
            baseline is None or not baseline.revoking,
            unmet=_(
                "A revocation of this grant decision is under way: this waits until the revocation is sent back "
                "(the decision stands) or notified (its return settles the grant)."
            ),
        )

    # -- helpers -----------------------------------------------------------
    def pending_determination(self) -> Determination | None:
        """The determination drafted and not yet notified or sent back (the one this act drafts, if it drafts)."""
        return self.new_determination or self._stored_pending_determination

    def draft_sent_back(self) -> Determination | None:
        """The case's latest draft when a supervisor sent it back and it is not withdrawn."""
        if "_draft_sent_back" not in self.__dict__:
            self._draft_sent_back = determination_sent_back(case_id=self.case.pk)
        return self._draft_sent_back

    def determination_acted_on(self, act: DeterminationAct | None) -> Determination | None:
        """The stored determination a step's ``act`` changes, which the transition service saves with the case:
        the pending one for a step that sends it back, approves or notifies it; the one sent back for a step that
        withdraws it; none for a step that creates one or leaves them alone."""
        if act in (None, DeterminationAct.CREATES):
            return None
        return self.draft_sent_back() if act == DeterminationAct.WITHDRAWS else self.pending_determination()

    @cached_property
    def _stored_pending_determination(self) -> Determination | None:
        # A page of the approval queue comes with each case's pending drafts (``approval_queue_for_supervisor``).
        prefetched = getattr(self.case, "pending", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        pending = determination_pending(case_id=self.case.pk)
        if pending is not None:
            pending.case = self.case  # the case already read (and locked): its reads need no second one
        return pending

    def baseline_grant(self) -> GrantStanding | None:
        """The grant a change or settlement changes or settles (``grants.selectors.grant_standing``), read once per
        act; None for a case that neither changes nor settles one."""
        if "_baseline_grant" not in self.__dict__:
            case = self.case
            kind = self.determination_kind
            if kind in (DeterminationKind.DECISION, None):
                year = None
            else:
                year = case.fiscal_year_id if kind == DeterminationKind.CHANGE else case.settles_fiscal_year
            self._baseline_grant = None if year is None else grant_standing(
                fiscal_year=year, stream=case.stream, part=case.part, recipient_id=case.recipient_id
            )
        return self._baseline_grant

    def baseline_amount(self) -> int | None:
        baseline = self.baseline_grant()
        return None if baseline is None else baseline.amount

    def _open_request(self, *, consultation: bool) -> None:
        """A request fixes its deadline and awaits its own papers: an earlier round's receipt is not theirs."""
        case = self.case
        deadline = deadline_for_request(
            fiscal_year=case.fiscal_year_id,
            stream=case.stream,
            part=case.part,
            procedure=case.procedure,
            consultation=consultation,
            override=self.data.get("deadline"),
        )
        if self.data.get("deadline") and deadline.stated <= self.today:
            # Dates run forward: a letter asking for papers by its own day or an earlier one would be void.
            early = _("A request's deadline must come after the day of the request (%(day)s).") % {
                "day": day_text(self.today)
            }
            raise InvalidInput(early, details={"deadline": [early]})
        if deadline and not self.data.get("deadline") and deadline.effective <= self.today:
            # The schedule's day has come or gone by: a letter asking for papers by then would be void (as a deadline
            # the officer types on the request's own day is); the officer sets one.
            if deadline.effective < self.today:
                passed = _("The schedule's deadline (%(day)s) has passed: give this request a deadline.")
            else:
                passed = _("The schedule's deadline (%(day)s) is the day of the request: give this request a deadline.")
            passed %= {"day": day_text(deadline.effective)}
            raise InvalidInput(passed, details={"deadline": [passed]})
        case.deadline_stated = deadline.stated if deadline else None
        case.deadline_effective = deadline.effective if deadline else None
        case.submitted_on, case.submitted_late = None, False
        case.prefecture_received_on = None

    def _act_date(self, *, not_before: date | None = None, follows: str = "") -> date:
        """The day an act is dated (its ``date``, else today): never in the future, never before the act it follows."""
        on = self.data.get("date") or self.today
        if on > self.today:
            raise InvalidInput(details={"date": [_("An act cannot be dated in the future.")]})
        if not_before is not None and on < not_before:
            message = _("Cannot be dated before %(act)s (%(day)s).") % {"act": follows, "day": day_text(not_before)}
            raise InvalidInput(details={"date": [message]})
        return on

    def _act_date_after_previous(self) -> date:
        """The day an act is dated (``_act_date``) where it follows the case's previous act: dates run forward
        (docs/domain.md, "Dates")."""
        given = self.data.get("date")
        # Only a day before the act's own can precede the previous act (which the service keeps on or before it).
        previous = case_last_act_on(case=self.case) if given is not None and given < self.today else None
        return self._act_date(not_before=previous, follows=_("the case's previous act"))

    def _amount_asked(self) -> int:
        """The amount the papers ask for (``amount``): at least 1 yen where they apply for a grant decision
        (``workflows.fields.amount_asked_problem``)."""
        amount = self.data["amount"]
        problem = amount_asked_problem(amount, determination_kind=self.determination_kind)
        if problem:
            raise InvalidInput(details={"amount": [problem]})
        return amount

    def _record_receipt(self) -> None:
        """The day the papers reached the bureau (``date``, else the act's day): never before the case's
        previous act, the request that asked for them."""
        case = self.case
        case.submitted_on = self._act_date_after_previous()
        # Late papers are accepted and flagged, never refused.
        case.submitted_late = bool(case.deadline_effective and case.submitted_on > case.deadline_effective)

    def _record_prefecture_receipt(self) -> None:
        """Routed papers (経由): the day the prefecture received them, if known — not in the future, not after
        they reached the bureau (``submitted_on``); the field is refused on papers that are not routed."""
        case, on = self.case, self.data.get("prefecture_received_on")
        if on is None:
            case.prefecture_received_on = None
            return
        if not routes_via_prefecture(case.stream, case.recipient.kind):
            message = _("This case's papers do not travel through a prefecture.")
            raise InvalidInput(details={"prefecture_received_on": [message]})
        problem = prefecture_receipt_problem(on, received=case.submitted_on, today=self.today)
        if problem:
            raise InvalidInput(details={"prefecture_received_on": [problem]})
        case.prefecture_received_on = on

    def _reason(self) -> None:
        self.case.last_reason = self.data.get("reason", "")

    def _pending_sent_back(self) -> None:
        """A supervisor sends the pending draft back: the case keeps the reason, the draft is marked with it."""
        self._reason()
        pending = self.pending_determination()
        if pending is not None:
            pending.sent_back_reason = self.data["reason"]

    def _document_number_given(self, *, on: date) -> None:
        """The number the officer gave the act's letter (of day ``on``): in the bureau's own form it is the day's
        and the day's count moves past it (``document_number_claim``); it is no other letter's of the year (the
        letters app answers ``document_number_given``). InvalidInput naming ``document_number`` otherwise."""
        number = self.data["document_number"] = document_number_typed(self.data["document_number"])
        document_number_claim(number=number, on=on)
        document_number_given.send(sender=Case, number=number, on=on)

    def _pending_approved(self) -> Determination | None:
        """A supervisor approves the pending draft (the step's permission has kept its drafter out)."""
        pending = self.pending_determination()
        if pending is not None:
            pending.approved_by, pending.approved_at = self.actor, timezone.now()
        return pending

    def _apply_amount(self, amount: int) -> None:
        """A notified amount: a settlement's is the settled amount; a decision's or change's the current one."""
        case = self.case
        if self.spec.settles:
            case.amount_settled = amount
        else:
            if case.amount_determined is None:
                case.amount_determined = amount
            case.amount_current = amount


def step(
    *, label=None, letter=None, fields=(), determination=None, payments=None, turns_back=False, imported=False,
    bulk=False, **transition,
):
    """Declare a step: ``label`` and ``transition`` are ``State.transition``'s own arguments (source, target,
    conditions, permission); the rest is the step's ``Step``, kept in the transition's ``custom``."""
    custom = {"step": Step(label, tuple(fields), letter, determination, payments, turns_back, imported, bulk)}
    return CaseFlow.state.transition(label=label, custom=custom, **transition)


def procedure(stream: StreamSpec, code: str, **spec):
    """Register the decorated flow as the state machine of ``stream``'s procedure ``code`` (``ProcedureSpec``)."""

    def register(flow: type[CaseFlow]) -> type[CaseFlow]:
        flow.spec = procedure_register(ProcedureSpec(stream=stream.code, code=code, flow=flow, **spec))
        return flow

    return register


# -- payment effects (called inside the act, after its determination is written) ------------------
def notified_money(flow: CaseFlow, determination: Determination | None) -> None:
    """A notice makes its determination's money payable (or reclaimable) under the year's tranche plan."""
    payment_items_issue(actor=flow.actor, case=flow.case, determination=determination)


def revoked_money(flow: CaseFlow, determination: Determination | None) -> None:
    """A revocation's notice withdraws what is unpaid and claims back what was paid, from the revocation's
    effective date; its legal basis decides whether 加算金 runs (docs/money.md)."""
    payment_items_revoke(
        actor=flow.actor, case=flow.case, revoked_on=determination.effective_on, basis=determination.legal_basis
    )


class PreConsultation:
    """事前協議 / 国庫補助協議: the bureau asks for a consultation, receives and reviews its papers (returning
    them when they need correcting) and presents an amount (内示); a second round follows where the year's
    definition has one."""

    @step(
        source=[S.PLANNED, S.AMOUNT_PRESENTED],
        target=S.CONSULTATION_REQUESTED,
        label=gettext_lazy("Request consultation"),
        conditions=[this.consultation_due],
        permission=this.officer_in_scope,
        fields=[DEADLINE],
        letter=ActLetter.CONSULTATION_REQUEST,
    )
    def request_consultation(self):
        self.case.consultation_round += 1
        self._open_request(consultation=True)

    @step(
        source=S.CONSULTATION_REQUESTED,
        target=S.CONSULTATION_SUBMITTED,
        label=gettext_lazy("Record consultation papers"),
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), DATE],
        letter=ActLetter.NONE,
    )
    def submit_consultation(self):
        self.case.amount_consulted = self._amount_asked()
        self._record_receipt()

    @step(
        source=S.CONSULTATION_SUBMITTED,
        target=S.CONSULTATION_REQUESTED,
        label=gettext_lazy("Return consultation papers"),
        permission=this.officer_in_scope,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        turns_back=True,
    )
    def return_consultation(self):
        """The review of the consultation papers found them wanting: they go back, the deadline stands."""
        self._reason()
        self.case.submitted_on, self.case.submitted_late = None, False


class AmountPresentation:
    """内示 / 調整・提示 / 算定・提示: the amount the bureau presents, where the year's definition puts it."""

    @step(
        source=[S.CONSULTATION_SUBMITTED, S.UNDER_REVIEW],
        target=S.AMOUNT_PRESENTED,
        label=gettext_lazy("Present amount (informal notice)"),
        conditions=[this.presentation_due],
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), DATE],
        letter=ActLetter.PRESENTATION,
    )
    def present_amount(self):
        if self.data["amount"] <= 0:
            raise InvalidInput(details={"amount": [_("A presented amount is a positive number of yen.")]})
        self.case.amount_presented = self.data["amount"]
        # the notice's day, which its letter takes: not in the future, not before the papers it follows
        self.data["date"] = self._act_date_after_previous()


class Request:
    """依頼: the request for the procedure's papers, with its deadline."""

    @step(
        source=[S.PLANNED, S.CONSULTATION_SUBMITTED, S.AMOUNT_PRESENTED],
        target=S.REQUESTED,
        label=gettext_lazy("Issue request"),
        conditions=[this.application_due],
        permission=this.officer_in_scope,
        fields=[DEADLINE],
        letter=ActLetter.REQUEST,
    )
    def request(self):
        self._open_request(consultation=False)


class Submission:
    """提出: the papers received, with the amount they ask for."""

    @step(
        source=[S.REQUESTED, S.RETURNED],
        target=S.SUBMITTED,
        label=gettext_lazy("Record submission"),
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), DATE, PREFECTURE_RECEIVED_ON],
        letter=ActLetter.NONE,
        imported=True,
    )
    def submit(self):
        self.case.amount_requested = self._amount_asked()
        self._record_receipt()
        self._record_prefecture_receipt()


class ExpectedAmountsSubmission:
    """提出 of a demand survey (事業見込み量（所要額）調査): the amount the recipient expects to need in each fiscal
    year the form asks about; their sum is the amount the papers give."""

    @step(
        source=[S.REQUESTED, S.RETURNED],
        target=S.SUBMITTED,
        label=gettext_lazy("Record expected amounts"),
        permission=this.officer_in_scope,
        fields=[*EXPECTED_AMOUNTS, DATE],
        letter=ActLetter.NONE,
    )
    def submit_expected_amounts(self):
        case = self.case
        case.amounts_expected = expected_amounts_by_year(case.fiscal_year_id, self.data)
        case.amount_requested = sum(case.amounts_expected.values())
        self._record_receipt()


class PapersReview:
    """差戻し ⇄ 審査: the papers go back for correction, or their review starts."""

    @step(
        source=[S.SUBMITTED, S.UNDER_REVIEW],
        target=S.RETURNED,
        label=gettext_lazy("Return for correction"),
        permission=this.officer_in_scope,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        turns_back=True,
    )
    def return_for_correction(self):
        self._reason()

    @step(
        source=S.SUBMITTED,
        target=S.UNDER_REVIEW,
        label=gettext_lazy("Start review"),
        permission=this.officer_in_scope,
        letter=ActLetter.NONE,
    )
    def start_review(self):
        pass


class Application(Request, Submission, PapersReview):
    """依頼 → 提出 ⇄ 差戻し → 審査: the request, the papers and their review."""


class Revocation:
    """取消: drafted by an officer (reason, legal basis, effective date), approved by a supervisor who did not
    draft it (or sent back), then notified by an officer with a document number: only the notice revokes,
    issues the 取消通知 and takes the money back, as of the effective date."""

    @step(
        source=S.NOTIFIED,
        target=S.REVOCATION_DRAFTED,
        label=gettext_lazy("Draft revocation"),
        permission=this.officer_in_scope,
        fields=[required(REASON), required(LEGAL_BASIS), DATE],
        letter=ActLetter.NONE,
        determination=DeterminationAct.CREATES,
        turns_back=True,
    )
    def draft_revocation(self):
        revoked = self.decision_in_force()
        effective_on = self._act_date(
            not_before=revoked.notified_on if revoked else None, follows=_("the decision it revokes")
        )
        basis = self.data["legal_basis"]  # one of RevocationBasis (the field's choices)
        case = self.case
        amount = (case.amount_settled if self.spec.settles else case.amount_current) or 0
        self.data["date"] = effective_on
        self.new_determination = Determination(
            case=case,
            kind=DeterminationKind.REVOCATION,
            amount=amount,
            previous_amount=amount,
            reason=self.data["reason"],
            legal_basis=basis,
            effective_on=effective_on,
            drafted_by=self.actor,
            drafted_at=timezone.now(),
        )

    @step(
        source=S.REVOCATION_DRAFTED,
        target=S.NOTIFIED,
        label=gettext_lazy("Send the revocation back to the officer"),
        permission=this.supervisor,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        determination=DeterminationAct.SENDS_BACK,
        turns_back=True,
    )
    def send_back_revocation(self):
        """The draft stays, marked as sent back with the reason; the decision stands."""
        self._pending_sent_back()

    @step(
        source=S.REVOCATION_DRAFTED,
        target=S.REVOCATION_APPROVED,
        label=gettext_lazy("Approve revocation"),
        permission=this.supervisor_not_drafter,
        letter=ActLetter.NONE,
        determination=DeterminationAct.APPROVES,
    )
    def approve_revocation(self):
        self._pending_approved()

    @step(
        source=S.REVOCATION_APPROVED,
        target=S.REVOKED,
        label=gettext_lazy("Issue revocation notice"),
        permission=this.officer_in_scope,
        fields=[DOCUMENT_NUMBER],
        letter=ActLetter.REVOCATION,
        determination=DeterminationAct.NOTIFIES,
        payments=revoked_money,
    )
    def revoke(self):
        """The 取消通知 carries the revocation's effective date, and so does its document number."""
        pending = self.pending_determination()
        if self.data.get("document_number"):
            self._document_number_given(on=pending.effective_on)
        else:
            self.data["document_number"] = document_number_issue(on=pending.effective_on)
        pending.document_number, pending.notified_on = self.data["document_number"], pending.effective_on
        self.data["date"] = pending.effective_on
        self.case.last_reason = pending.reason

    @step(
        source=S.NOTIFIED,
        target=S.NOTIFIED,
        label=gettext_lazy("Withdraw the revocation sent back"),
        permission=this.officer_with_draft_sent_back,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        determination=DeterminationAct.WITHDRAWS,
        turns_back=True,
    )
    def withdraw_revocation(self):
        """取下げ of a revocation a supervisor sent back: the draft stays on record, marked withdrawn, and the
        decision stands, no longer waiting on its drafter (as a sent-back decision's case is withdrawn)."""
        self._reason()
        self.draft_sent_back().withdrawn_at = timezone.now()

    def decision_in_force(self) -> Determination | None:
        """The notified decision a revocation revokes (``grants.selectors.decision_in_force``)."""
        return decision_in_force(self.case)


class BureauDetermination(Revocation):
    """起案 → 決裁 → 通知: the bureau drafts, a supervisor approves, the officer notifies; a notified
    decision may be revoked the same way (``Revocation``)."""

    @step(
        source=[S.UNDER_REVIEW, S.AMOUNT_PRESENTED],
        target=S.DRAFTED,
        label=gettext_lazy("Draft determination"),
        conditions=[this.decision_due, this.baseline_stands, this.baseline_known],
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), REASON],
        letter=ActLetter.NONE,
        determination=DeterminationAct.CREATES,
    )
    def draft(self):
        amount, reason = self.data["amount"], self.data.get("reason", "")
        baseline = self.baseline_amount()
        kind = self.determination_kind
        if kind == DeterminationKind.DECISION:
            requested = self.case.amount_requested
            if requested is not None and amount < requested and not reason:
                raise InvalidInput(
                    details={"reason": [_("A determination below the requested amount needs a reason.")]}
                )
            if requested is not None and amount > requested:
                raise InvalidInput(details={"amount": [_("A determination cannot exceed the requested amount.")]})
            presented = self.case.amount_presented
            if presented is not None and amount > presented and not reason:
                raise InvalidInput(
                    details={"reason": [_("A determination above the amount presented needs a reason.")]}
                )
        elif kind == DeterminationKind.CHANGE:
            if amount == baseline:
                raise InvalidInput(details={"amount": [_("A change must differ from the current amount.")]})
            if not reason:
                raise InvalidInput(details={"reason": [_("A change needs a reason.")]})
        else:  # a settlement: of the grant determined, on what the recipient reported it spent (the papers' amount)
            if amount > baseline:
                raise InvalidInput(details={"amount": [_("A settled amount cannot exceed the determined amount.")]})
            reported = self.case.amount_requested
            if reported is not None and amount > reported:
                raise InvalidInput(details={"amount": [_("A settled amount cannot exceed the amount reported.")]})
            # below both what was reported and what was determined, the settlement cuts expenses: it says why
            if reported is not None and amount < min(reported, baseline) and not reason:
                raise InvalidInput(
                    details={"reason": [_("A settled amount below the amount reported needs a reason.")]}
                )
        self.new_determination = Determination(
            case=self.case,
            kind=kind,
            amount=amount,
            previous_amount=baseline if kind != DeterminationKind.DECISION else self.case.amount_requested,
            reason=reason,
            drafted_by=self.actor,
            drafted_at=timezone.now(),
        )

    @step(
        source=S.DRAFTED,
        target=S.UNDER_REVIEW,
        label=gettext_lazy("Send back to the officer"),
        permission=this.supervisor,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        determination=DeterminationAct.SENDS_BACK,
        turns_back=True,
    )
    def send_back(self):
        self._pending_sent_back()

    @step(
        source=S.DRAFTED,
        target=S.APPROVED,
        label=gettext_lazy("Approve"),
        conditions=[this.baseline_stands, this.budget_notice_covers],
        permission=this.supervisor_not_drafter,
        letter=ActLetter.NONE,
        determination=DeterminationAct.APPROVES,
        bulk=True,
    )
    def approve(self):
        self._pending_approved()

    @step(
        source=S.APPROVED,
        target=S.NOTIFIED,
        label=gettext_lazy("Issue notice"),
        conditions=[this.baseline_stands, this.baseline_not_being_revoked],
        permission=this.officer_in_scope,
        fields=[DOCUMENT_NUMBER, DATE],
        letter=ActLetter.NOTICE,
        determination=DeterminationAct.NOTIFIES,
        payments=notified_money,
        bulk=True,
    )
    def notify(self):
        # the notice follows its approval, the case's previous act (docs/domain.md, "Dates")
        on = self._act_date_after_previous()
        self.data.setdefault("date", on)
        if self.data.get("document_number"):
            self._document_number_given(on=on)
        else:
            # the notice's money (``notified_money``) reads its tranche plan in the number's statement
            self.data["document_number"] = document_number_issue(on=on, rider=payment_plan_rider(self.case))
        pending = self.pending_determination()
        pending.document_number, pending.notified_on = self.data["document_number"], self.data["date"]
        self._apply_amount(pending.amount)



class MinistryForwarding:
    """回送: the bureau forwards the papers; the ministry decides and pays, the bureau records it."""

    @step(
        source=S.UNDER_REVIEW,
        target=S.FORWARDED,
        label=gettext_lazy("Forward to the ministry"),
        conditions=[this.forwarding_due],
        permission=this.officer_in_scope,
        fields=[DATE],
        letter=ActLetter.NONE,
    )
    def forward(self):
        self.case.forwarded_on = self._act_date(not_before=self.case.submitted_on, follows=_("the papers it forwards"))

    @step(
        source=S.FORWARDED,
        target=S.MINISTRY_DECISION_RECORDED,
        label=gettext_lazy("Record the ministry's decision"),
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), required(DOCUMENT_NUMBER), required(DATE)],
        letter=ActLetter.NONE,
        determination=DeterminationAct.CREATES,
    )
    def record_ministry_decision(self):
        """The officer records the ministry's notice (amount, number, date); it counts once a supervisor confirms it."""
        on = self._act_date(not_before=self.case.forwarded_on, follows=_("the forwarding"))
        self.new_determination = Determination(
            case=self.case,
            kind=DeterminationKind.MINISTRY_DECISION,
            amount=self.data["amount"],
            previous_amount=self.case.amount_requested,
            drafted_by=self.actor,
            drafted_at=timezone.now(),
            document_number=self.data["document_number"],
            effective_on=on,
        )

    @step(
        source=S.MINISTRY_DECISION_RECORDED,
        target=S.FORWARDED,
        label=gettext_lazy("Send the ministry's decision back to the officer"),
        permission=this.supervisor,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        determination=DeterminationAct.SENDS_BACK,
        turns_back=True,
    )
    def send_back_ministry_decision(self):
        """The record does not match the ministry's notice: it goes back, marked with the reason."""
        self._pending_sent_back()

    @step(
        source=S.MINISTRY_DECISION_RECORDED,
        target=S.NOTIFIED,
        label=gettext_lazy("Confirm the ministry's decision"),
        permission=this.supervisor_not_drafter,
        letter=ActLetter.NONE,
        determination=DeterminationAct.APPROVES,
    )
    def confirm_ministry_decision(self):
        """A supervisor who did not record it confirms the record: the ministry's decision counts from its own date."""
        pending = self._pending_approved()
        pending.notified_on = pending.effective_on
        self._apply_amount(pending.amount)

    @step(
        source=S.NOTIFIED,
        target=S.NOTIFIED,
        label=gettext_lazy("Record the ministry's payment"),
        conditions=[this.ministry_decided],
        permission=this.officer_in_scope,
        fields=[required(AMOUNT), required(DATE)],
        letter=ActLetter.NONE,
    )
    def record_ministry_payment(self):
        """The ministry pays the grant it decided; the bureau records the payment as an event of the case."""
        case, amount, paid_on = self.case, self.data["amount"], self._act_date()
        decided = case.amount_settled if self.spec.settles else case.amount_current
        if amount > (decided or 0) - (case.ministry_paid_amount or 0):
            raise InvalidInput(details={"amount": [_("The ministry's payments cannot exceed the amount it decided.")]})
        decision = case.determinations.filter(notified_on__isnull=False).order_by("-notified_on").first()
        if decision is not None and paid_on < decision.notified_on:
            raise InvalidInput(details={"date": [_("A payment is not dated before the decision it pays.")]})
        case.ministry_paid_amount = (case.ministry_paid_amount or 0) + amount
        case.ministry_paid_on = paid_on

    def ministry_decided(self):
        return State.CONDITION(self.case.state == S.NOTIFIED)


class Acceptance:
    """A survey ends when the officer accepts the papers; nothing is decided."""

    @step(
        source=S.UNDER_REVIEW,
        target=S.ACCEPTED,
        label=gettext_lazy("Accept"),
        permission=this.officer_in_scope,
        letter=ActLetter.NONE,
    )
    def accept(self):
        pass


class Withdrawal:
    """取下げ: any open case can be withdrawn by its officer, with a reason (not one whose notified decision
    stands while its revocation is under way)."""

    @step(
        source=WITHDRAWABLE,
        target=S.WITHDRAWN,
        label=gettext_lazy("Withdraw"),
        permission=this.officer_in_scope,
        fields=[required(REASON)],
        letter=ActLetter.NONE,
        turns_back=True,
    )
    def withdraw(self):
        self._reason()
