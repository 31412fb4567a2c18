"""Calendar data: closures, numbering, schedules, reminder rules, letters and feed tokens.

Schedules are data, not code (design §4): a fiscal year can have several
schedule versions (as planned, as revised, as run); the steps of a version
say what happens when, for which stream, part and sub-procedure. Letters are
stored documents linked to their case and to the history record of the act
that issued them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.catalogue import Stream
from grants.limits import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR
from grants.models import Case, HistoryEntry, Recipient

from .windows import Precision, window_problems


class ClosureDay(models.Model):
    """A day the bureau is closed beyond weekends, national holidays and 12/29–1/3 (臨時休庁)."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class DocumentSequence(models.Model):
    """The last serial issued on a day; numbers restart each day (関厚発1121第3号)."""

    day = models.DateField(unique=True)
    last_serial = models.PositiveIntegerField(default=0)


# ---------------------------------------------------------------- schedules


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
        ordering = ["-imported_at", "-pk"]


class ScheduleVersion(models.Model):
    """One schedule of one fiscal year as one source states it (plan, revision or as run)."""

    key = models.SlugField(max_length=60, unique=True, help_text="The schedule's id in the YAML file, e.g. fy2025-plan")
    fiscal_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=ScheduleStatus.choices)
    as_of = models.DateField(null=True, blank=True, help_text="Date of the source document")
    source_doc = models.CharField(max_length=20, blank=True, default="")
    outline = models.JSONField(
        default=dict,
        blank=True,
        help_text="Streams and sub-procedures of the version with their own attributes "
        "(notes, settles_fiscal_year, …); the steps are rows",
    )
    extra = models.JSONField(default=dict, blank=True, help_text="Further attributes of the version (note, …)")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ScheduleStatus.values), name="schedule_status_valid"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR) & Q(fiscal_year__lte=LAST_FISCAL_YEAR), name="schedule_fiscal_year_in_reiwa"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ScheduleStep(models.Model):
    """One dated (or not yet dated) step of a schedule: a request, a deadline, a decision …"""

    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="steps")
    stream = models.CharField(max_length=40, choices=Stream.choices)
    sub_procedure = models.SlugField(
        max_length=60, help_text="The file's sub-procedure key, e.g. current_year_grant_decision or hearing"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within the sub-procedure")
    key = models.SlugField(max_length=80)
    label_ja = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200, blank=True, default="")
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    actor = models.CharField(max_length=20, choices=StepActor.choices)
    part = models.CharField(max_length=12, choices=StepPart.choices, blank=True, default="")
    precision = models.CharField(max_length=10, choices=Precision.choices)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    date_text_ja = models.CharField(max_length=100, blank=True, default="", help_text="The date as the source words it")
    source = models.CharField(max_length=100, blank=True, default="", help_text="Citation, e.g. 001:752")
    extra = models.JSONField(default=dict, blank=True, help_text="Further attributes (actor_basis, counterpart, notes, …)")

    class Meta:
        ordering = ["version", "stream", "sub_procedure", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "stream", "sub_procedure", "key"], name="unique_step_key"),
            models.CheckConstraint(condition=Q(kind__in=StepKind.values), name="step_kind_valid"),
            models.CheckConstraint(condition=Q(precision__in=Precision.values), name="step_precision_valid"),
            models.CheckConstraint(condition=Q(part__in=StepPart.values), name="step_part_valid"),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_from__lte=models.F("date_to")),
                name="step_window_in_order",
            ),
        ]
        indexes = [models.Index(fields=["stream", "kind"])]

    def __str__(self) -> str:
        return f"{self.version.key} {self.path}"

    @property
    def path(self) -> str:
        """Where the step sits in a schedule: stream/sub-procedure/key (as the file and the history name it)."""
        return f"{self.stream}/{self.sub_procedure}/{self.key}"

    def clean(self) -> None:
        problems = window_problems(self.precision, self.date_from, self.date_to)
        if problems:
            raise ValidationError({"precision": problems})


# ---------------------------------------------------------------- letters


