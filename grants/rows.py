"""The prepared read of a case for a transition: the case, its recipient and officer, row-locked.

Built once per process with ``web.rows`` (see there why the hot path's statements are prepared).
"""

import json
from functools import cache

from django.db import connection
from django.db.models import Model

from web.rows import RowReader, db


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _case_for_update(vendor: str, where: str = "c.id = %s"):
    from django.contrib.auth import get_user_model

    from .models import Case, Recipient

    readers = (RowReader(Case, "c"), RowReader(Recipient, "r"), RowReader(get_user_model(), "u"))
    case, recipient, user = readers
    sql = (
        f"SELECT {case.columns}, {recipient.columns}, {user.columns} "
        f"FROM {_quote(Case._meta.db_table)} c "
        f"JOIN {_quote(Recipient._meta.db_table)} r ON r.id = c.recipient_id "
        f"LEFT JOIN {_quote(get_user_model()._meta.db_table)} u ON u.id = c.officer_id "
        f"WHERE {where}"
    )
    if vendor == "postgresql":
        # NO KEY UPDATE: serialises acts on the case and lets other transactions' foreign-key checks
        # through (docs/architecture.md#the-history-chain, "Lock order").
        sql += " FOR NO KEY UPDATE OF c"
    return sql, readers


def case_fetch_for_update(case_id: int) -> Model | None:
    """The case with its recipient and officer, row-locked on PostgreSQL (SQLite's IMMEDIATE lock covers it)."""
    using = db()
    sql, (case_reader, recipient_reader, user_reader) = _case_for_update(using.vendor)
    with using.cursor() as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _case_built(row, case_reader, recipient_reader, user_reader)


def cases_fetch_for_update(case_ids: list[int]) -> dict[int, Model]:
    """``case_fetch_for_update`` for many cases in one read (locked in id order on PostgreSQL), by id; a case
    that does not exist is absent."""
    sql, readers = _case_for_update(connection.vendor, "c.id IN (SELECT value FROM json_each(%s)) ORDER BY c.id"
                                    if connection.vendor == "sqlite" else "c.id = ANY(%s) ORDER BY c.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(case_ids) if connection.vendor == "sqlite" else list(case_ids)])
        rows = cursor.fetchall()
    cases = [_case_built(row, *readers) for row in rows]
    return {case.pk: case for case in cases}


def _case_built(row, case_reader, recipient_reader, user_reader) -> Model:
    case = case_reader.build(row)
    offset = len(case_reader)
    case.recipient = recipient_reader.build(row[offset:])
    officer_row = row[offset + len(recipient_reader) :]
    case.officer = user_reader.build(officer_row) if officer_row[0] is not None else None
    return case
