"""Forms of the case pages. A step's form is built from the fields the step
declares (``steps.Step.fields``); the transition service validates the
values, and its errors are put back on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.api_fields import MAX_ID
from grants.catalogue import (
    ActLetter,
    part_choices,
    procedure_choices,
    procedure_get,
    procedure_list,
    stream_choices,
    stream_get,
    stream_list,
)
from grants.forms import DATE_BOUNDS
from web.forms import PlainAmountField, PlainDateField, PlainTextField, SelectWithOptionData

from .fields import FieldSpec, fields_for_case
from .steps import DeclaredStep, DeterminationAct, step_declared, vocabulary

#: Where a bulk step leaves its outcome for the summary page it redirects to (a reload never acts again).
BULK_SUMMARY = "bulk_summary"
MAX_VERSION = 2**31
# A bulk step sends the same letter to every recipient: the steps that send a request letter, then the one
# that notifies the approved determinations (its document numbers issued in the order of the cases).
BULK_LETTERS = (ActLetter.REQUEST, ActLetter.CONSULTATION_REQUEST)


def import_step() -> DeclaredStep:
    """The step an imported row of received submissions takes: the one declared ``imported``."""
    found = next((d for d in vocabulary().values() if d.step.imported), None)
    if found is None:
        raise LookupError("No registered step is declared imported=True (docs/recipes.md, \"Add a transition\").")
    return found



def bulk_steps() -> list[DeclaredStep]:
    """The steps the bulk page takes on many cases: those that send a request letter (the application's
    first), then the step that notifies a pending determination (``DeterminationAct.NOTIFIES``) and is
    declared ``bulk`` (a revocation's notice is given one by one)."""
    requests = [declared for declared in vocabulary().values() if declared.step.letter in BULK_LETTERS]
    requests.sort(key=lambda declared: BULK_LETTERS.index(declared.step.letter))
    notices = [
        d for d in vocabulary().values() if d.step.determination == DeterminationAct.NOTIFIES and d.step.bulk
    ]
    return requests + notices

_WIDGETS = {
    "amount": lambda: forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    "date": lambda: forms.DateInput(attrs={"type": "date"}),
    "text": lambda: forms.Textarea(attrs={"rows": 2}),
}


def _field(spec: FieldSpec) -> forms.Field:
    # Values stay text here: the transition service parses and checks them (dates
    # included: outside 2000–2100 is refused before the calendar rolls them), so
    # the API, the CLI and this form give the same messages.
    attrs = {"required": True, "aria-required": "true"} if spec.required else {}
    widget = _WIDGETS[spec.kind]()
    widget.attrs.update(attrs)
    # What an input method types (１２０，０００，０００, ２０２６／１１／２８) is made plain first.
    if spec.choices:  # one of a few values: offered, not typed
        widget = forms.Select(choices=[("", "—"), *spec.choices], attrs=attrs)
    field = {"amount": PlainAmountField, "date": PlainTextField}.get(spec.kind, forms.CharField)
    return field(label=spec.label, required=False, strip=True, widget=widget)


class LateOnForm(forms.Form):
    """The day the late list counts from (today when not given)."""

    on = PlainDateField(
        label=_("Late as of"), required=False, validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )


class TransitionForm(forms.Form):
    """The fields of one transition plus the case version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)

    def __init__(self, *args, transition: str, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.specs = step_declared(transition).step.fields
        if case is not None:  # the fields the step takes on this case (routed papers' only where routed)
            self.specs = fields_for_case(self.specs, case)
        for spec in self.specs:
            self.fields[spec.name] = _field(spec)
        self.auto_id = f"id_{transition}_%s"

    def transition_data(self) -> dict:
        """The values typed, blanks left out (the service treats a missing field as not given)."""
        return {spec.name: self.cleaned_data[spec.name] for spec in self.specs if self.cleaned_data.get(spec.name)}


class CaseSelectionForm(forms.Form):
    """A fiscal year, stream, part and procedure: the cases a bulk act works on."""

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    stream = forms.ChoiceField(label=_("Stream"), choices=stream_choices)
    part = forms.ChoiceField(label=_("Part"), choices=part_choices, required=False)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=procedure_choices)

    def __init__(self, *args, fiscal_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(year, year) for year in fiscal_years]
        # Each part and procedure names the streams that have it; the page hides the others (static/js/app.js).
        streams_of = {
            "part": lambda code: [info.code for info in stream_list() if code in info.part_codes],
            "procedure": lambda code: [spec.stream for spec in procedure_list() if spec.code == code],
        }
        for name, streams in streams_of.items():
            field = self.fields[name]
            field.widget = SelectWithOptionData(
                attrs={"data-follows": self["stream"].auto_id},
                choices=field.choices,
                option_data={str(code): {"streams": " ".join(streams(code))} for code, _label in field.choices},
            )

    def clean(self):
        data = super().clean()
        stream, part, procedure = data.get("stream"), data.get("part") or "", data.get("procedure")
        info = stream_get(stream) if stream else None
        if info is not None and procedure and procedure_get(stream, procedure) is None:
            self.add_error("procedure", _("This stream has no such procedure."))
        if info is not None and part not in info.part_codes:
            self.add_error("part", _("Choose a part of this stream.") if info.part_codes != ("",) else _("This stream has no parts."))
        return data

    def selection(self) -> dict:
        """The cleaned selection as the preview selectors take it."""
        data = self.cleaned_data
        return {"fiscal_year": data["fiscal_year"], "stream": data["stream"], "part": data.get("part") or "", "procedure": data["procedure"]}


class BulkRequestForm(CaseSelectionForm):
    """Which cases get the same step (a request, or the notice of their approved decisions), and a request's
    deadline."""

    transition = forms.ChoiceField(label=_("Step"), choices=[])
    deadline = PlainDateField(
        label=_("Deadline"),
        required=False,
        validators=DATE_BOUNDS,
        help_text=_("Leave empty to take the deadline from the fiscal year's schedule."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    field_order = ["transition", "fiscal_year", "stream", "part", "procedure", "deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = [(declared.name, declared.label) for declared in bulk_steps()]

    def clean(self):
        data = super().clean()
        declared = step_declared(data.get("transition") or "")
        if declared is not None and data.get("deadline") and "deadline" not in {f.name for f in declared.step.fields}:
            self.add_error("deadline", _("This step takes no deadline; leave it empty."))
        return data

    def step_data(self) -> dict:
        """The fields the chosen step takes from the form (a request's deadline), as the service takes them."""
        deadline = self.cleaned_data.get("deadline")
        return {"deadline": deadline.isoformat()} if deadline else {}


class BulkConfirmForm(BulkRequestForm):
    """The confirmed selection: each case with the version the preview showed."""

    cases = forms.CharField(widget=forms.HiddenInput)

    def clean_cases(self) -> list[tuple[int, int]]:
        return parse_case_versions(self.cleaned_data["cases"].split(","))


def parse_case_versions(items: list[str]) -> list[tuple[int, int]]:
    """``["12:3", ...]`` as (case id, version) pairs; anything else is damage, refused as a whole."""
    pairs = []
    for item in items:
        case_id, _sep, version = item.partition(":")
        # Ids and versions the database cannot hold are damage too, not a lookup to try.
        # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
        if not (case_id.isdecimal() and version.isdecimal() and 0 < int(case_id) <= MAX_ID and 0 < int(version) <= MAX_VERSION):
            raise forms.ValidationError(_("The list of cases is damaged; start again."))
        pairs.append((int(case_id), int(version)))
    return pairs


class BulkApproveForm(forms.Form):
    """The drafts ticked in the approval queue, each with the version the queue showed."""

    cases = forms.MultipleChoiceField(required=True, error_messages={"required": _("Tick the drafts to approve.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(value, value) for value in self.data.getlist("cases")] if self.data else []

    def clean_cases(self) -> list[tuple[int, int]]:
        return parse_case_versions(self.cleaned_data["cases"])


class SavedFilterForm(forms.Form):
    """A name for the worklist's current filters (their query string rides along hidden)."""

    name = forms.CharField(label=_("Name"), max_length=60)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)


class SubmissionImportForm(CaseSelectionForm):
    """A file of received submissions (recipient code, amount, date received) for one selection of cases."""

    file = forms.FileField(label=_("CSV or Excel (XLSX) file"), help_text=_("Columns: recipient_code, amount, received_on (first row)."))
    field_order = ["file", "fiscal_year", "stream", "part", "procedure"]


class SubmissionConfirmForm(CaseSelectionForm):
    """The rows the preview found ready: case, version, amount, date received and the day the prefecture
    received routed papers (blank when not given), as the preview showed them."""

    rows = forms.CharField(widget=forms.HiddenInput)

    def clean_rows(self) -> list[dict]:
        rows = []
        for item in self.cleaned_data["rows"].split(","):
            parts = item.split(":")
            if len(parts) not in (4, 5) or not parts[2].isdecimal() or len(parts[2]) > 16:
                raise forms.ValidationError(_("The list of cases is damaged; start again."))
            [(case_id, version)] = parse_case_versions([f"{parts[0]}:{parts[1]}"])
            dates = dict(zip(("date", "prefecture_received_on"), parts[3:]))
            data = {"amount": int(parts[2])} | {name: day for name, day in dates.items() if day}
            rows.append({"case_id": case_id, "version": version, "data": data})
        return rows
