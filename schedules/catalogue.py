"""How the schedule file's sub-procedures relate to the procedures cases follow.

The schedule sources name sub-procedures in their own words (the fund's
"current-year grant decision" is the procedure cases call ``initial_grant``);
each procedure's spec says which sub-procedure holds its steps. Sub-procedures
no spec names — hearings, training, exchange meetings — are calendar entries
only: no case follows them and no letter comes from them.
"""

from grants.catalogue import procedure_get, procedure_list


def case_procedure_of(stream: str, sub_procedure: str) -> str | None:
    """The case procedure a schedule sub-procedure drives, or None for a calendar-only activity."""
    return next(
        (spec.code for spec in procedure_list(stream) if spec.schedule_procedure == sub_procedure), None
    )


def sub_procedure_of(stream: str, procedure: str) -> str | None:
    """The schedule sub-procedure holding a case procedure's steps."""
    spec = procedure_get(stream, procedure)
    return spec.schedule_procedure if spec is not None else None


def step_part_matches(step_part: str, case_part: str) -> bool:
    """A step for no particular part, or for both parts, applies to every part."""
    return step_part in ("", "both") or step_part == case_part
