"""Hand-written reads of grants' own tables: the case for a transition (row-locked), and the history's rows in bulk.

Built once per process with ``web.rows`` (see there why the hot path's statements are prepared).
"""

from collections.abc import Iterator
from functools import cache
from itertools import chain

from django.db import connection
from django.db.models import Model, QuerySet

from web.rows import RowReader


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _case_for_update(vendor: str):
    from django.contrib.auth import get_user_model

    from .models import Case, Recipient

    readers = (RowReader(Case, "c"), RowReader(Recipient, "r"), RowReader(get_user_model(), "u"))
    case, recipient, user = readers
    sql = (
        f"SELECT {case.columns}, {recipient.columns}, {user.columns} "
        f"FROM {_quote(Case._meta.db_table)} c "
        f"JOIN {_quote(Recipient._meta.db_table)} r ON r.id = c.recipient_id "
        f"LEFT JOIN {_quote(get_user_model()._meta.db_table)} u ON u.id = c.officer_id "
        "WHERE c.id = %s"
    )
    if vendor == "postgresql":
        # NO KEY UPDATE: serialises acts on the case and lets other transactions' foreign-key checks
        # through (docs/architecture.md#the-history-chain, "Lock order").
        sql += " FOR NO KEY UPDATE OF c"
    return sql, readers


def case_fetch_for_update(case_id: int) -> Model | None:
    """The case with its recipient and officer, row-locked on PostgreSQL (SQLite's IMMEDIATE lock covers it)."""
    sql, (case_reader, recipient_reader, user_reader) = _case_for_update(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    if row is None:
        return None
    case = case_reader.build(row)
    offset = len(case_reader)
    case.recipient = recipient_reader.build(row[offset:])
    officer_row = row[offset + len(recipient_reader) :]
    case.officer = user_reader.build(officer_row) if officer_row[0] is not None else None
    return case


@cache
def _history_sql(vendor: str, columns: tuple[str, ...], after: bool, limit: bool) -> str:
    from .models import HistoryEntry

    times = {field.column for field in HistoryEntry._meta.concrete_fields if field.get_internal_type() == "DateTimeField"}
    selected = [
        # SQLite: the stored text, not the driver's conversion through Django's parse_datetime (a third of the read).
        f"CAST({_quote(column)} AS TEXT)" if vendor == "sqlite" and column in times else _quote(column)
        for column in columns
    ]
    sql = f"SELECT {', '.join(selected)} FROM {_quote(HistoryEntry._meta.db_table)}"
    if after:
        sql += " WHERE id > %s"
    sql += " ORDER BY id"
    if limit:
        sql += " LIMIT %s"
    return sql


def history_rows(columns: tuple[str, ...], *, after_id: int | None = None, limit: int | None = None,
                 batch: int = 5000) -> Iterator[tuple]:
    """The history's rows (``columns``, as the driver gives them) after ``after_id``, oldest first, ``batch`` at a time.

    One statement, read in batches as the ORM's ``iterator()`` reads it (a
    server-side cursor on PostgreSQL), so the rows are one snapshot and memory
    stays flat. The values are not converted: the caller converts what it
    uses (docs/architecture.md#sql-written-by-hand). A time is the driver's
    ``datetime`` on PostgreSQL and the stored text on SQLite.
    """
    sql = _history_sql(connection.vendor, columns, after_id is not None, limit is not None)
    return chain.from_iterable(_batches(sql, [value for value in (after_id, limit) if value is not None], batch))


def values_rows(queryset: QuerySet, batch: int = 5000) -> Iterator[tuple]:
    """The rows of a ``values_list`` query as the driver gives them, without the ORM's conversion of each value.

    The SQL is the ORM's own (filters and joins as the query has them), read as
    ``history_rows`` reads; the caller converts what it uses (the history
    export: its time and its JSON).
    """
    sql, params = queryset.query.sql_with_params()
    return chain.from_iterable(_batches(sql, params, batch))


def _batches(sql: str, params, batch: int) -> Iterator[list[tuple]]:
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            yield rows
