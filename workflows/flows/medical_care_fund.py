"""地域医療介護総合確保基金 — medical and long-term-care fund, facilities and personnel parts.

The prefectures are the grantees. The current-year grant always starts with
the national-subsidy consultation (国庫補助協議) and an informal notice (内示);
the bureau decides once the budget-obligation notice has arrived.
"""

from django.utils.translation import gettext_lazy as _

from grants.catalogue import PartSpec, StreamSpec, stream_register
from grants.models import DeterminationKind, RecipientKind
from payments.models import PaymentBasis

from .base import (
    Acceptance,
    AmountPresentation,
    Application,
    BureauDetermination,
    CaseFlow,
    ExpectedAmountsSubmission,
    PapersReview,
    PreConsultation,
    Request,
    Withdrawal,
    procedure,
)

STREAM = stream_register(
    StreamSpec(
        code="medical_care_fund",
        label=_("Medical and long-term care fund"),
        label_ja="地域医療介護総合確保基金",
        bureau_decides=True,
        recipient_kinds=(RecipientKind.PREFECTURE,),
        parts=(
            PartSpec("facilities", _("Facilities part"), "施設分"),
            PartSpec("personnel", _("Personnel part"), "人材分"),
        ),
        keeps_fund=True,
    )
)


@procedure(
    STREAM,
    "initial_grant",
    label=_("Initial grant"),
    label_ja="現年度交付決定",
    determination=DeterminationKind.DECISION,
    definition_default={"pre_consultation": True, "informal_notice": "after_consultation"},
    schedule_procedure="current_year_grant_decision",
    consultation_topic="国庫補助協議",
    request_topic="交付申請",
    presentation_topic="国庫補助協議に係る内示",
    notice_topic="交付決定",
    determined_amount="当初交付決定額",
    unplanned_basis=PaymentBasis.TRANCHE_1,
)
class InitialGrant(PreConsultation, AmountPresentation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """② 現年度交付決定: 第1次国庫補助協議依頼 → 協議書類の審査 (⇄ 返戻) → 内示 → [第2次国庫補助協議 → 内示
    (FY2023)] → 交付申請依頼 → 申請 → 審査 → 起案 → 決裁 → 交付決定通知."""


@procedure(
    STREAM,
    "prior_year_settlement",
    label=_("Prior-year settlement"),
    label_ja="過年度交付確定",
    determination=DeterminationKind.SETTLEMENT,
    settles_years_back=(1, None),  # 過年度: any earlier year's grant
    schedule_procedure="past_year_settlement",
    request_topic="実績報告",
    notice_topic="交付額の確定",
    determined_amount="確定額",
    unplanned_basis=PaymentBasis.SETTLEMENT_REMAINDER,
)
class PriorYearSettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """過年度交付確定: 実績報告依頼 → 報告提出 → 審査 → 確定額起案 → 決裁 → 確定通知."""


@procedure(
    STREAM,
    "fund_balance_survey",
    label=_("Fund balance survey"),
    label_ja="基金残高・執行状況調査",
    schedule_procedure="fund_balance_survey",
    request_topic="基金の残高及び執行状況に係る調査",
)
class FundBalanceSurvey(Application, Acceptance, Withdrawal, CaseFlow):
    """基金残高・執行状況調査: 調査依頼 → 調査票提出 (closing balance as the amount) → 確認 → 受理."""


@procedure(
    STREAM,
    "demand_survey",
    label=_("Demand survey (expected amounts required)"),
    label_ja="事業見込み量（所要額）調査",
    schedule_procedure="demand_survey",
    request_topic="事業見込み量（所要額）調査",
    papers_ja="調査票",
    expected_years_ahead=3,
)
class DemandSurvey(Request, ExpectedAmountsSubmission, PapersReview, Acceptance, Withdrawal, CaseFlow):
    """事業見込み量（所要額）調査: 調査依頼 → 調査票提出 (the amount each part expects to need in each of the next
    three fiscal years) ⇄ 差戻し・再提出 → 確認 → 受理. The accepted figures stand beside the fund balances."""
