"""The prepared read of a case for a transition: the case with its recipient, officer, newest pending
determination and the recipient's prefecture, row-locked, and the closure days on file.

Built once per process with ``web.rows`` (see there why the hot path's statements are prepared).
"""

import json
from functools import cache

from django.db import connection
from django.db.models import Q
from django.db.models import Model

from calendars.business_days import closure_days_column, closure_days_known
from web.rows import RowReader, db, shared_seed, statement_cursor


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: A recipient's prefecture on file: the one rule of ``grants.selectors.prefecture_on_file`` and of the case's
#: read for an act, which brings it with the case. ``{t}``: the table's alias.
PREFECTURE_OF_WHERE = "{t}.kind = 'prefecture'"  # RecipientKind.PREFECTURE
PREFECTURE_OF_ORDER = "{t}.id"
#: Where ``prefecture_on_file`` keeps a recipient's prefecture (None: not on file) on the instance.
PREFECTURE_ON_FILE = "_prefecture_on_file"
#: Where ``case_fetch_for_update(new_determination=True)`` keeps, on the case, the id it took for the determination
#: the act creates (PostgreSQL; absent elsewhere).
NEW_DETERMINATION_ID = "_new_determination_id"

#: A case's pending determination (drafted, not yet notified or sent back), newest first: the one rule of
#: ``grants.selectors.determination_pending`` and of the case's read for an act. ``{t}``: the table's alias.
PENDING_WHERE = "{t}.notified_on IS NULL AND {t}.sent_back_reason = ''"
PENDING_ORDER = "{t}.drafted_at DESC, {t}.id DESC"
#: The same rule for the ORM (the approval queue prefetches the drafts); tests/grants/test_rows.py holds the two to
#: the same rows.
PENDING_Q = Q(notified_on__isnull=True, sent_back_reason="")


def recipient_lock_key(recipient_id: int) -> tuple:
    """What ``web.rows.shared_read`` keeps under this key says the act holds the recipient's row lock (taken
    before a money decision of the recipient's, ``payments``; with the case, ``case_fetch_for_update``)."""
    return ("lock", "recipient", recipient_id)


@cache
def _case_for_update(
    vendor: str, where: str = "c.id = %s", lock_recipient: bool = False, new_determination: bool = False,
    row_lock: bool = True,
):
    from django.contrib.auth import get_user_model

    from .models import Case, Determination, Recipient

    readers = (
        RowReader(Case, "c"), RowReader(Recipient, "r"), RowReader(get_user_model(), "u"), RowReader(Determination, "d"),
        RowReader(Recipient, "pf"),
    )
    case, recipient, user, determination, prefecture = readers
    determinations, recipients = _quote(Determination._meta.db_table), _quote(Recipient._meta.db_table)
    # The act reads with its case what it would otherwise read in statements of their own, one round trip each
    # on PostgreSQL: the pending determination (approve and notify move it on), the recipient's prefecture
    # (letters are addressed through it) and the closure days (deadlines count business days).
    pending = (
        f"SELECT {{columns}} FROM {determinations} p WHERE p.case_id = c.id AND {PENDING_WHERE.format(t='p')} "
        f"ORDER BY {PENDING_ORDER.format(t='p')} LIMIT 1"
    )
    prefecture_of = (
        f"SELECT {{columns}} FROM {recipients} q WHERE {PREFECTURE_OF_WHERE.format(t='q')} "
        f"AND q.code = r.prefecture_code ORDER BY {PREFECTURE_OF_ORDER.format(t='q')} LIMIT 1"
    )
    if vendor == "postgresql":
        # LATERAL: the newest pending draft is found through the case's index for each case read. Joined on
        # ``d.id = (subquery)`` instead, PostgreSQL's planner hashes the whole table of determinations.
        joins = (
            f"LEFT JOIN LATERAL ({pending.format(columns='p.*')}) d ON true "
            f"LEFT JOIN LATERAL ({prefecture_of.format(columns='q.*')}) pf ON true"
        )
    else:  # SQLite has no LATERAL; it runs each subquery once for the case and finds the row by its id
        joins = (
            f"LEFT JOIN {determinations} d ON d.id = ({pending.format(columns='p.id')}) "
            f"LEFT JOIN {recipients} pf ON pf.id = ({prefecture_of.format(columns='q.id')})"
        )
    sql = (
        f"SELECT {case.columns}, {recipient.columns}, {user.columns}, {determination.columns}, {prefecture.columns}, "
        f"{closure_days_column(vendor)}"
        # the id of the determination the act creates, from its table's sequence: the act's record names it, so
        # its INSERT can go with the record's instead of ahead of it (a refused act leaves a gap: ids are no numbers)
        f"{f', nextval(pg_get_serial_sequence({_literal(determinations)}, {_literal(Determination._meta.pk.column)}))' if new_determination else ''} "
        f"FROM {_quote(Case._meta.db_table)} c "
        f"JOIN {recipients} r ON r.id = c.recipient_id "
        f"LEFT JOIN {_quote(get_user_model()._meta.db_table)} u ON u.id = c.officer_id "
        f"{joins} "
        f"WHERE {where}"
    )
    if vendor == "postgresql" and row_lock:
        # NO KEY UPDATE: serialises acts on the case and lets other transactions' foreign-key checks
        # through (docs/architecture.md#the-history-chain, "Lock order").
        sql += " FOR NO KEY UPDATE OF c, r" if lock_recipient else " FOR NO KEY UPDATE OF c"
    return sql, readers