class LetterKind(models.TextChoices):
    REQUEST = "request", _("Request (依頼)")
    REMINDER = "reminder", _("Reminder")
    OVERDUE_DEMAND = "overdue_demand", _("Overdue demand (督促)")
    DECISION_NOTICE = "decision_notice", _("Decision notice")
    SETTLEMENT_NOTICE = "settlement_notice", _("Settlement notice")
    PAYMENT_NOTICE = "payment_notice", _("Payment notice")


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be rendered")
    RENDERED = "rendered", _("Rendered")


class LetterBatch(models.Model):
    """Letters sent together, one per recipient, downloadable as one PDF or a ZIP."""

    key = models.CharField(
        max_length=200, unique=True, null=True, blank=True, help_text="Set on batches a job builds, so reruns share one"
    )
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "letter batches"

    def __str__(self) -> str:
        return self.title


class Letter(models.Model):
    """One outgoing letter of a case, worded when issued and rendered to PDF in the background.

    ``content`` holds every word the PDF prints, fixed at issue, so a letter
    renders the same whenever it is rendered. ``history_entry`` is the record
    of the act that issued it (none for reminders, which the daily job issues).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    # No database constraint: the history table is append-only (triggers) and
    # its hash chain is what reports a missing record; a constraint would turn
    # such a record into a failed write elsewhere instead of a verifier finding.
    history_entry = models.ForeignKey(
        HistoryEntry, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    document_number = models.CharField(max_length=60, blank=True, default="", help_text="Given when rendered, unless set")
    issued_on = models.DateField()
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="letters")
    subject = models.CharField(max_length=300)
    content = models.JSONField()
    deadline_stated = models.DateField(null=True, blank=True)
    deadline_effective = models.DateField(null=True, blank=True)
    basis = models.JSONField(
        default=dict, blank=True, help_text="What triggered it: schedule version and step, reminder rule …"
    )
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    batch = models.ForeignKey(LetterBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LetterKind.values), name="letter_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=LetterStatus.values), name="letter_status_valid"),
            models.CheckConstraint(
                condition=Q(status=LetterStatus.PENDING) | (~Q(sha256="") & ~Q(document_number="")),
                name="rendered_letter_has_hash_and_number",
            ),
            models.UniqueConstraint(
                fields=["batch", "recipient"],
                condition=Q(batch__isnull=False),
                name="one_letter_per_recipient_in_batch",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["document_number"])]

    def __str__(self) -> str:
        return f"{self.document_number or '(unnumbered)'} {self.subject}"


# ---------------------------------------------------------------- reminders


class ReminderRule(models.Model):
    """When a reminder goes out, in business days relative to a case's effective deadline."""

    code = models.SlugField(max_length=40, unique=True)
    label_ja = models.CharField(max_length=60)
    label_en = models.CharField(max_length=60)
    offset_business_days = models.SmallIntegerField(
        unique=True, help_text="Negative: business days before the deadline; positive: after it"
    )
    letter_kind = models.CharField(
        max_length=20,
        choices=[(LetterKind.REMINDER, LetterKind.REMINDER.label), (LetterKind.OVERDUE_DEMAND, LetterKind.OVERDUE_DEMAND.label)],
    )
    subject_suffix_ja = models.CharField(max_length=20, help_text="Ends the subject instead of （依頼）, e.g. （再依頼）")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_business_days"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(letter_kind=LetterKind.REMINDER) & Q(offset_business_days__lte=0))
                | (Q(letter_kind=LetterKind.OVERDUE_DEMAND) & Q(offset_business_days__gt=0)),
                name="reminder_before_demand_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_ja} ({self.offset_business_days:+d})"


class Reminder(models.Model):
    """A reminder produced for a case: at most one per case, rule and effective deadline.

    The unique constraint is what makes ``send_reminders`` idempotent however
    many workers run it at once: the row is inserted first, and a second
    insert fails before any letter exists.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reminders")
    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="reminders")
    deadline_effective = models.DateField()
    due_on = models.DateField()
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="reminder")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "deadline_effective"], name="one_reminder_per_case_rule_deadline"
            )
        ]


# ---------------------------------------------------------------- feeds


class CalendarFeedToken(models.Model):
    """The secret in a user's iCalendar feed link; only its SHA-256 is stored.

    Rotating replaces it (the old link stops working), revoking deletes it.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
