"""The funding streams, their parts and their procedures (docs/domain.md#funding-streams).

The codes here are the public vocabulary of the API, the data files and the
URLs; labels are English source strings translated to Japanese in
``locale/ja``. Letters use the ``label_ja`` values directly because a letter is
always Japanese whatever the reader's UI language.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stream(models.TextChoices):
    COMMUNITY_SUPPORT_GRANT = "community_support_grant", _("Community support project grant")
    MEDICAL_CARE_FUND = "medical_care_fund", _("Medical and long-term care fund")
    SPECIAL_ADJUSTMENT_GRANT = "special_adjustment_grant", _("Special adjustment grant")


class Part(models.TextChoices):
    NONE = "", _("(whole stream)")
    FACILITIES = "facilities", _("Facilities part")
    PERSONNEL = "personnel", _("Personnel part")


class Procedure(models.TextChoices):
    INITIAL_GRANT = "initial_grant", _("Initial grant")
    CHANGE_GRANT = "change_grant", _("Change grant")
    ADJUSTMENT_GRANT = "adjustment_grant", _("Adjustment grant")
    PRIOR_YEAR_SETTLEMENT = "prior_year_settlement", _("Prior-year settlement")
    PAST_YEAR_RESETTLEMENT = "past_year_resettlement", _("Re-settlement of earlier years")
    FUND_BALANCE_SURVEY = "fund_balance_survey", _("Fund balance survey")
    RESULTS_REPORT = "results_report", _("Results report and settlement")


@dataclass(frozen=True)
class StreamInfo:
    code: str
    label_ja: str
    parts: tuple[str, ...]
    procedures: dict[str, str]  # code -> Japanese label used on letters
    bureau_decides: bool  # False: the ministry decides and pays; the bureau records
    recipient_kinds: tuple[str, ...]


STREAMS: dict[str, StreamInfo] = {
    Stream.COMMUNITY_SUPPORT_GRANT: StreamInfo(
        code=Stream.COMMUNITY_SUPPORT_GRANT,
        label_ja="地域支援事業交付金",
        parts=("",),
        procedures={
            Procedure.INITIAL_GRANT: "当初交付",
            Procedure.CHANGE_GRANT: "変更交付",
            Procedure.ADJUSTMENT_GRANT: "調整交付金の交付",
            Procedure.PRIOR_YEAR_SETTLEMENT: "前年度確定",
            Procedure.PAST_YEAR_RESETTLEMENT: "過年度再確定",
        },
        bureau_decides=True,
        recipient_kinds=("prefecture", "municipality"),
    ),
    Stream.MEDICAL_CARE_FUND: StreamInfo(
        code=Stream.MEDICAL_CARE_FUND,
        label_ja="地域医療介護総合確保基金",
        parts=(Part.FACILITIES, Part.PERSONNEL),
        procedures={
            Procedure.INITIAL_GRANT: "現年度交付決定",
            Procedure.PRIOR_YEAR_SETTLEMENT: "過年度交付確定",
            Procedure.FUND_BALANCE_SURVEY: "基金残高・執行状況調査",
        },
        bureau_decides=True,
        recipient_kinds=("prefecture",),
    ),
    Stream.SPECIAL_ADJUSTMENT_GRANT: StreamInfo(
        code=Stream.SPECIAL_ADJUSTMENT_GRANT,
        label_ja="後期高齢者医療特別調整交付金",
        parts=("",),
        procedures={
            Procedure.INITIAL_GRANT: "当初交付申請",
            Procedure.CHANGE_GRANT: "変更交付申請",
            Procedure.RESULTS_REPORT: "実績報告",
        },
        bureau_decides=False,
        recipient_kinds=("wide_area_union",),
    ),
}

PART_LABELS_JA = {"": "", Part.FACILITIES: "施設分", Part.PERSONNEL: "人材分"}

# Procedures whose determination settles an earlier fiscal year's grant.
SETTLEMENT_PROCEDURES = frozenset(
    {Procedure.PRIOR_YEAR_SETTLEMENT, Procedure.PAST_YEAR_RESETTLEMENT, Procedure.RESULTS_REPORT}
)
# Procedures whose determination sets (or changes) a fiscal year's grant amount.
GRANT_PROCEDURES = frozenset({Procedure.INITIAL_GRANT, Procedure.CHANGE_GRANT})


def is_valid_combination(stream: str, part: str, procedure: str) -> bool:
    """True when the stream has that part and that procedure."""
    info = STREAMS.get(stream)
    return info is not None and part in info.parts and procedure in info.procedures


def procedure_label_ja(stream: str, part: str, procedure: str) -> str:
    """Japanese name of a procedure as letters print it, e.g. 地域医療介護総合確保基金（施設分）現年度交付決定."""
    info = STREAMS[stream]
    part_label = f"（{PART_LABELS_JA[part]}）" if part else ""
    return f"{info.label_ja}{part_label}{info.procedures[procedure]}"
