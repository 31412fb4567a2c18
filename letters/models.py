"""Letters and reminders: outgoing letters, their batches, reminder rules and the reminders sent.

Letters are stored documents linked to their case and to the history record
of the act that issued them. The tables keep the names they had in the
``calendars`` app (``Meta.db_table``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grants.models import Case, HistoryEntry, Recipient


class LetterKind(models.TextChoices):
    REQUEST = "request", _("Request (依頼)")
    COVERING_REQUEST = "covering_request", _("Request to the prefecture for its municipalities (依頼)")
    REMINDER = "reminder", _("Reminder")
    OVERDUE_DEMAND = "overdue_demand", _("Overdue demand (督促)")
    PRESENTATION = "presentation", _("Informal notice of the amount (内示・提示)")
    DECISION_NOTICE = "decision_notice", _("Decision notice")
    SETTLEMENT_NOTICE = "settlement_notice", _("Settlement notice")
    PAYMENT_NOTICE = "payment_notice", _("Payment notice")
    REVOCATION_NOTICE = "revocation_notice", _("Revocation notice (取消通知)")
    RETURN_ORDER = "return_order", _("Return order (返還命令)")


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
        db_table = "calendars_letterbatch"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "letter batches"
        permissions = [("batch_letters", "Gather letters into a batch to print or download together")]

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
    # no index of its own: ``one_letter_per_recipient_in_batch`` leads with it wherever it is set
    batch = models.ForeignKey(
        LetterBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="letters", db_index=False
    )
    #: A request to a routed municipality: the request to its prefecture that lists it (経由), once issued.
    covered_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="covered_requests"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "calendars_letter"
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

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_ja = models.CharField(_("label (Japanese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60)
    offset_business_days = models.SmallIntegerField(
        _("business days from the deadline"),
        unique=True, help_text=_("Negative: business days before the deadline; positive: after it"),
    )
    letter_kind = models.CharField(
        _("letter kind"),
        max_length=20,
        choices=[(LetterKind.REMINDER, LetterKind.REMINDER.label), (LetterKind.OVERDUE_DEMAND, LetterKind.OVERDUE_DEMAND.label)],
    )
    subject_suffix_ja = models.CharField(
        _("end of the subject"), max_length=20, help_text=_("Ends the subject instead of （依頼）, e.g. （再依頼）")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        db_table = "calendars_reminderrule"
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
        db_table = "calendars_reminder"
        ordering = ["-due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "deadline_effective"], name="one_reminder_per_case_rule_deadline"
            )
        ]


class FollowUp(models.Model):
    """A renewed request (再依頼) an officer sent by hand for an overdue case: at most one per case a day.

    The unique constraint is what holds the rule when two officers press the
    button at the same moment; its letter is an overdue demand worded as the
    daily job words one (``letter_texts.reminder_wording``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    sent_on = models.DateField()
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="follow_up")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["case", "sent_on"], name="one_follow_up_per_case_a_day")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.sent_on}"
