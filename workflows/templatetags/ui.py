"""Template filters of the web UI: yen, dates in the reader's language, labels for codes.

Pages keep codes (``state``, ``stream``, ``procedure``) and turn them into
translated labels here, at read time (house rule 10).
"""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from calendars.eras import era_date, era_year, fiscal_year_label
from calendars.models import LetterKind, LetterStatus
from grants.catalogue import Part, Procedure, Stream
from grants.models import CaseState, DeterminationKind, Role

from ..fields import TRANSITION_LABELS

register = template.Library()

_LABELS = {
    "state": dict(CaseState.choices),
    "stream": dict(Stream.choices),
    "part": dict(Part.choices),
    "procedure": dict(Procedure.choices),
    "role": dict(Role.choices),
    "determination": dict(DeterminationKind.choices),
    "transition": TRANSITION_LABELS,
    "action": TRANSITION_LABELS
    | {
        "create": gettext_lazy("Case opened"),
        "budget_notice_record": gettext_lazy("Budget-obligation notice recorded"),
        "letter_issue": gettext_lazy("Letter issued"),
        "letter_render": gettext_lazy("Letter PDF drawn and numbered"),
        "letter_batch_create": gettext_lazy("Letters grouped for sending"),
        "schedule_import": gettext_lazy("Schedule imported"),
        "schedule_version_create": gettext_lazy("Schedule added"),
        "schedule_version_update": gettext_lazy("Schedule changed"),
        "schedule_version_delete": gettext_lazy("Schedule deleted"),
        "schedule_step_create": gettext_lazy("Schedule step added"),
        "schedule_step_update": gettext_lazy("Schedule step changed"),
        "schedule_step_delete": gettext_lazy("Schedule step deleted"),
        "schedule_rollforward": gettext_lazy("Schedule rolled forward"),
        "closure_day_create": gettext_lazy("Closure day added"),
        "closure_day_update": gettext_lazy("Closure day changed"),
        "closure_day_delete": gettext_lazy("Closure day removed"),
        "reminder_rule_create": gettext_lazy("Reminder rule added"),
        "reminder_rule_update": gettext_lazy("Reminder rule changed"),
        "reminder_rule_delete": gettext_lazy("Reminder rule removed"),
        "payment_plans_load": gettext_lazy("Tranche plans loaded"),
        "payment_run_create": gettext_lazy("Payment run drafted"),
        "execute": gettext_lazy("Payment run executed"),
        "return_claim_issue": gettext_lazy("Return claim issued"),
        "return_payment_record": gettext_lazy("Return payment recorded"),
        "fund_balance_import": gettext_lazy("Fund balances imported"),
    },
    "subject": {
        "case": gettext_lazy("Case"),
        "budget_notice": gettext_lazy("Budget-obligation notice"),
        "letter": gettext_lazy("Letter"),
        "letter_batch": gettext_lazy("Letter batch"),
        "schedule": pgettext_lazy("history subject", "Schedule"),
        "closure_day": gettext_lazy("Closure day"),
        "reminder_rule": gettext_lazy("Reminder rule"),
        "payment_plan": gettext_lazy("Tranche plan"),
        "payment_run": gettext_lazy("Payment run"),
        "return_claim": gettext_lazy("Return claim"),
        "fund_balance": gettext_lazy("Fund balance"),
    },
    "letter": dict(LetterKind.choices),
    "letter_status": dict(LetterStatus.choices),
    "amount": {
        "consulted": gettext_lazy("Pre-consultation"),
        "presented": gettext_lazy("Presented (informal notice)"),
        "requested": pgettext_lazy("amount", "Requested"),
        "determined": gettext_lazy("Determined"),
        "current": gettext_lazy("Current (after changes)"),
        "settled": gettext_lazy("Settled"),
    },
}
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


@register.filter
def label(code, kind: str) -> str:
    """The translated label of a code: ``{{ case.state|label:"state" }}``; the code itself when unknown."""
    if code is None:
        return ""
    value = _LABELS[kind].get(code)
    if value is None:
        return "" if code == "" else str(code)
    return str(value)


@register.filter
def yen(amount) -> str:
    """1,234,567円 in Japanese, ¥1,234,567 in English; a dash when there is no amount."""
    if amount is None or amount == "":
        return "—"
    try:
        number = int(amount)
    except (TypeError, ValueError):
        return str(amount)
    return f"{number:,}円" if _japanese() else f"¥{number:,}"


@register.filter
def jdate(value, style: str = "") -> str:
    """A date as the reader expects it: 令和7年11月21日（金） in Japanese, 2025-11-21 (Fri) in English.

    ``style`` "short" drops the weekday; None shows 未定 (undecided).
    """
    if value in (None, ""):
        return _("Undecided")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    weekday = style != "short"
    if _japanese():
        return era_date(value, weekday=weekday)
    text = value.isoformat()
    return f"{text} ({_WEEKDAYS_EN[value.weekday()]})" if weekday else text


@register.filter
def jmonth(value: date) -> str:
    """令和8年11月 in Japanese, November 2026 in English."""
    if _japanese():
        return f"{era_year(value)}{value.month}月"
    return value.strftime("%B %Y")


@register.filter
def jdatetime(value) -> str:
    """A moment in Japan time: 令和7年11月21日 14:05 / 2025-11-21 14:05."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{jdate(local.date(), 'short')} {local:%H:%M}"


@register.filter
def fiscal_year(year) -> str:
    """令和7年度 in Japanese, FY2025 in English."""
    if year in (None, ""):
        return ""
    return fiscal_year_label(int(year)) if _japanese() else f"FY{year}"


@register.filter
def person(user) -> str:
    """A user as colleagues know them: the name on file, else the user name; a dash for nobody."""
    if user is None or user == "":
        return "—"
    return user.first_name or user.username


@register.filter
def local_name(recipient) -> str:
    """A recipient's name in the reader's language (the Japanese name when no English one is kept)."""
    return recipient.local_name if recipient is not None else ""


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if mapping else None
