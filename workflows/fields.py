"""The fields a step takes, and their validation (docs/domain.md#transitions).

A step declares its fields beside its transition (``flows/base.py``); that one
declaration serves the API (``available_transitions[].fields`` and the
OpenAPI document), the web forms and the transition service.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from calendars.eras import day_text
from grants.catalogue import routes_via_prefecture
from grants.limits import EARLIEST_DATE, LATEST_DATE, MAX_YEN
from grants.models import Determination, DeterminationKind, RevocationBasis
from web.dates import calendar_date
from web.errors import InvalidInput

MAX_TEXT = 2000
# Stored on the determination and on its letter: a longer one would be a database error, not a refusal.
MAX_DOCUMENT_NUMBER = Determination._meta.get_field("document_number").max_length
KINDS = ("amount", "date", "text")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # one of KINDS
    label: str | Promise
    required: bool = False
    max_length: int = MAX_TEXT  # text fields only
    #: A text field that takes one of these values (value, label): the form offers them, anything else is refused.
    choices: tuple[tuple[str, str | Promise], ...] = ()
    #: Taken only on cases whose papers travel through their prefecture (``grants.catalogue.routes_via_prefecture``).
    routed_only: bool = False

    def as_dict(self) -> dict:
        described = {"name": self.name, "type": self.kind, "required": self.required, "label": str(self.label)}
        if self.choices:
            described["choices"] = [{"value": value, "label": str(label)} for value, label in self.choices]
        return described


def prefecture_receipt_problem(on: date, *, received: date, today: date) -> str:
    """What is wrong with the day the prefecture received routed papers (経由), or "": it lies neither in the
    future nor after the day the papers reached the bureau (``received``)."""
    if on > today:
        return str(_("An act cannot be dated in the future."))
    if on > received:
        return str(
            _("The prefecture cannot have received the papers after the bureau did (%(day)s).") % {"day": day_text(received)}
        )
    return ""


def amount_asked_problem(amount: int, *, determination_kind: str | None) -> str:
    """What is wrong with the amount papers ask for (the application's or the consultation's), or "": papers
    that apply for a grant decision (交付申請, 協議) ask for at least 1 yen, since a grant of nothing is no grant
    (a recipient that needs none withdraws). A change may ask for 0, and a settlement's report (what was spent)
    or a survey (a balance) may give 0 (docs/domain.md, "Amounts")."""
    if determination_kind == DeterminationKind.DECISION and amount < 1:
        return str(_("An application for a grant must ask for at least 1 yen."))
    return ""


def fields_for_case(fields: Sequence[FieldSpec], case) -> tuple[FieldSpec, ...]:
    """The fields a step takes on this case: those for routed papers only where the case's papers are routed."""
    routed = routes_via_prefecture(case.stream, case.recipient.kind)
    return tuple(spec for spec in fields if routed or not spec.routed_only)


def required(spec: FieldSpec) -> FieldSpec:
    """The same field, required."""
    return replace(spec, required=True)


# The fields of the transition vocabulary; a step takes them optional unless it says ``required(...)``.
AMOUNT = FieldSpec("amount", "amount", _("Amount (yen)"))
DATE = FieldSpec("date", "date", _("Date"))
DEADLINE = FieldSpec("deadline", "date", _("Deadline"))
REASON = FieldSpec("reason", "text", _("Reason"))
DOCUMENT_NUMBER = FieldSpec("document_number", "text", _("Document number"), max_length=MAX_DOCUMENT_NUMBER)
#: Every step takes it: the day a past act took place, when it is entered later (paper history, a switch-over).
OCCURRED_ON = FieldSpec("occurred_on", "date", _("Date the act took place"))
#: Papers routed through the prefecture (経由): the day the prefecture received them, on or before ``date``.
PREFECTURE_RECEIVED_ON = FieldSpec(
    "prefecture_received_on", "date", _("Date the prefecture received the papers"), routed_only=True
)
#: A demand survey's figures (事業見込み量（所要額）調査): the amount the recipient expects to need in each of the
#: fiscal years its form asks about, the first the year after the survey's (``expected_amounts_by_year``).
EXPECTED_AMOUNTS = (
    FieldSpec("expected_next_year", "amount", _("Expected amount required, next fiscal year (yen)"), required=True),
    FieldSpec("expected_second_year", "amount", _("Expected amount required, second fiscal year (yen)"), required=True),
    FieldSpec("expected_third_year", "amount", _("Expected amount required, third fiscal year (yen)"), required=True),
)
LEGAL_BASIS = FieldSpec(
    # The label names the field only: the form offers each basis by its label, the API lists value and label.
    "legal_basis", "text", _("Legal basis"),
    choices=tuple(RevocationBasis.choices),
)


def _clean_amount(value) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number of yen."))
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
        if not text.removeprefix("-").isdecimal():
            raise ValueError(_("Enter a whole number of yen."))
        value = int(text)
    if not isinstance(value, int):
        raise ValueError(_("Enter a whole number of yen."))
    if value < 0:
        raise ValueError(_("An amount cannot be negative."))
    if value > MAX_YEN:
        raise ValueError(_("This amount is too large."))
    return value


def _clean_date(value) -> date:
    day = value if isinstance(value, date) else None
    if isinstance(value, str):
        day = calendar_date(value)  # a day the calendar does not have (2026-02-30) is named as such
        if day is None:
            try:  # the other ways ISO 8601 writes a day (20261128)
                day = date.fromisoformat(value.strip())
            except ValueError:
                pass
    if day is None:
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(_("Enter a date between 2000 and 2100."))
    return day


def _clean_text(value, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    value = value.strip()
    if len(value) > max_length:
        raise ValueError(_("This text is too long."))
    if "\x00" in value:  # PostgreSQL keeps no NUL in text or JSON
        raise ValueError(_("Text may not contain the NUL character."))
    return value


def _clean_choice(spec: FieldSpec, value: str) -> str:
    allowed = [choice for choice, _label in spec.choices]
    if allowed and value not in allowed:
        raise ValueError(_("Must be one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    return value


_CLEANERS = {"amount": _clean_amount, "date": _clean_date}


def clean_step_data(fields: Sequence[FieldSpec], data: dict) -> dict:
    """Validate the fields a step takes; unknown fields are refused, blanks are absent."""
    specs = {spec.name: spec for spec in fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key in data:
        if key not in specs:
            errors[key] = [str(_("This step does not take this field."))]
    for spec in specs.values():
        raw = data.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                errors[spec.name] = [str(_("This field is required."))]
            continue
        try:
            if spec.kind == "text":
                cleaned[spec.name] = _clean_choice(spec, _clean_text(raw, spec.max_length))
            else:
                cleaned[spec.name] = _CLEANERS[spec.kind](raw)
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
    if errors:
        raise InvalidInput(details=errors)
    return cleaned


def expected_amounts_by_year(fiscal_year: int, data: dict) -> dict[str, int]:
    """A demand survey's figures keyed by the fiscal year each is for ("2026": yen), from a step's cleaned data."""
    return {str(fiscal_year + ahead): data[spec.name] for ahead, spec in enumerate(EXPECTED_AMOUNTS, start=1)}
