"""Domain data: fiscal years, recipients, cases, determinations, budget notices.

Models guard their own rows (constraints, ``clean``); the process that moves a
case lives in ``workflows``. Money is integer yen everywhere.
"""


from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .catalogue import DeterminationKind, part_choices, procedure_choices, stream_choices
from .limits import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR


class CaseState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONSULTATION_REQUESTED = "consultation_requested", _("Consultation requested")
    CONSULTATION_SUBMITTED = "consultation_submitted", _("Consultation submitted")
    AMOUNT_PRESENTED = "amount_presented", _("Amount presented")
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    UNDER_REVIEW = "under_review", _("Under review")
    FORWARDED = "forwarded", _("Forwarded to the ministry")
    MINISTRY_DECISION_RECORDED = "ministry_decision_recorded", _("Ministry decision recorded (to confirm)")
    DRAFTED = "drafted", _("Drafted")
    APPROVED = "approved", _("Approved")
    NOTIFIED = "notified", _("Notified")
    REVOCATION_DRAFTED = "revocation_drafted", _("Revocation drafted")
    REVOCATION_APPROVED = "revocation_approved", _("Revocation approved")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


# Groupings live beside the enum, not inside it (a plain attribute of a
# Choices class would become a member).
TERMINAL_STATES = frozenset({CaseState.NOTIFIED, CaseState.ACCEPTED, CaseState.WITHDRAWN, CaseState.REVOKED})
OPEN_STATES = frozenset(set(CaseState) - TERMINAL_STATES)
# States in which the recipient still owes papers: reminders go to these.
AWAITING_RECIPIENT_STATES = frozenset(
    {CaseState.CONSULTATION_REQUESTED, CaseState.REQUESTED, CaseState.RETURNED}
)
# States in which the case's deadline is spent: a consultation whose amount is presented (内示) has had its
# papers; the formal request that follows sets the next deadline. Deadline calendars leave them out.
DEADLINE_SPENT_STATES = frozenset({CaseState.AMOUNT_PRESENTED})
AWAITING_SUPERVISOR_STATES = frozenset(
    {CaseState.DRAFTED, CaseState.MINISTRY_DECISION_RECORDED, CaseState.REVOCATION_DRAFTED}
)
#: States in which the case's grant was revoked (取消) whole: nothing of it stands.
GRANT_REVOKED_STATES = frozenset({CaseState.REVOKED})
# States in which a notified decision still stands: its revocation is drafted or approved, not yet notified.
DECISION_IN_FORCE_STATES = frozenset(
    {CaseState.NOTIFIED, CaseState.REVOCATION_DRAFTED, CaseState.REVOCATION_APPROVED}
)
# States in which a revocation of the case's notified decision is under way: drafted or approved, not yet notified.
REVOCATION_UNDER_WAY_STATES = DECISION_IN_FORCE_STATES - {CaseState.NOTIFIED}


