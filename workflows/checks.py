"""System checks: every registered procedure and every step declares all its parts.

They run with ``manage.py check`` and before ``runserver`` and ``migrate`` (which
the set-up and the deployment run before the app starts), so a procedure or step
missing a part fails there, naming it, instead of at the first case that needs
the part; the test suite runs them in ``tests/workflows/test_checks.py`` (neither
pytest nor ``call_command("migrate")`` runs system checks). The letters app
checks, the same way, that each procedure has the words of the letters its
steps send.
"""

from django.core import checks
from viewflow.this_object import ThisObject

from grants.catalogue import ActLetter, DeterminationKind, ProcedureSpec, StreamSpec, procedure_list, stream_get, stream_list
from grants.models import RecipientKind
from payments.models import PaymentBasis

from .fields import EXPECTED_AMOUNTS, KINDS
from .flows.base import CaseFlow
from .steps import DeclaredStep, DeterminationAct, flow_steps


def _error(message: str, number: int, obj=None) -> checks.Error:
    return checks.Error(message, id=f"workflows.E{number:03d}", obj=obj)


def _stream_errors() -> list[checks.Error]:
    errors = []
    for stream in stream_list():
        where = f"stream {stream.code}"
        if not stream.label or not stream.label_ja:
            errors.append(_error(f"{where} has no label or no label_ja", 10))
        if not stream.recipient_kinds or set(stream.recipient_kinds) - set(RecipientKind.values):
            errors.append(_error(f"{where} names no recipient kind, or one that is not a RecipientKind", 11))
        routed = set(stream.routed_kinds)
        if RecipientKind.PREFECTURE in routed or routed - set(stream.recipient_kinds):
            errors.append(_error(f"{where} routes a recipient kind it has no recipients of, or the prefecture itself", 14))
        if any(not part.code or not part.label or not part.label_ja for part in stream.parts):
            errors.append(_error(f"{where} has a part without a code, label or label_ja", 12))
        if not procedure_list(stream.code):
            errors.append(_error(f"{where} has no procedure", 13))
    return errors + _fund_errors(stream_list())


def _fund_errors(streams: list[StreamSpec]) -> list[checks.Error]:
    """Exactly one stream keeps the fund whose balances the prefectures report (``grants.catalogue.fund_stream``,
    which the fund balance pages, import and API call): none or two is named here, not met at a page."""
    keeping = [stream.code for stream in streams if stream.keeps_fund]
    if not keeping:
        return [_error("no stream keeps a fund (StreamSpec.keeps_fund); the fund balances need one", 15)]
    if len(keeping) > 1:
        return [_error(f"streams {', '.join(keeping)} each keep a fund; the fund balances belong to one", 15)]
    return []


def _procedure_errors(spec: ProcedureSpec) -> list[checks.Error]:
    where = f"procedure {spec.stream}/{spec.code}"
    if not isinstance(spec.flow, type) or not issubclass(spec.flow, CaseFlow):
        return [_error(f"{where} has no flow (a CaseFlow subclass)", 20)]
    errors = []
    if not spec.label or not spec.label_ja:
        errors.append(_error(f"{where} has no label or no label_ja", 21, spec.flow))
    if spec.determination is not None and spec.determination not in DeterminationKind.values:
        errors.append(_error(f"{where} names an unknown determination kind {spec.determination!r}", 22, spec.flow))
    if spec.settles and not spec.settles_years_back:
        errors.append(_error(f"{where} settles an earlier year but has no settles_years_back", 23, spec.flow))
    steps = flow_steps(spec.flow)
    creates = any(declared.step.determination == DeterminationAct.CREATES for declared in steps)
    if creates != (spec.determination is not None):
        errors.append(
            _error(f"{where}: a determination kind, and a step that creates a determination, go together", 24, spec.flow)
        )
    asks_expected = any(set(EXPECTED_AMOUNTS) <= set(declared.step.fields) for declared in steps)
    if spec.expected_years_ahead != (len(EXPECTED_AMOUNTS) if asks_expected else 0):
        errors.append(
            _error(
                f"{where}: expected_years_ahead is the number of expected amounts its submission takes "
                f"({len(EXPECTED_AMOUNTS)}), and 0 without one",
                28,
                spec.flow,
            )
        )
    if stream_get(spec.stream).bureau_decides and any(declared.step.payments for declared in steps):
        if spec.unplanned_basis not in PaymentBasis.values:
            errors.append(_error(f"{where} moves money but has no unplanned_basis (a PaymentBasis)", 26, spec.flow))
        if not spec.determined_amount:
            errors.append(_error(f"{where} moves money but has no determined_amount wording", 27, spec.flow))
    return errors


def _step_errors(flow: type, declared: DeclaredStep) -> list[checks.Error]:
    where = f"step {declared.name} of {flow.__module__}.{flow.__qualname__}"
    transition = next(iter(getattr(flow, declared.name).get_transitions()))
    errors = []
    if not isinstance(transition.permission, ThisObject) and not callable(transition.permission):
        errors.append(_error(f"{where} has no permission callable", 1, flow))
    if "step" in transition.custom and not declared.step.label:
        errors.append(_error(f"{where} has no label", 2, flow))
    if "step" not in transition.custom:
        errors.append(_error(f"{where} is not declared with flows.base.step (no fields, letter or effects)", 3, flow))
    elif declared.step.letter not in list(ActLetter):
        errors.append(_error(f"{where} declares no letter (ActLetter.NONE when it sends none)", 4, flow))
    if any(spec.kind not in KINDS for spec in declared.step.fields):
        errors.append(_error(f"{where} has a field of an unknown type (one of {', '.join(KINDS)})", 5, flow))
    return errors


def _vocabulary_errors(seen: dict[str, list[tuple[type, DeclaredStep]]]) -> list[checks.Error]:
    """One name, one act: a step name means the same label and fields in every procedure."""
    errors = []
    for name, declarations in seen.items():
        first_flow, first = declarations[0]
        for flow, declared in declarations[1:]:
            if (str(declared.label), declared.step.fields) != (str(first.label), first.step.fields):
                errors.append(
                    _error(
                        f"step {name} of {flow.__module__}.{flow.__qualname__} differs in label or fields from "
                        f"{first_flow.__module__}.{first_flow.__qualname__}: a step name is one act everywhere",
                        6,
                        flow,
                    )
                )
    return errors


def _unregistered_flows(specs: list[ProcedureSpec]) -> list[checks.Error]:
    """A flow in a module that declares procedures (or in ``workflows.flows``) that no procedure runs."""
    registered = {spec.flow for spec in specs}
    modules = {spec.flow.__module__ for spec in specs if spec.flow is not None}
    errors, pending = [], list(CaseFlow.__subclasses__())
    while pending:
        flow = pending.pop()
        pending.extend(flow.__subclasses__())
        if flow not in registered and (flow.__module__ in modules or flow.__module__.startswith("workflows.flows")):
            errors.append(_error(f"flow {flow.__module__}.{flow.__qualname__} has no registered procedure spec", 30, flow))
    return errors


@checks.register()
def check_procedures(app_configs, **kwargs):
    specs = procedure_list()
    errors = _stream_errors()
    seen: dict[str, list] = {}
    for spec in specs:
        procedure_errors = _procedure_errors(spec)
        errors += procedure_errors
        if any(error.id == "workflows.E020" for error in procedure_errors):
            continue
        for declared in flow_steps(spec.flow):
            errors += _step_errors(spec.flow, declared)
            seen.setdefault(declared.name, []).append((spec.flow, declared))
    errors += _vocabulary_errors(seen)
    errors += _unregistered_flows(specs)
    return errors
