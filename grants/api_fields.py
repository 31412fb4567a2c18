"""Bounded input fields and URL ids shared by every endpoint.

Unbounded integers from a query string reach the database and overflow its
integer types (a 500); these bounds turn such input into a 422 or a 404.
"""

from collections.abc import Callable, Iterable

from rest_framework import serializers

from web.dates import calendar_date

from .catalogue import part_choices
from .limits import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, MAX_YEN

MAX_ID = 2**63 - 1


def FiscalYearField(**kwargs) -> serializers.IntegerField:  # noqa: N802 (reads like a field class)
    """A fiscal year named by its April year, within the Reiwa-era span the app administers."""
    return serializers.IntegerField(min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR, **kwargs)


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def YenField(**kwargs) -> serializers.IntegerField:  # noqa: N802
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=MAX_YEN, **kwargs)


class CalendarDateField(serializers.DateField):
    """A date on input, YYYY-MM-DD as DRF's; one the calendar does not have (2026-02-30) is named as such
    (``web.dates.calendar_date``), not refused as a wrong format."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                day = calendar_date(value)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc), code="invalid") from None
            if day is not None:  # read as the check read it (spaces around it stripped)
                value = day
        return super().to_internal_value(value)


class IdConverter:
    """``<id:case_id>``: a database id (1 to 18 digits), so a 30-digit id is a 404, not an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def PrefectureField(**kwargs) -> serializers.RegexField:  # noqa: N802
    """A prefecture's JIS X 0401 code, 01 (Hokkaido) to 47 (Okinawa); anything else is a 422, not an empty answer."""
    return serializers.RegexField(r"^(0[1-9]|[1-3][0-9]|4[0-7])$", **kwargs)


class RegistryChoiceField(serializers.ChoiceField):
    """A choice among codes the registry holds when the serializer is built (``choices`` is a callable).

    DRF builds a serializer's fields anew for every instance, so a stream or
    step registered after start-up is a valid choice too.
    """

    def __init__(self, choices: Callable[[], Iterable], **kwargs):
        super().__init__(choices=choices(), **kwargs)


def PartField(**kwargs) -> RegistryChoiceField:  # noqa: N802
    """A stream's part on input: a part code; null, "" or absent for a stream without parts."""
    return RegistryChoiceField(part_choices, required=False, allow_null=True, allow_blank=True, **kwargs)


class PartOutputField(serializers.CharField):
    """A case's part on output: its code, or null for a stream without parts."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None