class RecipientKind(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")
    MUNICIPALITY = "municipality", _("Municipality")
    WIDE_AREA_UNION = "wide_area_union", _("Wide-area union")


class MunicipalityType(models.TextChoices):
    NONE = "", _("-")
    DESIGNATED_CITY = "designated_city", _("Designated city")
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    SPECIAL_WARD = "special_ward", _("Special ward")


class Role(models.TextChoices):
    """The standard roles: Django groups of these names, granted their permissions in ``grants.roles``.

    Checks never ask for a role: they ask for a permission (``grants.access``). The names
    label the role an act is recorded under in the history and the demo users.
    """

    OFFICER = "officer", _("Grants officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class FiscalYear(models.Model):
    """A fiscal year (April to March) the bureau administers; ``year`` is the April year."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.CheckConstraint(condition=Q(year__gte=FIRST_FISCAL_YEAR) & Q(year__lte=LAST_FISCAL_YEAR), name="fiscal_year_in_reiwa")]

    def __str__(self) -> str:
        return f"FY{self.year}"


def bureau_prefectures() -> tuple[str, ...]:
    """The prefectures the bureau serves (setting ``BUREAU_PREFECTURES``, read at each call)."""
    return tuple(settings.BUREAU_PREFECTURES)


class RecipientQuerySet(models.QuerySet):
    @staticmethod
    def _active_q() -> Q:
        return Q(retired_on__isnull=True, prefecture_code__in=bureau_prefectures())

    def active(self) -> "RecipientQuerySet":
        """Recipients that take cases: still on the national list, in a prefecture the bureau serves."""
        return self.filter(self._active_q())

    def inactive(self) -> "RecipientQuerySet":
        """Recipients on file that take no cases: retired, or outside the bureau's prefectures."""
        return self.exclude(self._active_q())


class Recipient(models.Model):
    """A body that applies for or receives a grant: prefecture, municipality or wide-area union.

    Every local government in Japan is on file (``grants/data/README.md``);
    ``code`` is the official one (``grants/local_governments.py`` says which).
    Rows are never deleted: one that leaves the national list is retired.
    """

    code = models.CharField(_("official code"), max_length=32, unique=True)
    name_ja = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(
        _("reading (kana)"), max_length=120, blank=True, default="", help_text=_("Reading in full-width katakana")
    )
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=20, choices=RecipientKind.choices)
    municipality_type = models.CharField(
        _("municipality type"), max_length=20, choices=MunicipalityType.choices, blank=True, default=""
    )
    prefecture_code = models.CharField(
        _("prefecture code"), max_length=2, help_text=_("JIS X 0401 code of the prefecture it belongs to")
    )
    addressee_ja = models.CharField(
        _("addressee of letters"),
        max_length=120,
        help_text=_("Addressee line of letters, e.g. 埼玉県福祉部地域包括ケア課長　殿"),
    )
    former_code = models.CharField(
        _("former code"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("The code it had before its official one (its history may name it)"),
    )
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("The day a load found it no longer on the national list; it takes no new cases"),
    )

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["prefecture_code", "kind", "code"]
        indexes = [models.Index(fields=["prefecture_code", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="prefecture") | Q(code=models.F("prefecture_code")),
                name="prefecture_code_is_own_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="municipality") | Q(municipality_type=""),
                name="municipality_type_only_for_municipalities",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ja

    @property
    def local_name(self) -> str:
        """The name in the reader's language (the Japanese name when no English one is kept)."""
        return self.name_ja if (get_language() or "ja").startswith("ja") or not self.name_en else self.name_en

    @property
    def is_active(self) -> bool:
        """Takes cases (``RecipientQuerySet.active``)."""
        return self.retired_on is None and self.prefecture_code in bureau_prefectures()


class Scope(models.Model):
    """One stream in one prefecture a user is limited to, for every read and act (``grants.access``).

    A user with scope rows works only on the cases, letters and money of those
    streams and prefectures; a user without rows works on everything when they
    hold ``grants.work_bureau_wide`` (supervisors, auditors) and on nothing otherwise.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scopes", verbose_name=_("user"))
    stream = models.CharField(_("stream"), max_length=40, choices=stream_choices)
    prefecture_code = models.CharField(_("prefecture code"), max_length=2)

    class Meta:
        verbose_name = _("scope row")
        verbose_name_plural = _("scope rows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "stream", "prefecture_code"],
                name="unique_scope",
                violation_error_message=_("This user already has this stream in this prefecture."),
            )
        ]
        permissions = [("work_bureau_wide", "Work on every stream and prefecture (when the user has no scope rows)")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_stream_display()} {self.prefecture_code}"


class UserProfile(models.Model):
    """What the bureau keeps about a user beside Django's account: whether it is the system's own."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    is_system = models.BooleanField(
        default=False,
        help_text="Scheduled jobs and operators at the command line act as this user; it never signs in.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_system"], condition=Q(is_system=True), name="one_system_user")
        ]


