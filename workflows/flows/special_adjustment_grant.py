"""後期高齢者医療特別調整交付金 — special adjustment grant (一体的実施).

The ministry (保険局高齢者医療課) decides and pays. The bureau reviews the
wide-area unions' papers, forwards them (回送) and records the ministry's
decision; it never approves or pays this grant itself.
"""

from django.utils.translation import gettext_lazy as _

from grants.catalogue import StreamSpec, stream_register
from grants.models import DeterminationKind, RecipientKind

from .base import AmountPresentation, Application, CaseFlow, MinistryForwarding, Withdrawal, procedure

STREAM = stream_register(
    StreamSpec(
        code="special_adjustment_grant",
        label=_("Special adjustment grant"),
        label_ja="後期高齢者医療特別調整交付金",
        bureau_decides=False,
        recipient_kinds=(RecipientKind.WIDE_AREA_UNION,),
    )
)


@procedure(
    STREAM,
    "initial_grant",
    label=_("Initial grant"),
    label_ja="当初交付申請",
    determination=DeterminationKind.DECISION,
    schedule_procedure="initial_grant",
    request_topic="当初交付に係る事前申請",
    formal_request_topic="当初交付申請",
    presentation_topic="当初交付決定に係る交付額内示",
)
class InitialGrant(AmountPresentation, Application, MinistryForwarding, Withdrawal, CaseFlow):
    """① 当初交付申請: 事前申請依頼 → 事前申請提出 ⇄ 差戻し → 審査 → 交付額内示 → 交付申請依頼 → 交付申請 →
    審査 → 保険局への回送 → 交付決定 (recorded) → 支払い (recorded)."""


@procedure(
    STREAM,
    "change_grant",
    label=_("Change grant"),
    label_ja="変更交付申請",
    determination=DeterminationKind.CHANGE,
    schedule_procedure="change_grant",
    request_topic="変更交付に係る事前申請",
    formal_request_topic="変更交付申請",
    presentation_topic="変更交付決定に係る交付額内示",
)
class ChangeGrant(AmountPresentation, Application, MinistryForwarding, Withdrawal, CaseFlow):
    """② 変更交付申請: 変更事前申請依頼 → 提出 → 審査 → 交付額内示 → 変更交付申請 → 審査 → 回送 →
    変更交付決定 (recorded) → 支払い (recorded)."""


@procedure(
    STREAM,
    "results_report",
    label=_("Results report and settlement"),
    label_ja="実績報告",
    determination=DeterminationKind.SETTLEMENT,
    settles_years_back=(1, 1),
    schedule_procedure="results_report",
    request_topic="実績報告",
)
class ResultsReport(Application, MinistryForwarding, Withdrawal, CaseFlow):
    """③ 実績報告: 実績報告依頼 → 実績報告提出 → 審査 → 回送 → 額の確定 (recorded)."""
