"""Writes on domain data that are not state transitions."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from web.errors import InvalidInput
from web.rows import first_row, shared_read

from .access import authorize
from .catalogue import is_valid_combination, procedure_get, stream_get
from .errors import DuplicateCase
from .history import history_append
from .limits import EARLIEST_DATE, FIRST_FISCAL_YEAR, LATEST_DATE, MAX_YEN
from .models import BudgetNotice, Case, FiscalYear, ProcedureYear, Recipient, Scope, bureau_prefectures
from .procedures import definition_full, definition_problems
from .recipients import check_digit_problem
from .selectors import fiscal_year_on_file, procedure_year_definition

def _settled_year(stream: str, procedure: str, fiscal_year: int, settles: int | None) -> int | None:
    """The fiscal year a settlement settles (default: the nearest it may, as its spec says); None for others."""
    spec = procedure_get(stream, procedure)
    if not spec.settles:
        if settles is not None:
            raise InvalidInput(details={"settles_fiscal_year": [_("Only a settlement settles an earlier fiscal year.")]})
        return None
    least, most = spec.settles_years_back
    settles = fiscal_year - least if settles is None else settles
    back = fiscal_year - settles
    if back < least or (most is not None and back > most) or settles < FIRST_FISCAL_YEAR:
        if least == most:
            rule = _("A %(procedure)s settles a fiscal year %(least)s year(s) before %(year)s.")
        else:
            rule = _("A %(procedure)s settles a fiscal year at least %(least)s year(s) before %(year)s.")
        raise InvalidInput(
            details={"settles_fiscal_year": [rule % {"procedure": procedure, "least": least, "year": fiscal_year}]}
        )
    return settles


def _recipient_taking_cases(code: str) -> Recipient:
    """The recipient of a new case: on file, in a prefecture the bureau serves, not retired (InvalidInput otherwise)."""
    problem = check_digit_problem(code)
    if problem:
        raise InvalidInput(details={"recipient": [problem]})
    try:
        recipient = Recipient.objects.get(code=code)
    except Recipient.DoesNotExist:
        raise InvalidInput(details={"recipient": [_("Unknown recipient code %(code)r.") % {"code": code}]}) from None
    if recipient.retired_on is not None:
        message = _("%(name)s (%(code)s) left the national list on %(day)s and takes no new cases.")
        raise InvalidInput(details={"recipient": [message % {"name": recipient.name_ja, "code": code, "day": recipient.retired_on}]})
    if not recipient.is_active:
        message = _("%(name)s (%(code)s) is in a prefecture this bureau does not serve.")
        raise InvalidInput(details={"recipient": [message % {"name": recipient.name_ja, "code": code}]})
    return recipient


@transaction.atomic
def case_create(
    *,
    actor,
    fiscal_year: int,
    stream: str,
    part: str,
    procedure: str,
    recipient_code: str,
    settles_fiscal_year: int | None = None,
    occurred_on: date | None = None,
) -> Case:
    """Open a case in ``planned`` (``grants.act_on_case`` within the actor's scope), one per procedure-year
    and recipient."""
    authorize(actor, "grants.act_on_case")
    part = part or ""
    if not is_valid_combination(stream, part, procedure):
        raise InvalidInput(
            details={
                "procedure": [
                    _("%(stream)s/%(part)s has no procedure %(procedure)r.")
                    % {"stream": stream, "part": part or "-", "procedure": procedure}
                ]
            }
        )
    year = fiscal_year_on_file(year=fiscal_year)
    recipient = _recipient_taking_cases(recipient_code)
    if recipient.kind not in stream_get(stream).recipient_kinds:
        raise InvalidInput(
            details={
                "recipient": [
                    _("A %(kind)s is not a recipient of %(stream)s.") % {"kind": recipient.kind, "stream": stream}
                ]
            }
        )
    authorize(actor, "grants.act_on_case", stream=stream, prefecture=recipient.prefecture_code)
    settles_fiscal_year = _settled_year(stream, procedure, year.year, settles_fiscal_year)
    if occurred_on is not None and not EARLIEST_DATE <= occurred_on <= timezone.localdate():
        raise InvalidInput(details={"occurred_on": [_("A case cannot be opened on a day in the future.")]})
    # The case keeps its year's definition as it stands now, whatever a later edit of the schedule says.
    definition, revision = procedure_year_definition(
        fiscal_year=year.year, stream=stream, part=part, procedure=procedure
    )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                fiscal_year=year,
                stream=stream,
                part=part,
                procedure=procedure,
                recipient=recipient,
                settles_fiscal_year=settles_fiscal_year,
                officer=actor,
                definition=definition,
                definition_revision=revision,
            )
    except IntegrityError:
        raise DuplicateCase() from None
    history_append(
        actor=actor,
        action="create",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        target=case.state,
        data={
            "procedure": procedure,
            "part": part,
            "settles_fiscal_year": settles_fiscal_year,
            "definition": definition,
            "definition_revision": revision,
            # a case opened for a past act (paper history) began on that act's day
            **({"occurred_on": occurred_on.isoformat()} if occurred_on is not None else {}),
        },
    )
    return case


def procedure_year_define(*, actor, fiscal_year: int, stream: str, procedure: str, definition: dict, schedule: str) -> bool:
    """Write a procedure's definition of a fiscal year (every part of its stream), from the schedule in force.

    Called by the schedules app whenever the year's schedule changes, inside
    its transaction; a changed definition raises the revision and writes one
    history record with both shapes. Cases already open keep their copy.
    Returns whether anything changed.
    """
    authorize(actor, "schedules.edit_schedule")
    problems = definition_problems(definition)
    if problems:
        raise InvalidInput(details={f"definition.{name}" if name else "definition": texts for name, texts in problems.items()})
    full = definition_full(stream, procedure, definition)
    year, _created = FiscalYear.objects.get_or_create(year=fiscal_year)  # a rolled-forward year is set up with its plan
    changed = False
    for part in stream_get(stream).part_codes:
        row, created = ProcedureYear.objects.select_for_update().get_or_create(
            fiscal_year=year, stream=stream, part=part, procedure=procedure,
            defaults={"definition": full, "schedule": schedule},
        )
        before = None if created else row.definition
        if before == full:
            continue
        if not created:
            row.definition, row.schedule, row.revision = full, schedule, row.revision + 1
            row.save(update_fields=["definition", "schedule", "revision"])
        changed = True
        history_append(
            actor=actor,
            action="procedure_definition",
            subject_type="procedure_year",
            subject_id=str(row.pk),
            fiscal_year=fiscal_year,
            stream=stream,
            data={"procedure": procedure, "part": part, "schedule": schedule, "before": before, "after": full, "revision": row.revision},
        )
    return changed


@transaction.atomic
def budget_notice_record(
    *, actor, fiscal_year: int, stream: str, part: str, amount: int, received_on: date, reference: str
) -> BudgetNotice:
    """Record the ministry's budget-obligation notice (``grants.record_budget_notice``: supervisors)."""
    authorize(actor, "grants.record_budget_notice")
    part = part or ""
    info = stream_get(stream)
    if info is None or part not in info.part_codes:
        raise InvalidInput(
            details={"stream": [_("Unknown stream/part %(stream)s/%(part)s.") % {"stream": stream, "part": part or "-"}]}
        )
    if not info.bureau_decides:
        raise InvalidInput(details={"stream": [_("The ministry decides this stream; it takes no budget notice here.")]})
    if not isinstance(amount, int) or not 0 < amount <= MAX_YEN:
        raise InvalidInput(
            details={"amount": [_("Must be a whole number of yen from 1 to %(most)s.") % {"most": f"{MAX_YEN:,}"}]}
        )
    if not EARLIEST_DATE <= received_on <= LATEST_DATE:
        raise InvalidInput(
            details={
                "received_on": [
                    _("Must be between %(earliest)s and %(latest)s.") % {"earliest": EARLIEST_DATE, "latest": LATEST_DATE}
                ]
            }
        )
    reference = reference.strip()
    if not reference:
        raise InvalidInput(details={"reference": [_("Required.")]})
    notice = BudgetNotice.objects.create(
        fiscal_year=fiscal_year_on_file(year=fiscal_year),
        stream=stream,
        part=part,
        amount=amount,
        received_on=received_on,
        reference=reference,
        recorded_by=actor,
    )
    history_append(
        actor=actor,
        action="budget_notice_record",
        subject_type="budget_notice",
        subject_id=notice.pk,
        fiscal_year=fiscal_year,
        stream=stream,
        data={"part": part, "amount": amount, "received_on": received_on.isoformat(), "reference": reference},
    )
    return notice



def budget_checks_serialised(*, fiscal_year: int, stream: str, part: str) -> None:
    """Make the budget checks of one fiscal year's stream and part take turns until this transaction ends.

    An approval reads what the others committed (docs/money.md, "The budget
    ceiling"). On PostgreSQL, under READ COMMITTED, two approvals at once would
    each miss the other and could together pass the ceiling: a transaction
    advisory lock named after the year, stream and part serialises them, taken
    after the case's lock (docs/architecture.md, "Lock order"). SQLite's
    IMMEDIATE write lock already serialises every act.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        key = f"budget:{fiscal_year}:{stream}:{part}"
        # once per act, or per chunk of a bulk approval (``web.rows.shared_reads``): the lock is held to COMMIT
        shared_read(("lock", key), lambda: first_row("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key]))


#: What a user may do beside their scope rows: the account's flags, their groups (roles) and own permissions.
USER_FLAGS = ("is_active", "is_staff", "is_superuser")


def _access_of(user) -> dict:
    permissions = user.user_permissions.select_related("content_type")
    return {
        **{flag: getattr(user, flag) for flag in USER_FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions),
    }


@transaction.atomic
def user_save(*, actor, user, groups=None, permissions=None):
    """Save an account and, when given, its groups (roles) and own permissions (``auth.add_user`` /
    ``auth.change_user``: administrators). The history records what the user may do before and after
    (flags, groups, permissions) whenever that changes; names and addresses alone are not recorded."""
    authorize(actor, "auth.change_user" if user.pk else "auth.add_user")
    before = None
    if user.pk:
        before = _access_of(type(user).objects.select_for_update().get(pk=user.pk))
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    after = _access_of(user)
    if before != after:
        history_append(
            actor=actor,
            action="user_create" if before is None else "user_access_update",
            subject_type="user",
            subject_id=user.pk,
            data={"user": user.username, "before": before, "after": after},
        )
    return user


def _group_access(group) -> dict:
    permissions = group.permissions.select_related("content_type")
    return {
        "name": group.name,
        "permissions": sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions),
    }


@transaction.atomic
def group_save(*, actor, group, permissions=None):
    """Save a group (a role) and, when given, its permissions (``auth.add_group`` / ``auth.change_group``:
    administrators); the history records its name and permissions before and after when they change."""
    authorize(actor, "auth.change_group" if group.pk else "auth.add_group")
    before = _group_access(type(group).objects.select_for_update().get(pk=group.pk)) if group.pk else None
    group.save()
    if permissions is not None:
        group.permissions.set(permissions)
    after = _group_access(group)
    if before != after:
        history_append(
            actor=actor,
            action="group_create" if before is None else "group_update",
            subject_type="group",
            subject_id=group.pk,
            data={"before": before, "after": after},
        )
    return group


@transaction.atomic
def group_delete(*, actor, group) -> None:
    """Remove a group (``auth.delete_group``); the history keeps its permissions and who was in it."""
    authorize(actor, "auth.delete_group")
    members = sorted(group.user_set.values_list("username", flat=True))
    history_append(
        actor=actor,
        action="group_delete",
        subject_type="group",
        subject_id=group.pk,
        data={"deleted": _group_access(group), "members": members},
    )
    group.delete()


def _scope_record(*, actor, scope: Scope, act: str, data: dict) -> None:
    history_append(
        actor=actor,
        action=f"scope_{act}",
        subject_type="scope",
        subject_id=scope.pk,
        stream=scope.stream,
        data={"user": scope.user.username, "stream": scope.stream, "prefecture": scope.prefecture_code, **data},
    )


@transaction.atomic
def scope_save(*, actor, scope: Scope) -> Scope:
    """Limit a user to a stream in a prefecture, or change such a row (``grants.add_scope`` /
    ``grants.change_scope``: administrators); the history records who may now read and act where."""
    authorize(actor, "grants.change_scope" if scope.pk else "grants.add_scope")
    before = Scope.objects.select_for_update().filter(pk=scope.pk).values("stream", "prefecture_code").first()
    scope.full_clean()
    if scope.prefecture_code not in bureau_prefectures():
        raise ValidationError({"prefecture_code": _("Choose one of the prefectures the bureau serves.")})
    scope.save()
    _scope_record(actor=actor, scope=scope, act="update" if before else "create", data={"before": before})
    return scope


@transaction.atomic
def scope_delete(*, actor, scope: Scope) -> None:
    """Remove a scope row (``grants.delete_scope``); a user left without rows reads and acts nowhere
    unless their role works bureau-wide. The history keeps what the row said."""
    authorize(actor, "grants.delete_scope")
    _scope_record(actor=actor, scope=scope, act="delete", data={})
    scope.delete()
