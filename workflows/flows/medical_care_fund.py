"""地域医療介護総合確保基金 — medical and long-term-care fund, facilities and personnel parts.

The prefectures are the grantees. The current-year grant always starts with
the national-subsidy consultation (国庫補助協議) and an informal notice (内示);
the bureau decides once the budget-obligation notice has arrived.
"""

from grants.models import DeterminationKind

from .base import Acceptance, Application, BureauDetermination, CaseFlow, PreConsultation, Withdrawal


class InitialGrant(PreConsultation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """② 現年度交付決定: 国庫補助協議依頼 → 協議書提出 → 内示 → 交付申請依頼 → 申請 → 審査 →
    起案 → 決裁 → 交付決定通知."""

    determination_kind = DeterminationKind.DECISION
    always_pre_consultation = True


class PriorYearSettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """過年度交付確定: 実績報告依頼 → 報告提出 → 審査 → 確定額起案 → 決裁 → 確定通知."""

    determination_kind = DeterminationKind.SETTLEMENT


class FundBalanceSurvey(Application, Acceptance, Withdrawal, CaseFlow):
    """基金残高・執行状況調査: 調査依頼 → 調査票提出 (closing balance as the amount) → 確認 → 受理."""
