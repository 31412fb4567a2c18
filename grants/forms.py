"""Filter forms of the web pages. They only check the shape of a query string;
a value that does not parse is reported on the form and ignored, never a 500."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from web.api_auth import SignInLockedOut
from web.forms import PlainAmountField, PlainDateField

from .access import prefectures_in_scope, streams_in_scope
from .catalogue import part_choices, procedure_choices, stream_choices
from .limits import EARLIEST_DATE, LATEST_DATE
from .local_governments import search_text
from .models import CaseState, FiscalYear, Recipient, RecipientKind, bureau_prefectures
from .recipients import check_digit_problem

ANY = [("", _("All"))]

# Dates outside these bounds are typing errors; refusing them here keeps date arithmetic from overflowing.
DATE_BOUNDS = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


def add_service_errors(form: forms.Form, details: dict) -> None:
    """Put a service's error details (field → problems) on the fields they name, the rest on the form."""
    for key, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            form.add_error(key if key in form.fields else None, str(problem))


def fiscal_year_choices() -> list[tuple[int, int]]:
    """The fiscal years on file, oldest first, as choices (pages name them 令和7年度: ``_fiscal_year_select.html``)."""
    return [(year, year) for year in FiscalYear.objects.order_by("year").values_list("year", flat=True)]


class FilterForm(forms.Form):
    """A page's query-string filters. Given the ``reader`` (the user the page is for), its stream, procedure, part
    and prefecture lists offer only what the reader's scope covers (``grants.access``): an officer of one stream
    is not offered the others, nor their procedures and parts, while those who work bureau-wide are offered
    every one."""

    def __init__(self, data=None, *, reader=None, **kwargs):
        super().__init__(data, **kwargs)
        self.limit_to_scope(reader)

    def limit_to_scope(self, reader) -> None:
        """Leave out of the stream, procedure, part and prefecture lists what ``reader``'s scope does not cover
        ("All" stays): the streams and prefectures of their scope rows, the procedures and parts those streams
        declare. No reader leaves them whole."""
        if reader is None:
            return
        streams = streams_in_scope(reader)
        offered = {"prefecture": prefectures_in_scope(reader)}
        if streams is not None:
            offered.update(
                stream=streams,
                procedure={code for code, _label in procedure_choices(streams)},
                part={code for code, _label in part_choices(streams)},
            )
        for name, codes in offered.items():
            field = self.fields.get(name)
            if field is not None and codes is not None:
                field.choices = [(code, text) for code, text in field.choices if code == "" or code in codes]

    @property
    def invalid(self) -> bool:
        """Bound filters that do not parse: the page lists nothing (the form says why) rather than dropping them and
        showing what the reader did not ask for."""
        return self.is_bound and not self.is_valid()

    def filters(self) -> dict:
        """The valid filters, empty ones left out (invalid ones are on ``errors``)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in (None, "")
        }


def _search_field(help_text):
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class CaseFilterForm(FilterForm):
    """Filters shared by the worklist, the calendar and the dashboard; ``only`` names the ones a page offers."""

    search = _search_field(_("Recipient name, reading (kana), code, case number or document number"))

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False, empty_value=None)
    stream = forms.ChoiceField(label=_("Stream"), choices=lambda: ANY + stream_choices(), required=False)
    part = forms.ChoiceField(
        label=_("Part"), choices=lambda: ANY + [c for c in part_choices() if c[0]], required=False
    )
    procedure = forms.ChoiceField(label=_("Procedure"), choices=lambda: ANY + procedure_choices(), required=False)
    state = forms.ChoiceField(label=_("State"), choices=ANY + list(CaseState.choices), required=False)
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False)
    recipient_search = forms.CharField(
        label=_("Recipient"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, reading or code"), "type": "search"}),
    )
    officer = forms.ChoiceField(label=_("Officer"), required=False)

    def __init__(self, data=None, *, reader, only: tuple[str, ...], require_fiscal_year: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        for name in list(self.fields):
            if name not in only:
                del self.fields[name]
        if "fiscal_year" in self.fields:
            field = self.fields["fiscal_year"]
            field.choices = ([] if require_fiscal_year else ANY) + fiscal_year_choices()
            field.required = require_fiscal_year
        if "prefecture" in self.fields:
            # The bureau's prefectures, named as the pages name recipients, in the reader's language.
            prefectures = Recipient.objects.filter(kind=RecipientKind.PREFECTURE, code__in=bureau_prefectures())
            self.fields["prefecture"].choices = ANY + _prefecture_choices(prefectures)
        if "officer" in self.fields:
            # Those who take the officer's steps, former ones included (their cases stay).
            # Named backend: the sign-in lockout (django-axes) is a second one, which holds no permissions.
            users = get_user_model().objects.with_perm(
                "grants.act_on_case", is_active=None, include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            users = users.order_by("username")
            self.fields["officer"].choices = ANY + [
                (username, name or username) for username, name in users.values_list("username", "first_name")
            ]
        self.limit_to_scope(reader)

    def clean_recipient_search(self) -> str:
        return _clean_recipient_search(self.cleaned_data["recipient_search"])


def _prefecture_choices(prefectures) -> list[tuple[str, str]]:
    return [(prefecture.code, prefecture.local_name) for prefecture in prefectures.only("code", "name_ja", "name_en")]


def _clean_recipient_search(text: str) -> str:
    """Typed text for ``recipient_search_q``; six digits with a wrong check digit are refused, naming the code."""
    problem = check_digit_problem(search_text(text))
    if problem:
        raise forms.ValidationError(problem)
    return text


class RecipientFilterForm(FilterForm):
    """The recipients page: every local government on file, searched by name, reading or code."""

    q = forms.CharField(
        label=_("Name, reading or code"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. ながれやま, 流山 or 122203")}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + list(RecipientKind.choices), required=False)
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False)
    active = forms.TypedChoiceField(
        label=_("Takes cases"), required=False, empty_value=None, coerce=lambda value: value == "yes",
        choices=ANY + [("yes", pgettext_lazy("takes cases", "Yes")), ("no", pgettext_lazy("takes cases", "No"))],
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["prefecture"].choices = ANY + _prefecture_choices(Recipient.objects.filter(kind=RecipientKind.PREFECTURE))

    def clean_q(self) -> str:
        return _clean_recipient_search(self.cleaned_data["q"])


class HistoryFilterForm(FilterForm):
    """The auditor's history search; the same names as ``GET /api/history/export``."""

    # the fiscal years on file, shown as the other pages show them (令和7年度); a year typed in the address is one of them
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False, empty_value=None)
    stream = forms.ChoiceField(label=_("Stream"), choices=lambda: ANY + stream_choices(), required=False)
    search = _search_field(_("Recipient name, reading (kana) or code"))
    recipient = forms.CharField(label=_("Recipient code"), required=False, max_length=32)
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    # the day a record was entered, as the list's "When" column shows it (an act entered later also shows the
    # day it took place there, and its record stays where the chain put it)
    date_from = PlainDateField(
        label=_("Recorded from"), required=False, validators=DATE_BOUNDS,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the record was entered, as in “When (JST)”."),
    )
    date_to = PlainDateField(
        label=_("Recorded to"), required=False, validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["fiscal_year"].choices = ANY + fiscal_year_choices()


class AsOfForm(forms.Form):
    """A past day to show a case as it stood at its end (Japan time)."""

    date = PlainDateField(label=_("As of"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_date(self):
        """A day not yet over has no end to show a case at: today (as it stands now) or an earlier day."""
        day = self.cleaned_data["date"]
        if day > timezone.localtime().date():  # the day now in Japan, by the clock that stamps the records
            raise forms.ValidationError(_("Choose today or an earlier day: a future day has no record yet."))
        return day


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when django-axes refused a locked-out account (even with the right password)."""

    @property
    def locked_out(self) -> bool:
        return getattr(self.request, "axes_locked_out", False)

    def get_invalid_login_error(self):
        if self.locked_out:
            return forms.ValidationError(SignInLockedOut.default_message, code="locked_out")
        return super().get_invalid_login_error()


class BudgetNoticeForm(forms.Form):
    """A budget-obligation notice as the ministry sent it; the service checks the stream, part, amount and day."""

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    stream = forms.ChoiceField(label=_("Stream"), choices=stream_choices)
    part = forms.ChoiceField(label=_("Part"), choices=part_choices, required=False)
    amount = PlainAmountField(
        label=_("Amount (yen)"), widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    )
    received_on = PlainDateField(
        label=_("Received on"), validators=DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, help_text=_("The notice's own number, e.g. 老発0401第1号."))

    def __init__(self, *args, fiscal_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(year, year) for year in fiscal_years]

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if not amount.isdecimal() or len(amount) > 16:
            raise forms.ValidationError(_("Enter a whole number of yen."))
        return int(amount)
