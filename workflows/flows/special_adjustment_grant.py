"""後期高齢者医療特別調整交付金 — special adjustment grant (一体的実施).

The ministry (保険局高齢者医療課) decides and pays. The bureau reviews the
wide-area unions' papers, forwards them (回送) and records the ministry's
decision; it never approves or pays this grant itself.
"""

from grants.models import DeterminationKind

from .base import Application, CaseFlow, MinistryForwarding, Withdrawal


class InitialGrant(Application, MinistryForwarding, Withdrawal, CaseFlow):
    """① 当初交付申請: 事前申請依頼 → 事前申請提出 ⇄ 差戻し → 審査 → 保険局への回送 → 交付決定 (recorded)."""

    determination_kind = DeterminationKind.DECISION


class ChangeGrant(Application, MinistryForwarding, Withdrawal, CaseFlow):
    """② 変更交付申請: 変更事前申請依頼 → 提出 → 審査 → 回送 → 変更交付決定 (recorded)."""

    determination_kind = DeterminationKind.CHANGE


class ResultsReport(Application, MinistryForwarding, Withdrawal, CaseFlow):
    """③ 実績報告: 実績報告依頼 → 実績報告提出 → 審査 → 回送 → 額の確定 (recorded)."""

    determination_kind = DeterminationKind.SETTLEMENT
