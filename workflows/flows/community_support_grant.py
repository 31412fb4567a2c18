"""地域支援事業交付金 — community support project grant (docs/domain.md#procedures).

The bureau decides and settles this grant for the prefectures' applicants; a
decision is approved (決裁) only once the ministry's budget-obligation notice
(支出負担行為示達) covers it. The grantee is the municipality (or the
prefecture); papers travel through the prefecture both ways.
"""

from django.utils.translation import gettext_lazy as _

from grants.catalogue import StreamSpec, stream_register
from grants.models import DeterminationKind, RecipientKind
from payments.models import PaymentBasis

from .base import AmountPresentation, Application, BureauDetermination, CaseFlow, PreConsultation, Withdrawal, procedure

STREAM = stream_register(
    StreamSpec(
        code="community_support_grant",
        label=_("Community support project grant"),
        label_ja="地域支援事業交付金",
        bureau_decides=True,
        recipient_kinds=(RecipientKind.PREFECTURE, RecipientKind.MUNICIPALITY),
        # The grantee is the municipality; its papers travel through its prefecture both ways (交付要綱).
        routed_kinds=(RecipientKind.MUNICIPALITY,),
    )
)


@procedure(
    STREAM,
    "initial_grant",
    label=_("Initial grant"),
    label_ja="当初交付",
    determination=DeterminationKind.DECISION,
    schedule_procedure="initial_grant",
    consultation_topic="当初交付に係る事前協議",
    request_topic="当初交付申請",
    presentation_topic="当初交付決定額の調整・提示",
    notice_topic="交付決定",
    determined_amount="当初交付決定額",
    unplanned_basis=PaymentBasis.TRANCHE_1,
)
class InitialGrant(PreConsultation, AmountPresentation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """① 当初交付: FY2025: 事前協議依頼 → 事前協議書類提出 (⇄ 返戻) → 交付決定額の調整・提示 → 当初交付申請依頼 →
    申請 → 審査 → 起案 → 決裁 → 通知; FY2023: 当初交付申請依頼 → 申請 ⇄ 差戻し → 審査 → 調整・提示 → 起案 →
    決裁 → 当初交付決定通知 (the year's definition says which)."""


@procedure(
    STREAM,
    "change_grant",
    label=_("Change grant"),
    label_ja="変更交付",
    determination=DeterminationKind.CHANGE,
    schedule_procedure="change_grant",
    consultation_topic="変更交付に係る事前協議",
    request_topic="変更交付申請",
    presentation_topic="変更交付決定額の調整・提示",
    notice_topic="変更交付決定",
    determined_amount="変更交付決定額",
    unplanned_basis=PaymentBasis.TRANCHE_3_CHANGE,
)
class ChangeGrant(PreConsultation, AmountPresentation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """② 変更交付: FY2023: 変更協議依頼 → 変更協議書類の審査 → 変更交付申請依頼 → 申請 → 審査 → 調整・提示 →
    起案 (must differ from the current amount, with a reason) → 決裁 → 変更交付決定通知."""


@procedure(
    STREAM,
    "adjustment_grant",
    label=_("Adjustment grant"),
    label_ja="調整交付金の交付",
    determination=DeterminationKind.DECISION,
    own_grant=True,
    schedule_procedure="adjustment_grant",
    request_topic="調整交付金に係る調査",
    presentation_topic="調整交付金の算定・提示",
    papers_ja="調査書類",
    notice_informal=True,
    notice_topic="調整交付金の内示",
    determined_amount="交付決定額",
    unplanned_basis=PaymentBasis.ADJUSTMENT_GRANT,
)
class AdjustmentGrant(AmountPresentation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """③ 調整交付金: 調査依頼 → 調査書類提出 → 審査 → 算定・提示 → 起案 → 決裁 → 内示の連絡 (notice)."""


@procedure(
    STREAM,
    "prior_year_settlement",
    label=_("Prior-year settlement"),
    label_ja="前年度確定",
    determination=DeterminationKind.SETTLEMENT,
    settles_years_back=(1, 1),
    schedule_procedure="prior_year_settlement",
    request_topic="実績報告",
    notice_topic="交付額の確定",
    determined_amount="確定額",
    unplanned_basis=PaymentBasis.SETTLEMENT_REMAINDER,
)
class PriorYearSettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """④ 前年度確定: 実績報告依頼 → 実績報告提出 → 審査 → 確定額起案 (≤ the year's grant) → 決裁 → 確定通知."""


@procedure(
    STREAM,
    "past_year_resettlement",
    label=_("Re-settlement of earlier years"),
    label_ja="過年度再確定",
    determination=DeterminationKind.RESETTLEMENT,
    settles_years_back=(2, None),
    schedule_procedure="past_year_resettlement",
    request_topic="再確定に係る報告",
    notice_topic="交付額の再確定",
    determined_amount="再確定額",
    unplanned_basis=PaymentBasis.RESETTLEMENT,
)
class PastYearResettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """⑤ 過年度再確定: 再確定に係る報告依頼 → 報告提出 → 審査 → 再確定額起案 → 決裁 → 確定通知."""
