"""Money rows: tranche plans, payable items, payment runs and their records, return claims, fund balances.

The tables keep the names they had when these models lived in the ``grants``
app (``Meta.db_table``), so data, raw SQL and history stay as they were.
Money is int yen. The database guards what it can: positive amounts, one
payment per item, four eyes on a run, the fund-balance sum.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grants.catalogue import part_choices, procedure_choices, stream_choices
from grants.models import Case, Determination, FiscalYear, Recipient, RevocationBasis

__all__ = [
    "FundBalance",
    "PaymentBasis",
    "PaymentItem",
    "PaymentPlanRule",
    "PaymentRecord",
    "PaymentRun",
    "PaymentRunState",
    "ReturnClaim",
    "ReturnClaimReceipt",
    "ReturnPayment",
    "ReturnReason",
    "RevocationBasis",
    "ShareBase",
]


class PaymentBasis(models.TextChoices):
    """Why an item is payable. The tranche names follow the FY2023 runs ①②③ (docs/domain.md#tranche-plans)."""

    TRANCHE_1 = "tranche_1", _("Tranche ①")
    TRANCHE_2 = "tranche_2", _("Tranche ②")
    TRANCHE_3_CHANGE = "tranche_3_change", _("Tranche ③ (change grant)")
    ADJUSTMENT_GRANT = "adjustment_grant", _("Adjustment grant")
    SETTLEMENT_REMAINDER = "settlement_remainder", _("Prior-year settlement: settled less paid")
    RESETTLEMENT = "resettlement", _("Re-settlement: re-settled less paid")


class ShareBase(models.TextChoices):
    """What the percentages of a procedure-year's plan are shares of."""

    AMOUNT = "amount", _("The notified amount")
    INCREASE = "increase", _("The increase over the previous amount")
    CUMULATIVE = "cumulative", _("The notified amount less what the grant was already issued")


class PaymentPlanRule(models.Model):
    """One payment that a notified determination of a procedure creates in a fiscal year.

    Tranche plans are data because they change from year to year (FY2023: ①
    50 %, ② 25 %, ③ 75 % of the increase; FY2025: one payment in March). The
    rules of one procedure-year share one base; what their percentages leave
    over is paid or reclaimed at the settlement, as settled − paid.
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="payment_plan_rules")
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    procedure = models.CharField(max_length=40, choices=procedure_choices)
    sequence = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=30, choices=PaymentBasis.choices)
    base = models.CharField(max_length=20, choices=ShareBase.choices)
    percent = models.PositiveSmallIntegerField()
    run_on = models.DateField(help_text="The payment run the share is due for")
    source = models.CharField(max_length=200, blank=True, default="", help_text="Where the rule comes from")

    class Meta:
        db_table = "grants_paymentplanrule"
        ordering = ["fiscal_year", "stream", "part", "procedure", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "stream", "part", "procedure", "sequence"], name="unique_payment_plan_rule"
            ),
            models.CheckConstraint(condition=Q(percent__gte=1) & Q(percent__lte=100), name="plan_percent_1_to_100"),
            models.CheckConstraint(condition=Q(basis__in=PaymentBasis.values), name="plan_basis_valid"),
            models.CheckConstraint(condition=Q(base__in=ShareBase.values), name="plan_base_valid"),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year_id} {self.stream}/{self.part or '-'}/{self.procedure} {self.basis} {self.percent}%"


class PaymentRunState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    EXECUTED = "executed", _("Executed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRun(models.Model):
    """A dated batch of payments across procedures and budget years, netted per recipient.

    ``state`` is written by ``payments.services`` through the run's state
    machine only (draft → approved → executed; a draft may instead be cancelled,
    which releases its items to a later run).
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="payment_runs")
    run_on = models.DateField(help_text="The day the money reaches the recipients")
    state = models.CharField(max_length=20, choices=PaymentRunState.choices, default=PaymentRunState.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "grants_paymentrun"
        ordering = ["run_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PaymentRunState.values), name="payment_run_state_valid"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")), name="payment_run_four_eyes"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[PaymentRunState.DRAFT, PaymentRunState.CANCELLED]) | Q(approved_by__isnull=False),
                name="payment_run_approved_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(state=PaymentRunState.EXECUTED) | Q(executed_by__isnull=False),
                name="payment_run_executed_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(executed_by__isnull=True) | ~Q(executed_by=F("approved_by")),
                name="payment_run_executor_not_approver",
            ),
        ]
        permissions = [
            ("prepare_payment_run", "Draft, execute and cancel payment runs"),
            ("approve_payment_run", "Approve payment runs (four eyes)"),
        ]

    def __str__(self) -> str:
        return f"payment run {self.run_on} ({self.state})"