def case_fetch_for_update(
    case_id: int, *, lock_recipient: bool = False, new_determination: bool = False, row_lock: bool = True
) -> Model | None:
    """The case with its recipient, officer and pending determination (``case.pending``, as
    ``grants.selectors.determination_pending`` finds it), the case row-locked on PostgreSQL (SQLite's IMMEDIATE
    lock covers it). The recipient's prefecture comes with it (``grants.selectors.prefecture_on_file``), and,
    inside ``web.rows.shared_reads``, the closure days (``calendars.business_days.closure_days_known``).

    ``lock_recipient`` (an act that may move money): the recipient's row is locked with the case's, after it
    (docs/architecture.md, "Lock order"), in the same statement instead of one of its own; inside
    ``web.rows.shared_reads`` the act knows it holds it (``recipient_lock_key``).

    ``new_determination`` (an act whose step creates a determination), PostgreSQL: the read also takes the new
    determination's id from its table's sequence, kept on the case under ``NEW_DETERMINATION_ID``, so the act can
    insert it with its record (``workflows.services``) instead of in a statement of its own.

    ``row_lock=False``, PostgreSQL: the same read without the row lock, for an act written as one statement that
    checks the case's version itself (``workflows.services``, docs/architecture.md "Acts of one statement")."""
    using = db()
    postgresql = using.vendor == "postgresql"
    lock_recipient, new_determination = lock_recipient and postgresql, new_determination and postgresql
    sql, readers = _case_for_update(
        using.vendor, lock_recipient=lock_recipient, new_determination=new_determination, row_lock=row_lock
    )
    with statement_cursor(using) as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    if row is None:
        return None
    case = _case_built(row, *readers)
    if new_determination:
        case.__dict__[NEW_DETERMINATION_ID] = row[-1]
    if lock_recipient:
        shared_seed(recipient_lock_key(case.recipient_id), lambda: True)
    return case


def cases_fetch_for_update(case_ids: list[int]) -> dict[int, Model]:
    """``case_fetch_for_update`` for many cases in one read (locked in id order on PostgreSQL), by id; a case
    that does not exist is absent."""
    using = db()
    sqlite = using.vendor == "sqlite"
    sql, readers = _case_for_update(using.vendor, "c.id IN (SELECT value FROM json_each(%s)) ORDER BY c.id"
                                    if sqlite else "c.id = ANY(%s) ORDER BY c.id")
    with statement_cursor(using) as cursor:
        cursor.execute(sql, [json.dumps(case_ids) if sqlite else list(case_ids)])
        rows = cursor.fetchall()
    cases = [_case_built(row, *readers) for row in rows]
    return {case.pk: case for case in cases}


def _case_built(row, case_reader, recipient_reader, user_reader, determination_reader, prefecture_reader) -> Model:
    case = case_reader.build(row)
    offset = len(case_reader)
    case.recipient = recipient_reader.build(row[offset:])
    offset += len(recipient_reader)
    officer_row = row[offset : offset + len(user_reader)]
    case.officer = user_reader.build(officer_row) if officer_row[0] is not None else None
    offset += len(user_reader)
    pending_row = row[offset : offset + len(determination_reader)]
    # ``pending``: the case's pending drafts, as the approval queue prefetches them (the flows read either)
    case.pending = [determination_reader.build(pending_row)] if pending_row[0] is not None else []
    for determination in case.pending:
        determination.case = case
    offset += len(determination_reader)
    prefecture_row = row[offset : offset + len(prefecture_reader)]
    case.recipient.__dict__[PREFECTURE_ON_FILE] = (
        prefecture_reader.build(prefecture_row) if prefecture_row[0] is not None else None
    )
    closure_days_known(row[offset + len(prefecture_reader)])
    return case
