"""The decision history: append-only, hash-chained (docs/architecture.md#the-history-chain).

``history_append`` is called inside the transaction of the act it records, so
an act and its record commit or roll back together. Appends are serialised
(SQLite: the IMMEDIATE write lock; PostgreSQL: a transaction-level advisory
lock) so the chain never forks.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from web.rows import update_statement

from .access import authorize
from .models import Case, HistoryEntry, Recipient
from .roles import primary_role

GENESIS_HASH = "0" * 64
_PG_CHAIN_LOCK = 7_340_001  # arbitrary constant naming the chain's advisory lock
_MISSING_ROW = "history_append: a row the act saves with its record does not exist"


_HASHED = ("occurred_at", "actor", "actor_role", "subject_type", "subject_id", "case", "fiscal_year", "stream",
           "recipient", "action", "source", "target", "data")
# Each hashed field's attribute and column (``actor`` is stored as ``actor_id``).
_COLUMNS = tuple(HistoryEntry._meta.get_field(name).attname for name in _HASHED)


def _dumps(body: dict) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _canonical_around_prev(values: dict) -> tuple[str, str]:
    """The canonical JSON of a record, split where its ``prev_hash`` goes.

    The whole text is ``_dumps`` of the record's fields with ``prev_hash``;
    split, PostgreSQL can hash a new record in the statement that takes the
    chain lock, reads the head and inserts the record (``_insert_sql``).
    """
    body = {
        "occurred_at": values["occurred_at"].astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        **{name: values[name] for name in _HASHED[1:]},
    }
    before = {key: value for key, value in body.items() if key < "prev_hash"}
    after = {key: value for key, value in body.items() if key > "prev_hash"}
    return _dumps(before)[:-1] + ',"prev_hash":"', '",' + _dumps(after)[1:]


def entry_hash(entry: HistoryEntry) -> str:
    head, tail = _canonical_around_prev({name: getattr(entry, column) for name, column in zip(_HASHED, _COLUMNS)})
    return hashlib.sha256(f"{head}{entry.prev_hash}{tail}".encode()).hexdigest()


@cache
def _insert_sql(vendor: str, updates: tuple[str, ...] = ()) -> str:
    table = HistoryEntry._meta.db_table
    columns = ", ".join([*_COLUMNS, "prev_hash", "hash"])
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    if vendor == "postgresql":
        # Lock the chain, read its head, hash and insert, with the act's UPDATEs: one round trip.
        saved = [f"saved{number}" for number in range(len(updates))]
        with_clause = ", ".join(f"{name} AS ({sql} RETURNING 1)" for name, sql in zip(saved, updates))
        return (
            (f"WITH {with_clause} " if updates else "")
            + f"INSERT INTO {table} ({columns}) "
            f"SELECT {placeholders}, head.hash, encode(sha256(convert_to(%s::text || head.hash || %s::text, 'UTF8')), 'hex') "
            f"FROM (SELECT COALESCE({table}_lock_head(%s), '{GENESIS_HASH}') AS hash) head"
            + "".join(f", {name}" for name in saved)
            + " RETURNING id, prev_hash, hash"
        )
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders}, %s, %s) RETURNING id, prev_hash, hash"


def _insert(values: dict, updates: list[tuple[str, list]]) -> tuple[int, str, str]:
    """Serialise on the chain, link the record to its head and insert it; return id, prev_hash and hash."""
    head, tail = _canonical_around_prev(values)
    fields = [HistoryEntry._meta.get_field(column) for column in _COLUMNS]
    params = [field.get_db_prep_save(values[name], connection) for field, name in zip(fields, _HASHED)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = _insert_sql("postgresql", tuple(update_sql for update_sql, _ in updates))
            update_params = [param for _, update_params in updates for param in update_params]
            cursor.execute(sql, [*update_params, *params, head, tail, _PG_CHAIN_LOCK])
            row = cursor.fetchone()
            if row is None:  # an UPDATE matched no row, so nothing was inserted
                raise RuntimeError(_MISSING_ROW)
            return row
        for update in updates:
            cursor.execute(*update)
            if cursor.rowcount == 0:
                raise RuntimeError(_MISSING_ROW)
        # SQLite's IMMEDIATE write lock already serialises appends.
        cursor.execute(f"SELECT hash FROM {HistoryEntry._meta.db_table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
        prev = row[0] if row else GENESIS_HASH
        digest = hashlib.sha256(f"{head}{prev}{tail}".encode()).hexdigest()
        cursor.execute(_insert_sql(connection.vendor), [*params, prev, digest])
        return cursor.fetchone()


def history_append(
    *,
    actor,
    action: str,
    subject_type: str,
    subject_id: str | int,
    case: Case | None = None,
    fiscal_year: int | None = None,
    stream: str = "",
    recipient: Recipient | None = None,
    source: str = "",
    target: str = "",
    data: dict | None = None,
    occurred_at: datetime | None = None,
    save: Sequence[tuple[Model, Sequence[str]]] = (),
) -> HistoryEntry:
    """Append one record to the chain; must run inside the act's transaction.

    ``save``: (row, changed fields) the act changed, saved by the same statement
    as the record on PostgreSQL (data-modifying WITHs), just before it on SQLite.
    The caller must hold those rows' locks.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("history_append must run inside the transaction of the act it records")
    if case is not None:
        fiscal_year = case.fiscal_year_id
        stream = case.stream
        recipient = case.recipient
    values = {
        "occurred_at": occurred_at or timezone.now(),
        "actor": actor.pk,
        "actor_role": primary_role(actor),
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "case": case.pk if case is not None else None,
        "fiscal_year": fiscal_year,
        "stream": stream,
        "recipient": recipient.pk if recipient is not None else None,
        "action": action,
        "source": source,
        "target": target,
        "data": json.loads(json.dumps(data or {}, default=str)),
    }
    pk, prev_hash, digest = _insert(values, [update_statement(row, list(fields)) for row, fields in save])
    entry = HistoryEntry(
        id=pk, **{column: values[name] for name, column in zip(_HASHED, _COLUMNS)}, prev_hash=prev_hash, hash=digest
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""
    head_hash: str = GENESIS_HASH

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_id": self.first_broken_id,
            "problem": self.problem,
            "head_hash": self.head_hash,
        }


def history_verify_for_auditor(*, actor) -> VerificationResult:
    """``history_verify`` on behalf of a person who may read the history (``grants.read_history``)."""
    authorize(actor, "grants.read_history")
    return history_verify()


def history_verify() -> VerificationResult:
    """Recompute the chain from the first record; report the first record that does not match."""
    previous = GENESIS_HASH
    checked = 0
    for entry in HistoryEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            return VerificationResult(False, checked, entry.pk, "prev_hash does not match the record before it", previous)
        if entry_hash(entry) != entry.hash:
            return VerificationResult(False, checked, entry.pk, "content does not match its hash", previous)
        previous = entry.hash
        checked += 1
    return VerificationResult(True, checked, head_hash=previous)