class ProcedureYear(models.Model):
    """How one procedure runs in one fiscal year (the yearly data that is not a date): its definition
    in force, written from the year's schedule (``grants.procedures``)."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT)
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    procedure = models.CharField(max_length=40, choices=procedure_choices)
    definition = models.JSONField(
        default=dict, blank=True, help_text="The procedure's shape this year (pre-consultation, rounds, letters)"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Raised by every change of the definition")
    schedule = models.CharField(max_length=60, blank=True, default="", help_text="The schedule version it came from")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "stream", "part", "procedure"], name="unique_procedure_year")
        ]


class Case(models.Model):
    """One procedure of one stream (and part) for one fiscal year and one recipient.

    ``state`` is written by ``workflows.services.case_transition`` only.
    """

    # no index of its own: three of the indexes below lead with it, and every act would keep a fourth
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="cases", db_index=False)
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    procedure = models.CharField(max_length=40, choices=procedure_choices)
    # no index of its own: the (recipient, fiscal year, stream, part) index below leads with it
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="cases", db_index=False)
    settles_fiscal_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For settlements: the fiscal year whose grant is settled"
    )
    state = models.CharField(max_length=30, choices=CaseState.choices, default=CaseState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    definition = models.JSONField(
        default=dict, blank=True, help_text="The procedure's definition of its fiscal year as it stood when the case was created"
    )
    definition_revision = models.PositiveIntegerField(null=True, blank=True)
    consultation_round = models.PositiveSmallIntegerField(default=0, help_text="Consultation rounds requested so far")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )

    amount_consulted = models.PositiveBigIntegerField(null=True, blank=True)
    amount_presented = models.PositiveBigIntegerField(null=True, blank=True)
    amount_requested = models.PositiveBigIntegerField(null=True, blank=True)
    amount_determined = models.PositiveBigIntegerField(null=True, blank=True)
    amount_current = models.PositiveBigIntegerField(null=True, blank=True)
    amount_settled = models.PositiveBigIntegerField(null=True, blank=True)
    amounts_expected = models.JSONField(
        default=dict, blank=True,
        help_text="A demand survey's figures: integer yen the recipient expects to need, by fiscal year (\"2026\": yen)",
    )

    deadline_stated = models.DateField(null=True, blank=True)
    deadline_effective = models.DateField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_late = models.BooleanField(default=False)
    prefecture_received_on = models.DateField(
        null=True, blank=True, help_text="Papers routed through the prefecture (経由): the day the prefecture received them"
    )
    forwarded_on = models.DateField(null=True, blank=True)
    ministry_paid_amount = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="What the ministry has paid of a grant it decides (recorded events)"
    )
    ministry_paid_on = models.DateField(null=True, blank=True, help_text="The day of the ministry's latest payment")
    last_reason = models.TextField(blank=True, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline_effective", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "stream", "part", "procedure", "recipient"], name="one_case_per_procedure_year"
            ),
            models.CheckConstraint(condition=Q(state__in=CaseState.values), name="case_state_valid"),
            models.CheckConstraint(
                condition=Q(deadline_effective__isnull=True) | Q(deadline_effective__gte=models.F("deadline_stated")),
                name="effective_deadline_not_before_stated",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline_effective"]),
            models.Index(fields=["fiscal_year", "stream", "procedure"]),
            # The calendar of one fiscal year: its deadlines in a month, and those still undecided (NULL).
            models.Index(fields=["fiscal_year", "deadline_effective"]),
            # A recipient's cases, and its cases of one year, stream and part: the budget ledger's refresh of one
            # key reads them at every approval. In place of the recipient's own index (not beside it: every
            # act keeps every index of its case), and with the year in it, so that PostgreSQL takes it even
            # before it has statistics, rather than walking the year's cases by the index above.
            models.Index(fields=["recipient", "fiscal_year", "stream", "part"], name="case_recipient_year"),
        ]
        permissions = [
            ("read_case", "Read cases with their letters and money (within the user's scope)"),
            ("act_on_case", "Open cases and take the officer's steps on them (within the user's scope)"),
            ("approve_decision", "Approve, send back and revoke determinations (four eyes)"),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year_id} {self.stream}/{self.part or '-'}/{self.procedure} {self.recipient_id}"


class RevocationBasis(models.TextChoices):
    """The legal basis of a revocation (取消): only art. 17(1) (misconduct) brings 加算金 (art. 19(1))."""

    ART_17_1 = "art_17_1", _("Subsidy act art. 17(1): use against the purpose, the conditions or an order")
    OTHER = "other", _("Other ground (art. 10, art. 17(2), conditions of the grant)")


class Determination(models.Model):
    """A drafted, approved and notified decision (交付決定, 変更, 確定, 再確定, 取消, the ministry's recorded decision).

    A revocation (取消) is one too: its ``amount`` is the amount it revokes,
    it carries its ``legal_basis`` and its ``effective_on`` date, and it
    commits nothing against the budget. A recorded ministry decision carries
    the day of the ministry's notice in ``effective_on`` until a supervisor
    confirms it (then ``notified_on``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="determinations")
    kind = models.CharField(max_length=20, choices=DeterminationKind.choices)
    amount = models.PositiveBigIntegerField()
    previous_amount = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_back_reason = models.TextField(blank=True, default="")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When its drafter withdrew it (取下げ) after a supervisor sent it back"
    )
    document_number = models.CharField(max_length=60, blank=True, default="")
    notified_on = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(
        max_length=20, choices=RevocationBasis.choices, blank=True, default="",
        help_text="A revocation's legal basis (only art. 17(1) brings 加算金)",
    )
    effective_on = models.DateField(
        null=True, blank=True,
        help_text="The day a revocation takes effect (its notice's date), or the day of the ministry's notice recorded",
    )

    class Meta:
        ordering = ["case", "drafted_at", "pk"]
        indexes = [
            # The few drafts sent back, by case: the worklist asks of every case whether it has one before it
            # looks for the case's latest draft (workflows.selectors; bench/RESULTS.md, the worklist at ten national years).
            models.Index(fields=["case"], condition=~Q(sent_back_reason=""), name="determination_sent_back"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=DeterminationKind.REVOCATION) | (~Q(legal_basis="") & Q(effective_on__isnull=False)),
                name="revocation_has_basis_and_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:,} yen for case {self.case_id}"


class BudgetNotice(models.Model):
    """The ministry's budget-obligation notice (支出負担行為示達) for a stream, part and fiscal year."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT)
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    amount = models.PositiveBigIntegerField()
    received_on = models.DateField()
    reference = models.CharField(max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fiscal_year", "stream", "part", "received_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="budget_notice_positive")]
        permissions = [("record_budget_notice", "Record the ministry's budget-obligation notices")]


class BudgetCommitment(models.Model):
    """What one commitment key commits now: a recipient's grant (its decision and changes share the key ``""``) or
    an adjustment grant (the key is its procedure), at its latest approved amount, and which determination that is.

    Derived, never written by hand: ``grants.services.budget_ledger_refresh`` writes it in the act's transaction
    from the one rule of what a key commits (``grants.selectors``; docs/money.md, "The budget ledger"). A key that
    commits nothing has no row.
    """

    # No index beside the key's own: a refresh of an approval writes a row, and nothing reads them otherwise.
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+", db_index=False)
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="+", db_index=False)
    grant_key = models.CharField(max_length=40, blank=True, default="", help_text="\"\" for a grant, else the procedure")
    determination = models.ForeignKey("Determination", on_delete=models.PROTECT, related_name="+", db_index=False)
    amount = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "stream", "part", "recipient", "grant_key"], name="one_budget_commitment_per_key"
            )
        ]


class BudgetLedger(models.Model):
    """A stream, part and fiscal year's ``committed``: the sum of its keys' ``BudgetCommitment`` amounts, kept with
    them in the same transaction (docs/money.md, "The budget ledger"). Its ceiling stays the sum of its notices.

    On PostgreSQL an approval's check writes its row onto itself (with ``committed`` 0 when there is none) under the
    year's budget lock, to read it as the last holder of that lock left it; ``revision`` tells whether anything
    moved since the check's statement began (``grants.services.budget_position_serialised``).
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+", db_index=False)
    stream = models.CharField(max_length=40, choices=stream_choices)
    part = models.CharField(max_length=20, choices=part_choices, blank=True, default="")
    committed = models.BigIntegerField(default=0)  # moved by differences, which may be negative
    revision = models.PositiveBigIntegerField(default=0, help_text="Raised by every write of committed")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "stream", "part"], name="one_budget_ledger_per_year")]


