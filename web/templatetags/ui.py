"""Template filters of the web UI: yen, people, labels for codes (dates: ``calendars``' ``dates`` library).

Pages keep codes (``state``, ``stream``, ``procedure``) and turn them into
translated labels here, at read time; each app names its codes in its ``labels.py``.
"""

from django import template
from django.utils.translation import get_language

from ..codes import code_label

register = template.Library()


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


@register.filter
def label(code, kind: str) -> str:
    """The translated label of a code: ``{{ case.state|label:"state" }}``; the code itself when unknown."""
    if code is None:
        return ""
    value = code_label(kind, code)
    if value is None:
        return "" if code == "" else str(code)
    return str(value)


@register.filter
def state_label(code, subject_type: str) -> str:
    """A state as its subject names it: a payment run's ``approved`` is not a case's (``<subject>_state``
    labels first, then the case states'); the code itself when unknown."""
    kind = f"{subject_type}_state"
    if code and code_label(kind, code) is not None:
        return label(code, kind)
    return label(code, "state")


@register.filter
def action_label(code, subject_type: str) -> str:
    """An act as its subject names it: a payment run's ``approve`` is not a case's (``<subject>_action`` labels
    first, then the acts'); the code itself when unknown."""
    kind = f"{subject_type}_action"
    if code and code_label(kind, code) is not None:
        return label(code, kind)
    return label(code, "action")


@register.filter
def reason_label(text, subject_type: str) -> str:
    """A record's reason as its subject names it: a return claim's is a code (``<subject>_reason`` labels); any
    other is what a person wrote, shown as written."""
    value = code_label(f"{subject_type}_reason", text) if text else None
    return str(value) if value is not None else (text or "")


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
