"""Forms of the inquiry pages: the register's filters, a new question, an answer. They check shapes;
the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.catalogue import procedure_choices, stream_choices
from grants.forms import ANY, DATE_BOUNDS, FilterForm
from web.forms import PlainDateField

from .models import InquiryStatus
from .services import MAX_TEXT


class InquiryFilterForm(FilterForm):
    """The register's filters; the same names as its CSV export."""

    search = forms.CharField(
        label=_("Text"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words of the question or answer")}),
    )
    asker = forms.CharField(
        label=_("Asker"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, reading or code")}),
    )
    stream = forms.ChoiceField(label=_("Stream"), choices=lambda: ANY + stream_choices(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + list(InquiryStatus.choices), required=False)


class InquiryForm(forms.Form):
    """A question as received: when, from whom, about what. Its fields' ids differ from the register's filter
    form's on the same page (``new-asker``, not ``id_asker``), so each label names its own field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "new-%s")
        super().__init__(*args, **kwargs)

    received_on = PlainDateField(
        label=_("Received on"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    asker = forms.CharField(
        label=_("Asker"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, reading or code")}),
        help_text=_("The prefecture or municipality that asked: its name, reading or code, e.g. 川越市, かわごえ or 112011."),
    )
    stream = forms.ChoiceField(label=_("Stream"), choices=lambda: [("", "-")] + stream_choices(), required=False)
    procedure = forms.ChoiceField(
        label=_("Procedure"), choices=lambda: [("", "-")] + procedure_choices(), required=False
    )
    case = forms.IntegerField(
        label=_("Case number"), required=False, min_value=1, max_value=2**62,
        help_text=_("Optional; with a case, the stream and procedure are the case's."),
    )
    question = forms.CharField(label=_("Question"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "received_on": data["received_on"], "asker": data["asker"], "stream": data["stream"],
            "procedure": data["procedure"], "case_id": data["case"], "question": data["question"],
        }


class AnswerForm(forms.Form):
    answered_on = PlainDateField(
        label=_("Answered on"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    answer = forms.CharField(label=_("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
