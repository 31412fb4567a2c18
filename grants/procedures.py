"""A procedure's shape in one fiscal year: its definition, kept as data (docs/domain.md).

The schedule of a fiscal year carries, for each sub-procedure a case follows,
a ``definition`` map: whether the procedure starts with a pre-consultation,
whether a second consultation round may follow the first informal notice,
where the informal notice (内示 / 調整・提示) falls, whether a formal
application follows it, and which letters go out. The schedules app writes the
definition in force into ``ProcedureYear`` (``procedure_year_define``); a case
copies it when it is created and keeps that copy (``Case.definition``).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .catalogue import ActLetter, procedure_get


class InformalNotice:
    """Where the informal notice of the amount (内示, 調整・提示, 算定・提示) falls, if anywhere."""

    NONE = "none"
    AFTER_CONSULTATION = "after_consultation"  # 事前協議 → 内示 → 申請
    AFTER_REVIEW = "after_review"  # 申請 → 審査 → 調整・提示 → 決定 (or → 交付申請 with a formal application)
    VALUES = (NONE, AFTER_CONSULTATION, AFTER_REVIEW)
    CHOICES = (
        (NONE, _("None")),
        (AFTER_CONSULTATION, _("After the pre-consultation (then the application)")),
        (AFTER_REVIEW, _("After the application's review")),
    )


#: Every key a definition may hold, with its value when the schedule says nothing.
DEFAULTS = {
    "pre_consultation": False,
    "second_consultation": False,
    "informal_notice": InformalNotice.NONE,
    "formal_application": False,
    "letters": None,  # None: every letter the procedure's steps declare
}
LETTER_VALUES = tuple(letter.value for letter in ActLetter if letter != ActLetter.NONE)
#: How pages name the letters a definition switches on and off.
LETTER_CHOICES = (
    (ActLetter.REQUEST.value, _("Request for the papers (依頼)")),
    (ActLetter.CONSULTATION_REQUEST.value, _("Pre-consultation request (事前協議依頼)")),
    (ActLetter.PRESENTATION.value, _("Informal notice of the amount (内示・提示)")),
    (ActLetter.NOTICE.value, _("Notice of the determination (通知)")),
    (ActLetter.REVOCATION.value, _("Revocation notice (取消通知)")),
)


def definition_problems(raw) -> dict[str, list[str]]:
    """What is wrong with a definition map, keyed by its attribute ("" for the map itself)."""
    if not isinstance(raw, dict):
        return {"": ["A definition is a map."]}
    problems: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name not in DEFAULTS:
            problems[name] = [f"Unknown attribute; expected one of {', '.join(DEFAULTS)}."]
        elif name == "informal_notice":
            if value not in InformalNotice.VALUES:
                problems[name] = [f"One of {', '.join(InformalNotice.VALUES)}."]
        elif name == "letters":
            if value is not None and (
                not isinstance(value, list) or any(item not in LETTER_VALUES for item in value)
            ):
                problems[name] = [f"A list of letters from {', '.join(LETTER_VALUES)}."]
        elif not isinstance(value, bool):
            problems[name] = ["true or false."]
    if not problems:
        full = {**DEFAULTS, **raw}
        if full["second_consultation"] and not full["pre_consultation"]:
            problems.setdefault("second_consultation", []).append(gettext("A second consultation round needs a pre-consultation."))
        if full["second_consultation"] and full["informal_notice"] != InformalNotice.AFTER_CONSULTATION:
            problems.setdefault("second_consultation", []).append(gettext("A second round follows an informal notice after the consultation."))
        if full["formal_application"] and full["informal_notice"] != InformalNotice.AFTER_REVIEW:
            problems.setdefault("formal_application", []).append(gettext("A formal application follows an informal notice after the review."))
    return problems


def definition_full(stream: str, procedure: str, raw: dict | None) -> dict:
    """The whole definition: the procedure's own defaults, then what the year's data says."""
    spec = procedure_get(stream, procedure)
    base = {**DEFAULTS, **(spec.definition_default if spec is not None else {})}
    return {**base, **(raw or {})}


def definition_sends(definition: dict, letter: str | None) -> bool:
    """Whether a step's letter goes out under a definition."""
    if not letter or letter == ActLetter.NONE:
        return False
    letters = definition.get("letters")
    return letters is None or letter in letters
