"""Schedules and feed links: fiscal-year schedule versions, their dated steps, the calendar's private links.

Schedules are data, not code: a fiscal year can have several schedule versions
(as planned, as revised, as run); the steps of a version say what happens when,
for which stream, part and sub-procedure. The tables keep the names they had
in the ``calendars`` app (``Meta.db_table``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calendars.windows import Precision, window_problems
from grants.catalogue import stream_choices
from grants.limits import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR


class ScheduleStatus(models.TextChoices):
    PLAN = "plan", _("Plan")
    REVISED = "revised", _("Revised plan")
    ACTUAL = "actual", _("As run")
    MISSING = "missing", _("No schedule in the sources")


# Which version of a fiscal year is in force: what actually happened beats a
# revised plan, which beats the first plan. A "missing" marker never is.
STATUS_PRECEDENCE = {ScheduleStatus.ACTUAL: 3, ScheduleStatus.REVISED: 2, ScheduleStatus.PLAN: 1}


class StepKind(models.TextChoices):
    REQUEST = "request", _("Request")
    DEADLINE = "deadline", _("Submission deadline")
    REVIEW = "review", _("Review")
    DECISION = "decision", _("Decision")
    NOTICE = "notice", _("Informal notice")
    PAYMENT = "payment", _("Payment")
    HEARING = "hearing", _("Hearing or meeting")
    REPORT = "report", _("Report")


class StepActor(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    MINISTRY_ROKEN = "ministry_roken", _("Ministry: Health and Welfare Bureau for the Elderly")
    MINISTRY_HOKEN = "ministry_hoken", _("Ministry: Health Insurance Bureau")
    BUREAU = "bureau", _("Bureau")
    PREFECTURE = "prefecture", _("Prefecture")
    MUNICIPALITY = "municipality", _("Municipality")
    WIDE_AREA_UNION = "wide_area_union", _("Wide-area union")
    KOKUHOREN = "kokuhoren", _("Federation of health insurance associations")


class StepPart(models.TextChoices):
    ANY = "", _("(not split by part)")
    BOTH = "both", _("Both parts")
    FACILITIES = "facilities", _("Facilities part")
    PERSONNEL = "personnel", _("Personnel part")


class ScheduleHeader(models.Model):
    """The ``meta`` and ``streams`` sections of an imported schedule file, kept for its export.

    They describe the file (sources, date rules, vocabularies, stream labels);
    the engine reads none of it. Stored as JSON text so the export keeps the
    file's order on every database.
    """

    text = models.TextField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "calendars_scheduleheader"
        ordering = ["-imported_at", "-pk"]


class ScheduleVersion(models.Model):
    """One schedule of one fiscal year as one source states it (plan, revision or as run)."""

    key = models.SlugField(
        _("key"), max_length=60, unique=True, help_text=_("The schedule's id in the YAML file, e.g. fy2025-plan")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    status = models.CharField(_("kind of schedule"), max_length=10, choices=ScheduleStatus.choices)
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("Date of the source document"))
    source_doc = models.CharField(_("source document"), max_length=20, blank=True, default="")
    outline = models.JSONField(
        _("outline"),
        default=dict,
        blank=True,
        help_text=_(
            "Streams and sub-procedures of the version with their own attributes "
            "(notes, settles_fiscal_year, …); the steps are rows"
        ),
    )
    extra = models.JSONField(
        _("further attributes"), default=dict, blank=True, help_text=_("Further attributes of the version (note, …)")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        db_table = "calendars_scheduleversion"
        ordering = ["fiscal_year", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ScheduleStatus.values), name="schedule_status_valid"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR) & Q(fiscal_year__lte=LAST_FISCAL_YEAR), name="schedule_fiscal_year_in_reiwa"
            ),
        ]
        permissions = [("edit_schedule", "Edit, import and roll forward fiscal-year schedules")]

    def __str__(self) -> str:
        return self.key


class ScheduleStep(models.Model):
    """One dated (or not yet dated) step of a schedule: a request, a deadline, a decision …"""

    version = models.ForeignKey(
        ScheduleVersion, on_delete=models.CASCADE, related_name="steps", verbose_name=_("schedule version")
    )
    stream = models.CharField(_("stream"), max_length=40, choices=stream_choices)
    sub_procedure = models.SlugField(
        _("sub-procedure"),
        max_length=60,
        help_text=_("The file's sub-procedure key, e.g. current_year_grant_decision or hearing"),
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Order within the sub-procedure"))
    key = models.SlugField(_("key"), max_length=80)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    actor = models.CharField(_("by whom"), max_length=20, choices=StepActor.choices)
    part = models.CharField(_("part"), max_length=12, choices=StepPart.choices, blank=True, default="")
    precision = models.CharField(_("precision"), max_length=10, choices=Precision.choices)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    date_text_ja = models.CharField(
        _("date as worded"), max_length=100, blank=True, default="", help_text=_("The date as the source words it")
    )
    source = models.CharField(_("source"), max_length=100, blank=True, default="", help_text=_("Citation, e.g. 001:752"))
    extra = models.JSONField(
        _("further attributes"),
        default=dict,
        blank=True,
        help_text=_("Further attributes (actor_basis, counterpart, notes, …)"),
    )

    class Meta:
        verbose_name = _("schedule step")
        verbose_name_plural = _("schedule steps")
        db_table = "calendars_schedulestep"
        ordering = ["version", "stream", "sub_procedure", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "stream", "sub_procedure", "key"],
                name="unique_step_key",
                violation_error_message=_("This schedule already has a step with this key."),
            ),
            models.CheckConstraint(condition=Q(kind__in=StepKind.values), name="step_kind_valid"),
            models.CheckConstraint(condition=Q(precision__in=Precision.values), name="step_precision_valid"),
            models.CheckConstraint(condition=Q(part__in=StepPart.values), name="step_part_valid"),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_from__lte=models.F("date_to")),
                name="step_window_in_order",
                violation_error_message=_("The window must end on or after the day it starts."),
            ),
        ]
        indexes = [models.Index(fields=["stream", "kind"])]

    def __str__(self) -> str:
        return f"{self.version.key} {self.path}"

    @property
    def local_label(self) -> str:
        """The step's name in the reader's language (the Japanese one when no English one is kept)."""
        return self.label_ja if (get_language() or "ja").startswith("ja") or not self.label_en else self.label_en

    @property
    def path(self) -> str:
        """Where the step sits in a schedule: stream/sub-procedure/key (as the file and the history name it)."""
        return f"{self.stream}/{self.sub_procedure}/{self.key}"

    def clean(self) -> None:
        problems = window_problems(self.precision, self.date_from, self.date_to)
        if problems:
            raise ValidationError({"precision": problems})




class CalendarFeedToken(models.Model):
    """The secret in a user's iCalendar feed link; only its SHA-256 is stored.

    Rotating replaces it (the old link stops working), revoking deletes it.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "calendars_calendarfeedtoken"
