"""Recipients' master data: loading the national list of local governments, and their codes' rules.

``local_governments_load`` makes the recipients match the shipped file
(``grants/data/local_governments.csv``): it adds what is new, renames what was
renamed, retires what left the list and reinstates what came back; it never
deletes a row, since cases, letters and the history point at it. One load that
changes anything writes one history record saying what it did; a load that
changes nothing writes nothing.
"""

import csv
import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from web.errors import InvalidInput

from .access import authorize
from .history import history_append
from .local_governments import (
    DATA_FILE,
    MUNICIPALITY_CODE,
    PREFECTURE_CODE,
    UNION_CODE,
    LocalGovernment,
    LocalGovernmentFileError,
    check_digit,
    code_is_valid,
    local_governments_read,
)
from .models import Recipient, RecipientKind

# Who loads the national list: administrators keep master data; the system user is the command line.
LOAD_PERMISSION = "grants.change_recipient"
# Fields the file decides; the addressee line is the bureau's own and kept once set.
FILE_FIELDS = ("name_ja", "name_kana", "name_en", "kind", "municipality_type", "prefecture_code")


def check_digit_problem(code: str) -> str | None:
    """The refusal of a six-digit code whose check digit is wrong (None for any other input)."""
    if MUNICIPALITY_CODE.match(code) and not code_is_valid(code):
        return _("%(code)s has a wrong check digit: a municipality code starting %(first)s ends in %(digit)s.") % {
            "code": code, "first": code[:5], "digit": check_digit(code[:5])
        }
    return None


def recipient_code_problem(code: str) -> str | None:
    """Why ``code`` cannot be any recipient's code, or None when its shape is right.

    Prefectures: two digits, 01 to 47; municipalities: six digits, the last the
    check digit; wide-area unions: ``NN-wau``. Whether one is on file is
    another question.
    """
    if PREFECTURE_CODE.match(code) or UNION_CODE.match(code) or code_is_valid(code):
        return None
    return check_digit_problem(code) or _(
        "%(code)s is not a recipient code: a prefecture's two digits, a municipality's six or NN-wau for a union."
    ) % {"code": code}


#: The responsible division heads of the prefectures the bureau serves, by JIS code (grants/data/README.md).
ADDRESSEES_FILE = Path(__file__).resolve().parent / "data" / "prefecture_addressees.csv"


@functools.cache
def shipped_addressees() -> dict[str, str]:
    """Each shipped prefecture's division head its working letters go to, by code."""
    with ADDRESSEES_FILE.open(encoding="utf-8", newline="") as file:
        return {row["code"]: row["addressee_ja"] for row in csv.DictReader(file)}


def placeholder_addressee(name_ja: str) -> str:
    """The line a prefecture carried before its division head was named: never the one to keep."""
    return f"{name_ja}介護保険主管部（局）長　殿"


def default_addressee(kind: str, name_ja: str, code: str = "") -> str:
    """The addressee line of a new recipient's letters: the prefecture's division head named in master data
    (else its long-term-care department head), else the head of the body."""
    if kind == RecipientKind.PREFECTURE:
        return shipped_addressees().get(code) or placeholder_addressee(name_ja)
    return f"{name_ja}長　殿"


@dataclass
class LocalGovernmentsReport:
    """What one load did, by code."""

    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, old name, new name)
    updated: list[str] = field(default_factory=list)  # reading, English name, type or kind changed
    retired: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.renamed or self.updated or self.retired or self.reinstated)

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "renamed": [{"code": code, "from": old, "to": new} for code, old, new in self.renamed],
            "updated": self.updated,
            "retired": self.retired,
            "reinstated": self.reinstated,
            "unchanged": self.unchanged,
        }


def _apply(row: LocalGovernment, recipient: Recipient, report: LocalGovernmentsReport) -> bool:
    """Bring one stored recipient in line with its row of the file; whether anything changed."""
    before = {name: getattr(recipient, name) for name in FILE_FIELDS}
    after = {name: getattr(row, name) for name in FILE_FIELDS}
    changed = False
    if before != after:
        if before["name_ja"] != after["name_ja"]:
            report.renamed.append((row.code, before["name_ja"], after["name_ja"]))
            if recipient.addressee_ja == default_addressee(before["kind"], before["name_ja"], row.code):
                recipient.addressee_ja = default_addressee(row.kind, row.name_ja, row.code)
        else:
            report.updated.append(row.code)
        for name, value in after.items():
            setattr(recipient, name, value)
        changed = True
    if recipient.retired_on is not None:
        recipient.retired_on = None
        report.reinstated.append(row.code)
        changed = True
    named = default_addressee(row.kind, row.name_ja, row.code)
    if recipient.addressee_ja == placeholder_addressee(row.name_ja) and named != recipient.addressee_ja:
        recipient.addressee_ja = named  # the placeholder gives way to the division head shipped for it
        report.updated.append(row.code)
        changed = True
    return changed


@transaction.atomic
def local_governments_load(*, actor, path: Path = DATA_FILE, today: date | None = None) -> LocalGovernmentsReport:
    """Make the recipients match a local-government file; the report says what changed.

    Idempotent: a second load of the same file changes nothing and records
    nothing. A recipient on file but not in the file is retired (``retired_on``
    set, never deleted); one that comes back is reinstated. A bad file changes
    nothing (InvalidInput naming the line).
    """
    authorize(actor, LOAD_PERMISSION)
    try:
        rows = local_governments_read(path)
    except LocalGovernmentFileError as exc:
        raise InvalidInput(str(exc), details={"file": [str(exc)]}) from None
    today = today or timezone.localdate()
    stored = {recipient.code: recipient for recipient in Recipient.objects.select_for_update().order_by("pk")}
    report = LocalGovernmentsReport()
    new, changed = [], []
    for row in rows:
        recipient = stored.pop(row.code, None)
        if recipient is None:
            fields = {name: getattr(row, name) for name in FILE_FIELDS}
            new.append(Recipient(code=row.code, addressee_ja=default_addressee(row.kind, row.name_ja, row.code), **fields))
            report.added.append(row.code)
        elif _apply(row, recipient, report):
            changed.append(recipient)
        else:
            report.unchanged += 1
    for recipient in stored.values():
        if recipient.retired_on is None:
            recipient.retired_on = today
            report.retired.append(recipient.code)
            changed.append(recipient)
    Recipient.objects.bulk_create(new, batch_size=500)
    Recipient.objects.bulk_update(changed, [*FILE_FIELDS, "addressee_ja", "retired_on"], batch_size=500)
    if report.changed:
        history_append(
            actor=actor,
            action="local_governments_load",
            subject_type="recipient",
            subject_id=path.name,
            data={"file": path.name, **report.as_dict()},
        )
    return report
