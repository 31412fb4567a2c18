"""How the schedule file's sub-procedures relate to the procedures cases follow.

The schedule sources name sub-procedures in their own words (the fund's
"current-year grant decision" is the procedure cases call ``initial_grant``).
Sub-procedures missing here — hearings, training, exchange meetings — are
calendar entries only: no case follows them and no letter comes from them.
"""

from grants.catalogue import Procedure, Stream

CASE_PROCEDURE_OF: dict[tuple[str, str], str] = {
    (Stream.COMMUNITY_SUPPORT_GRANT, "initial_grant"): Procedure.INITIAL_GRANT,
    (Stream.COMMUNITY_SUPPORT_GRANT, "change_grant"): Procedure.CHANGE_GRANT,
    (Stream.COMMUNITY_SUPPORT_GRANT, "adjustment_grant"): Procedure.ADJUSTMENT_GRANT,
    (Stream.COMMUNITY_SUPPORT_GRANT, "prior_year_settlement"): Procedure.PRIOR_YEAR_SETTLEMENT,
    (Stream.COMMUNITY_SUPPORT_GRANT, "past_year_resettlement"): Procedure.PAST_YEAR_RESETTLEMENT,
    (Stream.MEDICAL_CARE_FUND, "current_year_grant_decision"): Procedure.INITIAL_GRANT,
    (Stream.MEDICAL_CARE_FUND, "past_year_settlement"): Procedure.PRIOR_YEAR_SETTLEMENT,
    (Stream.MEDICAL_CARE_FUND, "fund_balance_survey"): Procedure.FUND_BALANCE_SURVEY,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, "initial_grant"): Procedure.INITIAL_GRANT,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, "change_grant"): Procedure.CHANGE_GRANT,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, "results_report"): Procedure.RESULTS_REPORT,
}

SUB_PROCEDURE_OF: dict[tuple[str, str], str] = {
    (stream, procedure): sub for (stream, sub), procedure in CASE_PROCEDURE_OF.items()
}


def case_procedure_of(stream: str, sub_procedure: str) -> str | None:
    """The case procedure a schedule sub-procedure drives, or None for a calendar-only activity."""
    return CASE_PROCEDURE_OF.get((stream, sub_procedure))


def sub_procedure_of(stream: str, procedure: str) -> str | None:
    """The schedule sub-procedure holding a case procedure's steps."""
    return SUB_PROCEDURE_OF.get((stream, procedure))


def step_part_matches(step_part: str, case_part: str) -> bool:
    """A step for no particular part, or for both parts, applies to every part."""
    return step_part in ("", "both") or step_part == case_part
