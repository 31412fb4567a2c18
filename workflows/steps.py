"""What a step declares beside its transition, and the vocabulary of steps across every procedure.

A step is one ``viewflow.fsm`` transition of a case's procedure. Its source,
target, label, permission and conditions are viewflow's own arguments; the
rest — the fields it takes, the letter it sends, what it does to the case's
determination and to the money — is a ``Step`` kept in the transition's
``custom``. ``flows.base.step`` declares both at once. The transition service,
the API, the pages and the system check read these declarations; nothing
else names a step.

Step names are one vocabulary across all procedures: the same name means the
same act, with the same label and fields, wherever it appears (the system
check holds every flow to that).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.utils.functional import Promise
from viewflow.fsm.base import TransitionMethod

from grants.catalogue import procedure_list, registry_generation

from .fields import FieldSpec


class DeterminationAct(StrEnum):
    """What a step does to the case's determination."""

    CREATES = "creates"  # the step's body builds a new one (a draft, a recorded ministry decision); it is inserted
    SENDS_BACK = "sends_back"  # the pending one goes back to its drafter with a reason
    APPROVES = "approves"  # a supervisor other than its drafter approves the pending one (four eyes)
    NOTIFIES = "notifies"  # the pending one is notified with a document number and a date
    WITHDRAWS = "withdraws"  # an officer in scope withdraws the one a supervisor sent back (取下げ): kept, marked withdrawn


@dataclass(frozen=True)
class Step:
    """A step's declaration beyond viewflow's own arguments.

    ``letter`` is an ``ActLetter`` (``ActLetter.NONE`` for none; None means the
    step forgot to say, which the system check reports). ``payments`` is called
    as ``payments(flow, determination)`` inside the act when it has money
    consequences. ``turns_back``: the step sends the case back or ends it
    short (差戻し, 取下げ, 取消); pages show it as a secondary action.
    ``imported``: the step a row of an imported file of received submissions
    takes (the submissions import page, ``workflows.imports``). ``bulk``: it may
    be taken on many cases at once (an approval ticked in the approval queue, a
    notice on the bulk page); a revocation's steps are taken one by one.
    """

    label: str | Promise | None = None  # the transition's own ``label``, kept to tell a missing one
    fields: tuple[FieldSpec, ...] = ()
    letter: str | None = None
    determination: DeterminationAct | None = None
    payments: Callable | None = None
    turns_back: bool = False
    imported: bool = False
    bulk: bool = False

    @property
    def one_statement(self) -> bool:
        """Whether the step's act may be written as one statement on PostgreSQL, outside a transaction of its own
        (docs/architecture.md, "Acts of one statement"): it moves no money (no recipient's lock, no payable
        items) and neither approves nor notifies a determination (the budget's lock, the document number), so
        all it writes can go in the act's one statement. The act still falls back to a transaction when what it
        does turns out to need more (the budget ledger, a drain to queue)."""
        return self.payments is None and self.determination not in (DeterminationAct.APPROVES,
                                                                    DeterminationAct.NOTIFIES)


_STEPS = "_declared_steps"


@dataclass(frozen=True)
class DeclaredStep:
    """A step of the vocabulary: its name, its label and its declaration."""

    name: str
    label: str | Promise
    step: Step


def flow_steps(flow_class: type) -> tuple[DeclaredStep, ...]:
    """A flow's steps in the order its classes declare them (the order pages and the API list them).

    Kept on the class itself, as viewflow keeps a class's transitions, so a flow that goes away takes them along.
    """
    if _STEPS in flow_class.__dict__:
        return flow_class.__dict__[_STEPS]
    found: dict[str, DeclaredStep] = {}
    for klass in flow_class.__mro__[:-1]:  # not ``object``
        for name in vars(klass):
            if name in found:
                continue
            method = getattr(flow_class, name, None)
            if isinstance(method, TransitionMethod):
                transition = next(iter(method.get_transitions()))
                found[name] = DeclaredStep(name, transition.label, transition.custom.get("step") or Step())
    steps = tuple(found.values())
    setattr(flow_class, _STEPS, steps)
    return steps


