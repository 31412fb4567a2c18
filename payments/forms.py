"""Forms of the money pages: they parse what a person typed; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.limits import EARLIEST_DATE, LATEST_DATE


class RepaymentForm(forms.Form):
    """A repayment on a return claim: the day the money arrived, the yen, the receipt's reference."""

    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date", "required": True})
    )
    amount = forms.IntegerField(label=_("Amount (yen)"), min_value=1, widget=forms.NumberInput(attrs={"required": True}))
    reference = forms.CharField(label=_("Reference (納付書番号 etc.)"), max_length=100, required=False)

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return day
