"""The data each transition takes, and its validation (docs/domain.md#transitions).

One declaration serves the API (``available_transitions[].fields``), the web
forms and the transition service.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from grants.limits import EARLIEST_DATE, LATEST_DATE, MAX_YEN
from grants.models import Determination
from web.errors import InvalidInput

MAX_TEXT = 2000
# Stored on the determination and on its letter: a longer one would be a database error, not a refusal.
MAX_DOCUMENT_NUMBER = Determination._meta.get_field("document_number").max_length


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # amount, date, text
    required: bool
    label: str
    max_length: int = MAX_TEXT  # text fields only

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.kind, "required": self.required, "label": str(self.label)}


def _f(name: str, kind: str, required: bool) -> FieldSpec:
    labels = {
        "amount": _("Amount (yen)"),
        "date": _("Date"),
        "deadline": _("Deadline"),
        "reason": _("Reason"),
        "document_number": _("Document number"),
        "legal_basis": _("Legal basis (art_17_1: subsidy act art. 17(1); other)"),
    }
    max_length = MAX_DOCUMENT_NUMBER if name == "document_number" else MAX_TEXT
    return FieldSpec(name, kind, required, labels[name], max_length)


TRANSITION_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "request_consultation": (_f("deadline", "date", False),),
    "submit_consultation": (_f("amount", "amount", True), _f("date", "date", False)),
    "present_amount": (_f("amount", "amount", True),),
    "request": (_f("deadline", "date", False),),
    "submit": (_f("amount", "amount", True), _f("date", "date", False)),
    "return_for_correction": (_f("reason", "text", True),),
    "start_review": (),
    "forward": (_f("date", "date", False),),
    "record_ministry_decision": (
        _f("amount", "amount", True),
        _f("document_number", "text", True),
        _f("date", "date", True),
    ),
    "draft": (_f("amount", "amount", True), _f("reason", "text", False)),
    "send_back": (_f("reason", "text", True),),
    "approve": (),
    "notify": (_f("document_number", "text", False), _f("date", "date", False)),
    "accept": (),
    "withdraw": (_f("reason", "text", True),),
    "revoke": (_f("reason", "text", True), _f("legal_basis", "text", True), _f("date", "date", False)),
}

TRANSITION_LABELS = {
    "request_consultation": _("Request pre-consultation"),
    "submit_consultation": _("Record pre-consultation papers"),
    "present_amount": _("Present amount (informal notice)"),
    "request": _("Issue request"),
    "submit": _("Record submission"),
    "return_for_correction": _("Return for correction"),
    "start_review": _("Start review"),
    "forward": _("Forward to the ministry"),
    "record_ministry_decision": _("Record the ministry's decision"),
    "draft": _("Draft determination"),
    "send_back": _("Send back to the officer"),
    "approve": _("Approve"),
    "notify": _("Issue notice"),
    "accept": _("Accept"),
    "withdraw": _("Withdraw"),
    "revoke": _("Revoke"),
}


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
        try:
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


_CLEANERS = {"amount": _clean_amount, "date": _clean_date}


def clean_transition_data(name: str, data: dict) -> dict:
    """Validate the fields a transition takes; unknown fields are refused, blanks are absent."""
    specs = {spec.name: spec for spec in TRANSITION_FIELDS.get(name, ())}
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
                cleaned[spec.name] = _clean_text(raw, spec.max_length)
            else:
                cleaned[spec.name] = _CLEANERS[spec.kind](raw)
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
    if errors:
        raise InvalidInput(details=errors)
    return cleaned
