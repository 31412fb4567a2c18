"""地域支援事業交付金 — community support project grant (docs/domain.md#procedures).

The bureau decides and settles this grant for the prefectures' applicants; a
decision is approved (決裁) only once the ministry's budget-obligation notice
(支出負担行為示達) covers it.
"""

from grants.models import DeterminationKind

from .base import Application, BureauDetermination, CaseFlow, PreConsultation, Withdrawal


class InitialGrant(PreConsultation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """① 当初交付: [事前協議依頼 → 事前協議書類提出 → 交付決定額の調整・提示 (FY2025 only)] →
    当初交付申請依頼 → 申請書類提出 ⇄ 差戻し → 審査 → 起案 → 決裁 → 当初交付決定通知."""

    determination_kind = DeterminationKind.DECISION


class ChangeGrant(PreConsultation, Application, BureauDetermination, Withdrawal, CaseFlow):
    """② 変更交付: [変更協議依頼 → 変更協議書類 → 調整・提示] → 変更交付申請依頼 → 申請 → 審査 →
    起案 (must differ from the current amount, with a reason) → 決裁 → 変更交付決定通知."""

    determination_kind = DeterminationKind.CHANGE


class AdjustmentGrant(Application, BureauDetermination, Withdrawal, CaseFlow):
    """③ 調整交付金: 調査依頼 → 調査書類提出 → 審査・算定 → 起案 → 決裁 → 内示の連絡 (notice)."""

    determination_kind = DeterminationKind.DECISION


class PriorYearSettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """④ 前年度確定: 実績報告依頼 → 実績報告提出 → 審査 → 確定額起案 (≤ the year's grant) → 決裁 → 確定通知."""

    determination_kind = DeterminationKind.SETTLEMENT


class PastYearResettlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """⑤ 過年度再確定: 再確定に係る報告依頼 → 報告提出 → 審査 → 再確定額起案 → 決裁 → 確定通知."""

    determination_kind = DeterminationKind.RESETTLEMENT
