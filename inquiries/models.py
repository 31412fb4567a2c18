"""The register of inquiries (疑義照会): a question a prefecture or municipality asked, and its answer."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grants.catalogue import procedure_choices, stream_choices
from grants.models import Case, Recipient


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class Inquiry(models.Model):
    """One question about a stream (and, when it names them, a procedure or a case), and its answer.

    Written by ``inquiries.services`` only: recording the question, then once its answer.
    ``business_days`` is how many business days the answer took (``calendars.business_days``),
    fixed when the answer is recorded.
    """

    received_on = models.DateField()
    asker = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="+")
    stream = models.CharField(max_length=40, choices=stream_choices)
    procedure = models.CharField(max_length=40, choices=procedure_choices, blank=True, default="")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries")
    question = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True, default="")
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    business_days = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name_plural = "inquiries"
        constraints = [
            # answered: all four answer fields set; open: none of them
            models.CheckConstraint(
                condition=(
                    Q(answered_on__isnull=True, answered_by__isnull=True, business_days__isnull=True, answer="")
                    | (Q(answered_on__isnull=False, answered_by__isnull=False, business_days__isnull=False) & ~Q(answer=""))
                ),
                name="inquiry_answered_whole",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("received_on")),
                name="inquiry_answered_not_before_received",
            ),
            models.CheckConstraint(condition=~Q(question=""), name="inquiry_has_question"),
        ]
        indexes = [models.Index(fields=["stream", "answered_on"])]
        permissions = [
            ("record_inquiry", "Record inquiries and their answers (within the user's scope)"),
        ]

    @property
    def status(self) -> str:
        return InquiryStatus.OPEN if self.answered_on is None else InquiryStatus.ANSWERED

    def __str__(self) -> str:
        return f"Inquiry {self.pk} ({self.stream}, {self.asker_id})"