class HistoryEntry(models.Model):
    """One append-only record of the decision history (docs/domain.md#history).

    The database refuses UPDATE and DELETE on this table (triggers in the
    migration). ``hash`` chains every record to the one before it.
    """

    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=20)
    subject_type = models.CharField(max_length=20)  # case, payment_run, schedule, letter, budget_notice, ...
    subject_id = models.CharField(max_length=40)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="history")
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    stream = models.CharField(max_length=40, blank=True, default="")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=40)
    source = models.CharField(max_length=30, blank=True, default="")
    target = models.CharField(max_length=30, blank=True, default="")
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    # unique; on PostgreSQL without the LIKE-pattern index Django adds (migration 0020 drops it)
    hash = models.CharField(max_length=64, unique=True)

    @property
    def took_place_earlier(self) -> date | None:
        """The day the act took place when it was entered on a later day (``occurred_on``), else None: pages show
        that day first and when it was recorded beside it."""
        day = (self.data or {}).get("occurred_on") if isinstance(self.data, dict) else None
        if not day or self.occurred_at is None:
            return None
        took_place = date.fromisoformat(day)
        return took_place if took_place < timezone.localdate(self.occurred_at) else None

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["fiscal_year", "stream"]),
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        verbose_name_plural = "history entries"
        permissions = [
            ("read_history", "Search the decision history and verify its chain"),
            ("export_history", "Export the decision history (CSV, XLSX, JSON Lines)"),
        ]


class HistoryCheckpoint(models.Model):
    """A signed checkpoint of the history's head (docs/operations.md, "The history chain").

    ``payload`` is the exact canonical JSON that ``signature`` (Ed25519, base64)
    signs; ``seq`` and ``head_id`` repeat two of its fields for lookups. Rows are
    append-only like the history itself; copies live outside the database too
    (the checkpoint directory and every export).
    """

    seq = models.PositiveIntegerField(unique=True)
    head_id = models.BigIntegerField()
    payload = models.TextField()
    signature = models.CharField(max_length=120)

    class Meta:
        ordering = ["seq"]
