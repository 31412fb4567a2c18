"""The decision history: append-only, hash-chained (design §7).

``history_append`` is called inside the transaction of the act it records, so
an act and its record commit or roll back together. Appends are serialised
(SQLite: the IMMEDIATE write lock; PostgreSQL: a transaction-level advisory
lock) so the chain never forks.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from .models import Case, HistoryEntry, Recipient
from .roles import primary_role

GENESIS_HASH = "0" * 64
_PG_CHAIN_LOCK = 7_340_001  # arbitrary constant naming the chain's advisory lock


def _canonical(entry: HistoryEntry) -> bytes:
    body = {
        "occurred_at": entry.occurred_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_role": entry.actor_role,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "case": entry.case_id,
        "fiscal_year": entry.fiscal_year,
        "stream": entry.stream,
        "recipient": entry.recipient_id,
        "action": entry.action,
        "source": entry.source,
        "target": entry.target,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(entry: HistoryEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _lock_chain_and_get_head() -> str:
    """Serialise appends and return the newest hash (SQLite's IMMEDIATE write lock already serialises)."""
    table = HistoryEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {table}_lock_head(%s)", [_PG_CHAIN_LOCK])
        else:
            cursor.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] if row else None) or GENESIS_HASH


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
) -> HistoryEntry:
    """Append one record to the chain; must run inside the act's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("history_append must run inside the transaction of the act it records")
    if case is not None:
        fiscal_year = case.fiscal_year_id
        stream = case.stream
        recipient = case.recipient
    entry = HistoryEntry(
        occurred_at=occurred_at or timezone.now(),
        actor=actor,
        actor_role=primary_role(actor),
        subject_type=subject_type,
        subject_id=str(subject_id),
        case=case,
        fiscal_year=fiscal_year,
        stream=stream,
        recipient=recipient,
        action=action,
        source=source,
        target=target,
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=_lock_chain_and_get_head(),
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
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
