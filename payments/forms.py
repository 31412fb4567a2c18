"""Forms of the money pages: a payment run's date, a repayment on a return claim. They parse what a person
typed (amounts and dates may come through an input method: ``web.forms``); the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.forms import DATE_BOUNDS
from web.forms import PlainAmountField, PlainDateField

MAX_YEN = 10**15


class PaymentRunCreateForm(forms.Form):
    """Draft a payment run: it gathers every unpaid item due by its date."""

    run_on = PlainDateField(label=_("Payment date"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))


class RepaymentForm(forms.Form):
    """A repayment on a return claim: the day the money arrived, the yen, the receipt's reference."""

    paid_on = PlainDateField(
        label=_("Date paid back"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date", "required": True})
    )
    amount = PlainAmountField(
        label=_("Amount paid back (yen)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "required": True}),
    )
    reference = forms.CharField(label=_("Reference (納付書番号 etc.)"), max_length=100, required=False)

    def clean_amount(self) -> int:
        """The yen as a number; the service judges it (at least 1 yen, no more than is owed)."""
        text = self.cleaned_data["amount"]
        if not text.isdecimal():
            raise forms.ValidationError(_("Enter a whole number of yen."))
        if int(text) > MAX_YEN:
            raise forms.ValidationError(_("This amount is too large."))
        return int(text)
