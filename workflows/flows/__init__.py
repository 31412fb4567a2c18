"""The state machine of every procedure: each stream's module registers its stream and procedures on import."""

from grants.catalogue import procedure_get

from . import community_support_grant, medical_care_fund, special_adjustment_grant  # noqa: F401  (they register)
from .base import CaseFlow


def flow_for(case, **kwargs) -> CaseFlow:
    """The flow of a case's procedure wrapped around it."""
    return procedure_get(case.stream, case.procedure).flow(case, **kwargs)