def step_of(flow_class: type, name: str) -> Step:
    """The declaration of one step of a flow."""
    transition = next(iter(getattr(flow_class, name).get_transitions()))
    return transition.custom.get("step") or Step()


_vocabulary: tuple[int, dict[str, DeclaredStep]] = (-1, {})


def vocabulary() -> dict[str, DeclaredStep]:
    """Every step name of every registered procedure, with its label and declaration (the first flow's)."""
    global _vocabulary
    generation, steps = _vocabulary
    if generation != registry_generation():
        steps = {}
        for spec in procedure_list():
            for declared in flow_steps(spec.flow):
                steps.setdefault(declared.name, declared)
        _vocabulary = (registry_generation(), steps)
    return steps


@cache
def _state_pairs(name: str, generation: int) -> frozenset[tuple[str, str]]:
    return frozenset(
        (str(transition.source), str(transition.target))
        for spec in procedure_list() if hasattr(getattr(spec.flow, name, None), "get_transitions")
        for transition in getattr(spec.flow, name).get_transitions()
    )


def step_state_pairs(name: str) -> frozenset[tuple[str, str]]:
    """Every (source, target) pair of states the step of that name goes between, in any registered procedure."""
    return _state_pairs(name, registry_generation())


def step_declared(name: str) -> DeclaredStep | None:
    """The step of that name, wherever it is declared; None for a name no procedure has."""
    return vocabulary().get(name)


def step_sources(flow_class: type, name: str) -> frozenset[str]:
    """The states a flow's step may be taken from."""
    return frozenset(str(transition.source) for transition in getattr(flow_class, name).get_transitions())


def step_for_act(flow_class: type, state: str, act: DeterminationAct) -> DeclaredStep | None:
    """The step of a flow that takes ``act`` on the pending determination from ``state`` (None when none does)."""
    return next(
        (
            declared
            for declared in flow_steps(flow_class)
            if declared.step.determination == act and state in step_sources(flow_class, declared.name)
        ),
        None,
    )


def step_targets(flow_class: type, name: str) -> frozenset[str]:
    """The states a flow's step leads to."""
    return frozenset(str(transition.target) for transition in getattr(flow_class, name).get_transitions())


_states: tuple[int, dict[tuple, frozenset[str]]] = (-1, {})


def _states_around(act: DeterminationAct, ends: Callable[[type, str], frozenset[str]]) -> frozenset[str]:
    """The states at one end (``step_sources`` or ``step_targets``) of every registered step that takes ``act``."""
    global _states
    generation, found = _states
    if generation != registry_generation():
        found = {}
        _states = (registry_generation(), found)
    if (act, ends) not in found:
        found[act, ends] = frozenset(
            state
            for spec in procedure_list()
            for declared in flow_steps(spec.flow)
            if declared.step.determination == act
            for state in ends(spec.flow, declared.name)
        )
    return found[act, ends]


def states_awaiting(act: DeterminationAct) -> frozenset[str]:
    """Every state from which some registered procedure's step takes ``act`` (the approval queue's states:
    those a step that ``APPROVES`` leaves from)."""
    return _states_around(act, step_sources)


def states_after(act: DeterminationAct) -> frozenset[str]:
    """Every state some registered procedure's step that takes ``act`` leads to (where a draft ``SENDS_BACK``
    leaves its case: in review again, forwarded again, or notified with its revocation sent back)."""
    return _states_around(act, step_targets)


def bulk_approval_step() -> DeclaredStep:
    """The approval queue's decision taken on the cases ticked: the step declared to approve a pending
    determination in bulk (revocations and the ministry's decisions are decided one by one)."""
    found = next(
        (d for d in vocabulary().values() if d.step.determination == DeterminationAct.APPROVES and d.step.bulk), None
    )
    if found is None:
        raise LookupError("No registered step approves in bulk (docs/recipes.md, \"Add a transition\").")
    return found


def step_labels() -> dict[str, str | Promise]:
    return {name: declared.label for name, declared in vocabulary().items()}
