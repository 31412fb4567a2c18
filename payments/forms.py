"""Forms of the money pages: a payment run's date, a repayment on a return claim. Amounts and dates may be
typed with an input method (``web.forms``); the services check the rest and their errors go on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.forms import DATE_BOUNDS
from web.forms import PlainAmountField, PlainDateField

MAX_YEN = 10**15


class PaymentRunCreateForm(forms.Form):
    """Draft a payment run: it gathers every unpaid item due by its date."""

    run_on = PlainDateField(label=_("Payment date"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))


class RepaymentForm(forms.Form):
    """Money a recipient paid back on a return claim."""

    amount = PlainAmountField(label=_("Amount paid back (yen)"), widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    paid_on = PlainDateField(label=_("Date paid back"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_amount(self) -> int:
        text = self.cleaned_data["amount"]
        if not text.isdecimal() or not 0 < int(text) <= MAX_YEN:
            raise forms.ValidationError(_("Enter a whole number of yen."))
        return int(text)
