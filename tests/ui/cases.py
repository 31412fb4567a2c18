"""Cases taken through the real transition service for the page tests."""

from tests.factories import Stream
from tests import factories as f
from workflows.services import case_transition

SAG = Stream.SPECIAL_ADJUSTMENT_GRANT


def notified_grant(*, officer, boss, year: int, stream: str, amount: int):
    """A grant of ``amount`` notified by the bureau, or (special adjustment grant) decided by the ministry."""
    recipient = f.union() if stream == SAG else f.municipality()
    case = f.case(actor=officer, year=year, stream=stream, recipient=recipient)
    steps = [("request", {"occurred_on": f"{year}-11-01"}), ("submit", {"amount": amount, "date": f"{year}-11-01"}), ("start_review", {})]
    if stream == SAG:
        decision = {"amount": amount, "document_number": "保高発1201第2号", "date": f"{year}-12-01"}
        steps += [("forward", {"date": f"{year}-11-15"}), ("record_ministry_decision", decision),
                  ("confirm_ministry_decision", {})]
    else:
        f.budget_notice(year, stream, by=boss)
        steps += [("draft", {"amount": amount}), ("approve", {}), ("notify", {})]
    for name, data in steps:
        actor = boss if name in ("approve", "confirm_ministry_decision") else officer
        case = case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)
    return case
