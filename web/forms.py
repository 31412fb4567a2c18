"""Form fields of the web pages that take what people type with a Japanese input method
(``web.typing``), and a select whose options carry data for the page's script."""

from django import forms

from .dates import calendar_date
from .typing import plain, plain_amount, plain_date


class PlainTextField(forms.CharField):
    """Text made plain (NFKC: full-width digits and punctuation as ASCII) before any check; dates as ISO."""

    def to_python(self, value):
        value = super().to_python(value)
        return plain_date(value) if value else value


class PlainAmountField(forms.CharField):
    """An amount as typed (「１２０，０００，０００円」), handed on as digits; the service parses and bounds it."""

    def to_python(self, value):
        value = super().to_python(value)
        return plain_amount(value) if value else value


class PlainDateField(forms.DateField):
    """A date typed as 2026-11-28, 2026/11/28 or 「２０２６／１１／２８」; one the calendar does not have
    (2026-02-30) is named as such (``web.dates.calendar_date``)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = plain_date(value)
            try:
                day = calendar_date(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc), code="invalid") from None
            if day is not None:
                return day
        return super().to_python(value)


class SelectWithOptionData(forms.Select):
    """A select whose options carry ``data-<name>`` attributes: ``option_data={value: {name: text}}``."""

    def __init__(self, attrs=None, choices=(), option_data=None):
        super().__init__(attrs, choices)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for key, text in self.option_data.get(str(value), {}).items():
            option["attrs"][f"data-{key}"] = text
        return option
