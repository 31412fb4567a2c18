"""The state machine of every procedure, by (stream, procedure)."""

from grants.catalogue import Procedure as P
from grants.catalogue import Stream

from . import community_support_grant as csg
from . import medical_care_fund as mcf
from . import special_adjustment_grant as sag
from .base import CaseFlow

FLOWS: dict[tuple[str, str], type[CaseFlow]] = {
    (Stream.COMMUNITY_SUPPORT_GRANT, P.INITIAL_GRANT): csg.InitialGrant,
    (Stream.COMMUNITY_SUPPORT_GRANT, P.CHANGE_GRANT): csg.ChangeGrant,
    (Stream.COMMUNITY_SUPPORT_GRANT, P.ADJUSTMENT_GRANT): csg.AdjustmentGrant,
    (Stream.COMMUNITY_SUPPORT_GRANT, P.PRIOR_YEAR_SETTLEMENT): csg.PriorYearSettlement,
    (Stream.COMMUNITY_SUPPORT_GRANT, P.PAST_YEAR_RESETTLEMENT): csg.PastYearResettlement,
    (Stream.MEDICAL_CARE_FUND, P.INITIAL_GRANT): mcf.InitialGrant,
    (Stream.MEDICAL_CARE_FUND, P.PRIOR_YEAR_SETTLEMENT): mcf.PriorYearSettlement,
    (Stream.MEDICAL_CARE_FUND, P.FUND_BALANCE_SURVEY): mcf.FundBalanceSurvey,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, P.INITIAL_GRANT): sag.InitialGrant,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, P.CHANGE_GRANT): sag.ChangeGrant,
    (Stream.SPECIAL_ADJUSTMENT_GRANT, P.RESULTS_REPORT): sag.ResultsReport,
}


def flow_class_for(stream: str, procedure: str) -> type[CaseFlow]:
    return FLOWS[(stream, procedure)]


def flow_for(case, **kwargs) -> CaseFlow:
    """The flow of a case's procedure wrapped around it."""
    return FLOWS[(case.stream, case.procedure)](case, **kwargs)