class PaymentItem(models.Model):
    """An amount owed to a recipient under one notified determination, due for the run of ``due_on``.

    Amounts are positive: money owed back is a ``ReturnClaim``. An item that a
    later, lower determination or a revocation takes back before it is paid is
    withdrawn (and, when only part of it goes, replaced by a smaller item).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_items")
    determination = models.ForeignKey(Determination, on_delete=models.PROTECT, related_name="payment_items")
    # no index of its own: the (recipient, budget year) index leads with it
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="payment_items", db_index=False)
    budget_year = models.PositiveSmallIntegerField(help_text="The fiscal year whose grant the money belongs to")
    basis = models.CharField(max_length=30, choices=PaymentBasis.choices)
    amount = models.PositiveBigIntegerField()
    due_on = models.DateField(help_text="The earliest payment run that pays it")
    run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="items",
        help_text="The run that carries it, from the moment the run is drafted",
    )
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The case whose lower determination or revocation withdrew it",
    )
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "grants_paymentitem"
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_item_positive"),
            models.CheckConstraint(condition=Q(basis__in=PaymentBasis.values), name="payment_item_basis_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(run__isnull=True), name="withdrawn_item_in_no_run"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(run__isnull=True, withdrawn_on__isnull=True), name="item_unassigned_due"
            ),
            models.Index(fields=["recipient", "budget_year"]),
            models.Index(fields=["budget_year"]),  # what a fiscal year's grants were paid (the dashboard)
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.amount:,} yen to {self.recipient_id} due {self.due_on}"


class PaymentRecord(models.Model):
    """The fact that an executed run paid an item.

    ``item`` is unique: the database refuses a second payment of an item,
    whichever run or retry attempts it.
    """

    item = models.OneToOneField(PaymentItem, on_delete=models.PROTECT, related_name="payment")
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveBigIntegerField()
    paid_on = models.DateField()

    class Meta:
        db_table = "grants_paymentrecord"
        ordering = ["run", "item"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_record_positive")]


class ReturnReason(models.TextChoices):
    """Where the subsidy act orders a return (art. 18): a settlement below what was paid, or a revocation.

    ``reduction`` stays for claims recorded before a change stopped creating
    claims (a change below what was paid withdraws unpaid items and carries the
    rest to the settlement); no new claim gets it.
    """

    SETTLEMENT = "settlement", _("Settled below what was paid")
    REDUCTION = "reduction", _("Changed below what was paid")
    REVOCATION = "revocation", _("Grant decision revoked")


class ReturnClaim(models.Model):
    """A demand that a recipient pay money back (返還), due on a business day.

    Interest under the subsidy act (art. 19) is computed as of any date from
    the receipts and the payments (``selectors.return_claim_balance``); only
    the facts are stored.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="return_claims")
    determination = models.ForeignKey(
        Determination, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The determination that lowered the amount, or the one revoked",
    )
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="return_claims")
    budget_year = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    principal = models.PositiveBigIntegerField()
    noticed_on = models.DateField()
    due_on = models.DateField()
    surcharge_applies = models.BooleanField(
        help_text="加算金 from the day of receipt: returns ordered on a revocation under art. 17(1) (art. 19(1))"
    )
    revocation_basis = models.CharField(
        max_length=20, choices=RevocationBasis.choices, blank=True, default="",
        help_text="For a claim ordered on a revocation: the revocation's legal basis",
    )
    closed_on = models.DateField(
        null=True, blank=True, help_text="The day the repayment that left nothing owed was paid"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "grants_returnclaim"
        ordering = ["noticed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="return_claim_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=F("noticed_on")), name="return_claim_due_after_notice"),
            models.CheckConstraint(condition=Q(reason__in=ReturnReason.values), name="return_claim_reason_valid"),
        ]
        permissions = [("record_repayment", "Record money paid back on return claims (within the user's scope)")]

    def __str__(self) -> str:
        return f"return claim {self.principal:,} yen from {self.recipient_id} due {self.due_on}"


class ReturnClaimReceipt(models.Model):
    """The part of a claim's principal received on one day; 加算金 on it runs from that day."""

    claim = models.ForeignKey(ReturnClaim, on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField()
    amount = models.PositiveBigIntegerField()

    class Meta:
        db_table = "grants_returnclaimreceipt"
        ordering = ["claim", "received_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="return_receipt_positive")]


class ReturnPayment(models.Model):
    """Money a recipient paid back on a claim; it goes to the principal first (art. 19(3))."""

    claim = models.ForeignKey(ReturnClaim, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField()
    amount = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=100, blank=True, default="", help_text="納付書番号 or bank reference")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "grants_returnpayment"
        ordering = ["claim", "paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="return_payment_positive")]


class FundBalance(models.Model):
    """The medical-care fund (基金) of one prefecture in one fiscal year.

    The database holds the sum (closing = opening + contributions + interest −
    spending); the import service holds continuity between years (a closing
    equals the next opening), which spans rows.
    """

    prefecture = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="fund_balances")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    opening = models.PositiveBigIntegerField()
    national_contribution = models.PositiveBigIntegerField()
    prefectural_contribution = models.PositiveBigIntegerField()
    interest = models.PositiveBigIntegerField()
    spending = models.PositiveBigIntegerField()
    closing = models.PositiveBigIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "grants_fundbalance"
        ordering = ["prefecture", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "fiscal_year"], name="one_fund_balance_per_year"),
            models.CheckConstraint(
                condition=Q(
                    closing=F("opening")
                    + F("national_contribution")
                    + F("prefectural_contribution")
                    + F("interest")
                    - F("spending")
                ),
                name="fund_balance_sums",
            ),
        ]
        permissions = [("import_fund_balances", "Import fund balances (within the user's scope)")]

    def __str__(self) -> str:
        return f"fund {self.prefecture_id} FY{self.fiscal_year_id}: {self.closing:,} yen"
