"""The decision history: append-only, hash-chained (docs/architecture.md#the-history-chain).

``history_append`` is called inside the transaction of the act it records, so
an act and its record commit or roll back together. Appends are serialised
(SQLite: the IMMEDIATE write lock; PostgreSQL: a transaction-level advisory
lock) so the chain never forks. This module writes records only: each act
saves its own rows (``workflows.services`` sends a transition's UPDATEs and
its record together, with ``history_append_statement``).
"""

import hashlib
import json
import logging
import math
import multiprocessing
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from itertools import accumulate

import orjson
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web.errors import DomainError, InvalidInput
from web.rows import statement_cursor, text_as_is

from . import checkpoints
from .access import authorize
from .models import Case, HistoryEntry, Recipient
from .roles import primary_role

GENESIS_HASH = "0" * 64
logger = logging.getLogger(__name__)
_PG_CHAIN_LOCK = 7_340_001  # arbitrary constant naming the chain's advisory lock


_HASHED = ("occurred_at", "actor", "actor_role", "subject_type", "subject_id", "case", "fiscal_year", "stream",
           "recipient", "action", "source", "target", "data")
# Each hashed field's attribute and column (``actor`` is stored as ``actor_id``).
_COLUMNS = tuple(HistoryEntry._meta.get_field(name).attname for name in _HASHED)


# The canonical JSON a record is hashed over: sorted keys, no spaces (one encoder, built once).
_dumps = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode

_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
_orjson_dumps = orjson.dumps


def _not_plain(value):
    raise TypeError  # a value orjson does not write itself: the whole text is ``_dumps``'s


def _spelled_otherwise(text: bytes) -> bool:
    """Whether orjson's ``text`` may hold a float ``json`` spells otherwise: one below 1e-4 in magnitude, which
    orjson writes ``1.5e-7`` (``json``: ``1.5e-07``) or ``0.00001`` (``json``: ``1e-05``).

    A number's ``0.0000`` follows ``:``, ``,``, ``[`` or ``-``; in a time's
    ``00:00:00.000012`` it follows a digit, and is passed over. Text that
    only looks like such a number sends the value to ``json`` too, which
    writes the same bytes, a little slower.
    """
    if b"e-" in text:
        return True
    at = text.find(b"0.0000")
    while at != -1:
        if at == 0 or not 48 <= text[at - 1] <= 57:
            return True
        at = text.find(b"0.0000", at + 1)
    return False


def _canonical(value) -> bytes:
    """``_dumps(value)`` in UTF-8, the same bytes, written by orjson wherever it writes them (docs/dependencies.md).

    orjson writes what ``_dumps`` writes for text, integers within 64 bits,
    booleans, None, lists and dictionaries with text keys, and floats of
    magnitude 1e-4 and above (sorted keys by code point either way). Anything
    else makes it raise (an integer beyond 64 bits, a non-text key, a lone
    surrogate; through ``_not_plain`` a date, a Decimal, a subclass of a
    built-in type, any other object), and a float below 1e-4 shows in its
    text (``_spelled_otherwise``): ``_dumps`` then writes the whole value.
    Not for NaN, infinities or an ``enum.Enum`` member that is not text or an
    integer (orjson writes ``null`` and the member's value): ``history_record``
    refuses the first, and ``_canonical_around_prev`` sends a record's fields
    of other types than text, integers and None to ``_dumps``.
    ``tests/grants/test_history_canonical.py`` checks the bytes against ``_dumps``.
    """
    try:
        text = _orjson_dumps(value, default=_not_plain, option=_ORJSON_OPTIONS)
    except TypeError:
        return _dumps(value).encode()
    if _spelled_otherwise(text):
        return _dumps(value).encode()
    return text


_PLAIN_FIELD = frozenset({str, int, type(None)})  # the types a record's fields other than ``data`` hold


def _canonical_around_prev(values: dict, *, made_by_history_record: bool = True) -> tuple[str, str]:
    """The canonical JSON of a record, split where its ``prev_hash`` goes.

    The whole text is ``_dumps`` of the record's fields with ``prev_hash``;
    split, PostgreSQL can hash a new record in the statement that takes the
    chain lock, reads the head and inserts the record (``_insert_sql``).
    orjson writes it (``_canonical``) for values ``history_record`` made,
    whose data holds no NaN or infinity; other values, which may, are
    written by ``_dumps``.
    """
    body = {
        "occurred_at": values["occurred_at"].astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        **{name: values[name] for name in _HASHED[1:]},
    }
    before = {key: value for key, value in body.items() if key < "prev_hash"}
    after = {key: value for key, value in body.items() if key > "prev_hash"}
    if made_by_history_record and all(value.__class__ in _PLAIN_FIELD for name, value in body.items() if name != "data"):
        return _canonical(before)[:-1].decode() + ',"prev_hash":"', '",' + _canonical(after)[1:].decode()
    return _dumps(before)[:-1] + ',"prev_hash":"', '",' + _dumps(after)[1:]


def entry_hash(entry: HistoryEntry) -> str:
    """The hash of ``entry`` as stored or built by hand (its data may hold anything ``json`` writes)."""
    values = {name: getattr(entry, column) for name, column in zip(_HASHED, _COLUMNS)}
    head, tail = _canonical_around_prev(values, made_by_history_record=False)
    return hashlib.sha256(f"{head}{entry.prev_hash}{tail}".encode()).hexdigest()


@cache
def _insert_sql(vendor: str, joined: tuple[str, ...] = ()) -> str:
    table = HistoryEntry._meta.db_table
    columns = ", ".join([*_COLUMNS, "prev_hash", "hash"])
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    if vendor == "postgresql":
        # Lock the chain, read its head, hash and insert: one round trip.
        return (
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {placeholders}, head.hash, encode(sha256(convert_to(%s::text || head.hash || %s::text, 'UTF8')), 'hex') "
            # the head's lock is taken for each row of the first joined source: after its UPDATE has locked its row
            # (the case's, before the chain's: docs/architecture.md "Lock order"), and not at all when it is empty
            f"FROM (SELECT COALESCE({table}_lock_head(%s), '{GENESIS_HASH}') AS hash{f' FROM {joined[0]}' if joined else ''}) head"
            + "".join(f", {name}" for name in joined)
            + " RETURNING id, prev_hash, hash"
        )
    # SQLite: read the head, hash and insert in one statement too (``history_sha256``, ``sqlite_functions``)
    return (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {placeholders}, head.hash, history_sha256(%s || head.hash || %s) "
        f"FROM (SELECT COALESCE((SELECT hash FROM {table} ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}') AS hash) head "
        "RETURNING id, prev_hash, hash"
    )


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created``: on SQLite, the SQL function ``history_sha256(text)`` (the hex SHA-256 of the text's
    UTF-8), with which a record is hashed in the statement that reads the chain's head and inserts it."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("history_sha256", 1, _sha256_hex, deterministic=True)


@cache
def _fields() -> tuple:
    """Each hashed field, its name, and whether a ``str`` goes to the database as it is (``web.rows.text_as_is``)."""
    return tuple(
        (HistoryEntry._meta.get_field(column), name, text_as_is(HistoryEntry._meta.get_field(column)))
        for name, column in zip(_HASHED, _COLUMNS)
    )


def _params(values: dict, using=None) -> list:
    """The hashed fields' values, database-ready (``get_db_prep_save``)."""
    using = using or connections[connection.alias]  # the connection itself, not its per-attribute proxy
    return [
        value if as_is and value.__class__ is str else field.get_db_prep_save(value, using)
        for field, name, as_is in _fields()
        for value in (values[name],)
    ]


def history_record(
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
) -> dict:
    """The values of one record, not yet linked to the chain (``history_append`` stores it)."""
    if case is not None:
        fiscal_year = case.fiscal_year_id
        stream = case.stream
        recipient = case.recipient
    return {
        "occurred_at": occurred_at or timezone.now(),
        "actor": actor.pk,
        "actor_role": primary_role(actor),
        "subject_type": _text(subject_type),
        "subject_id": str(subject_id),
        "case": case.pk if case is not None else None,
        "fiscal_year": fiscal_year,
        "stream": _text(stream),
        "recipient": recipient.pk if recipient is not None else None,
        "action": _text(action),
        "source": _text(source),
        "target": _text(target),
        "data": _record_data(data or {}),
    }


def _text(value: str) -> str:
    """Text as ``str`` itself, a member of a text enum (a case's state after its transition) as its value: the
    record's canonical JSON is then written by orjson (``_canonical_around_prev`` sends fields of other types to
    ``json``: 4.2 % of an act's samples against 2.6 %, bench/RESULTS.md "Checkpoints at any size") and its column
    goes to the database as it is (``_params``)."""
    return value if value.__class__ is str else str.__str__(value)


def _record_data(data):
    """A record's data as JSON gives it back (``json.loads(json.dumps(data, default=str))``), each float checked
    (``_stored_float``), NaN and the infinities refused (``_no_number``); the encoder and decoder built once
    (``json.dumps`` and ``json.loads`` build one each call, with these arguments). orjson would read faster, but
    not the same (integers beyond 64 bits, floats unchecked), and telling such text apart cost more than it saved."""
    return _record_read(_record_text(data))


class UnstorableNumber(InvalidInput):
    code = "history_number_unstorable"
    default_message = _("A record's data holds a number the history cannot keep exactly.")


def _stored_float(text: str) -> float:
    """A float of a record's data, refused when a database would read it back as another text.

    PostgreSQL's ``jsonb`` keeps a number, not its spelling: ``1e+16`` comes
    back as ``10000000000000000`` (an integer) and ``-0.0`` as ``0.0``, so the
    record's canonical text, and its hash, would change
    (docs/architecture.md#the-history-chain). Amounts are integer yen; a float
    that large, or a negative zero, has no business in a record.
    """
    value = float(text)
    if "e+" in text or (value == 0 and text.startswith("-")):
        raise UnstorableNumber(
            _("A record's data holds the number %(number)s, which the database would keep as another number; "
              "record amounts as integers (yen).") % {"number": text}
        )
    return value


def _no_number(text: str):
    raise UnstorableNumber(
        _("A record's data holds %(value)s, which is not a number JSON can store.") % {"value": text}
    )


_record_text = json.JSONEncoder(default=str).encode
_record_read = json.JSONDecoder(parse_float=_stored_float, parse_constant=_no_number).decode


def history_append(**record) -> HistoryEntry:
    """Append one record (``history_record``'s arguments) to the chain, inside the transaction of its act.

    Appends are serialised (SQLite: the IMMEDIATE write lock; PostgreSQL: the
    chain's advisory lock, taken by the statement that reads the head and
    inserts), so the chain never forks. The act writes its own rows.
    """
    return history_record_append(history_record(**record))


def history_record_append(values: dict) -> HistoryEntry:
    """Append a record made by ``history_record`` (see ``history_append``)."""
    _in_act()
    head, tail = _canonical_around_prev(values)
    with statement_cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_insert_sql("postgresql"), [*_params(values), head, tail, _PG_CHAIN_LOCK])
        else:  # the IMMEDIATE write lock serialises appends
            cursor.execute(_insert_sql(connection.vendor), [*_params(values), head, tail])
        return history_entry(values, cursor.fetchone())


#: Records per INSERT of ``history_records_append`` (SQLite and PostgreSQL bound their parameters per statement).
_APPEND_ROWS = 100


def history_records_append(records: list[dict]) -> list[HistoryEntry]:
    """Append many records made by ``history_record``, in their order, as ``history_record_append`` appends one.

    The chain lock is taken and the head read once; each record's hash is
    computed in Python from the one before it, and the records go in with
    multi-row INSERTs. The ids the database assigns must follow the chain's
    order (the chain is read by id); otherwise RuntimeError, and the caller's
    transaction rolls back.
    """
    _in_act()
    if not records:
        return []
    table = HistoryEntry._meta.db_table
    with statement_cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT COALESCE({table}_lock_head(%s), %s)", [_PG_CHAIN_LOCK, GENESIS_HASH])
            prev = cursor.fetchone()[0]
        else:
            cursor.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1")
            row = cursor.fetchone()
            prev = row[0] if row else GENESIS_HASH
        linked = []
        for values in records:
            head, tail = _canonical_around_prev(values)
            digest = hashlib.sha256(f"{head}{prev}{tail}".encode()).hexdigest()
            linked.append((values, prev, digest))
            prev = digest
        columns = ", ".join([*_COLUMNS, "prev_hash", "hash"])
        row_sql = "(" + ", ".join(["%s"] * (len(_COLUMNS) + 2)) + ")"
        using = connections[connection.alias]
        stored = {}
        for start in range(0, len(linked), _APPEND_ROWS):
            part = linked[start : start + _APPEND_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(part))} RETURNING id, prev_hash, hash",
                [param for values, prev_hash, digest in part for param in (*_params(values, using), prev_hash, digest)],
            )
            stored.update((digest, (pk, prev_hash, digest)) for pk, prev_hash, digest in cursor.fetchall())
    rows = [stored[digest] for _values, _prev, digest in linked]
    if any(later[0] <= earlier[0] for earlier, later in zip(rows, rows[1:])):
        raise RuntimeError("history_records_append: the records' ids do not follow the chain")
    return [history_entry(values, row) for (values, _prev, _digest), row in zip(linked, rows)]


def history_append_statement(values: dict, *, joined: tuple[str, ...] = (), alone: bool = False) -> tuple[str, list]:
    """PostgreSQL: the one statement that appends a record (``history_record``'s values), for a caller to send.

    It takes the chain lock, reads the head, hashes and inserts. ``joined``
    names row sources (common table expressions) the caller puts before it:
    the INSERT is joined with them, so it inserts nothing when one is empty,
    and the chain's lock is taken only after the first of them has its row.
    ``history_entry`` turns the row it returns into the stored record.
    ``alone``: the caller sends it, with the act's other writes, as a statement
    outside any transaction, which is then a transaction of its own (an act of one
    statement, docs/architecture.md); otherwise it must run inside the act's.
    """
    if not alone:
        _in_act()
    head, tail = _canonical_around_prev(values)
    return _insert_sql("postgresql", joined), [*_params(values), head, tail, _PG_CHAIN_LOCK]


#: ``HistoryEntry``'s concrete fields in order, each as the key of its value in ``history_entry``'s ``stored``.
_STORED_ORDER = tuple(
    {"id": "id", "prev_hash": "prev_hash", "hash": "hash", **dict(zip(_COLUMNS, _HASHED))}[field.attname]
    for field in HistoryEntry._meta.concrete_fields
)


def history_entry(values: dict, row: tuple[int, str, str]) -> HistoryEntry:
    """The stored record of ``values`` from its inserted row (id, prev_hash, hash); a checkpoint follows when due.

    Built as the ORM builds a row it reads (``Model.from_db``, every field in order): by keyword, the model
    looks each field up in the arguments, about twice as long, on every act."""
    pk, prev_hash, digest = row
    stored = {**values, "id": pk, "prev_hash": prev_hash, "hash": digest}
    entry = HistoryEntry.from_db(connection.alias, None, [stored[name] for name in _STORED_ORDER])
    _checkpoint_when_due(pk)
    return entry


def _in_act() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("history_append must run inside the transaction of the act it records")


# --- checkpoints: signing the head, and checking the chain against what was signed -----------------


def _checkpoint_when_due(pk: int) -> None:
    """Every ``HISTORY_CHECKPOINT_EVERY``-th record, sign the head once the act commits."""
    if pk % settings.HISTORY_CHECKPOINT_EVERY == 0:
        transaction.on_commit(_checkpoint_after_commit)


def _checkpoint_after_commit() -> None:
    # The act has committed: a checkpoint that cannot be signed now is logged, and
    # the next one (the periodic ``history_checkpoint`` command) covers its records.
    try:
        history_checkpoint()
    except (DomainError, DatabaseError, OSError):
        logger.exception("history checkpoint after record failed")


class ChainBroken(DomainError):
    code = "history_chain_broken"
    http_status = 409
    default_message = _("The history chain does not verify; no checkpoint is signed over it.")


_orjson_loads = orjson.loads


def stored_json(text: str | None) -> tuple[object, bool]:
    """A record's ``data`` from its stored text, as ``JSONField`` reads it, and whether orjson read it.

    ``JSONField`` gives ``json.loads`` of the text (the text itself when it
    is not JSON, None for NULL). orjson reads the same values, three times
    faster, except that it refuses NaN, infinities, numbers beyond a double
    and lone surrogates (``json`` reads those here: the second value is
    False) and reads an integer beyond 64 bits as a float. Such a float is at
    least 9.2e18, which ``json`` and orjson both write with ``e+``, and which
    no record holds as a float (``history_record`` refuses floats from 1e16):
    a caller that finds ``e+`` in the JSON it writes from the value reads it
    again with ``stored_json_exact`` (docs/dependencies.md).
    """
    if text is None:
        return None, True
    try:
        return _orjson_loads(text), True
    except orjson.JSONDecodeError:
        return stored_json_exact(text), False


def stored_json_exact(text: str | None):
    """``JSONField``'s reading of a stored text, by ``json`` (see ``stored_json``)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _canonical_stored(body: dict, data_text: str | None) -> bytes:
    """The canonical JSON of a stored record: ``body`` (its fields but ``data``, and its ``prev_hash``) with the
    ``data`` of ``data_text`` in it, as the first form made it with the ORM's reading and ``_dumps``.

    orjson writes it from ``data`` as orjson reads it (``stored_json``). Where
    the stored text may hold a float below 1e-4 (``_may_hold_small_float``),
    which orjson spells otherwise than ``json``, each such float is given to
    orjson as ``json``'s text of it first (``_small_floats_as_json``); every
    other value orjson reads from JSON it writes as ``json`` does. Where the
    text written shows a number that may have been an integer beyond 64 bits
    (``e+``: ``_no_e_plus``), and for data orjson could not read or a value it
    cannot write, the text is ``_dumps``'s of the data as ``json`` reads it.
    ``_may_hold_small_float``'s check of a text is written out here: this
    runs for every record of the chain, and a call costs what the check does.
    """
    if data_text.__class__ is str:
        try:
            data = _orjson_loads(data_text)
        except orjson.JSONDecodeError:
            body["data"] = stored_json_exact(data_text)
            return _dumps(body).encode()
        # ``_may_hold_small_float``
        if "0.0000" in data_text or ("-" in data_text and ("e-" in data_text or "E-" in data_text)):
            body["data"] = _small_floats_as_json(data)
        else:
            body["data"] = data
    else:
        data, by_orjson = stored_json(data_text)
        if not by_orjson:
            body["data"] = data
            return _dumps(body).encode()
        body["data"] = _small_floats_as_json(data) if _may_hold_small_float(data_text) else data
    try:
        text = _orjson_dumps(body, default=_not_plain, option=_ORJSON_OPTIONS)
    except TypeError:  # a lone surrogate in a field
        pass
    else:
        if _no_e_plus(text):
            return text
        # a float of 1e16 or more, or an integer beyond 64 bits that orjson read as one
        data = stored_json_exact(data_text)
    body["data"] = data
    return _dumps(body).encode()


_NESTED = frozenset({dict, list, float})  # what ``_small_floats_as_json`` looks into or may replace


def _small_floats_as_json(value):
    """``value`` (as orjson reads JSON) with each float below 1e-4 in magnitude (but zero) replaced by ``json``'s
    text of it (``repr``), which orjson writes as it is (``orjson.Fragment``); orjson writes any other float as
    ``json`` does (``_canonical``)."""
    kind = value.__class__
    if kind is dict:
        return {key: _small_floats_as_json(item) if item.__class__ in _NESTED else item for key, item in value.items()}
    if kind is list:
        return [_small_floats_as_json(item) if item.__class__ in _NESTED else item for item in value]
    if kind is float and -1e-4 < value < 1e-4 and value:
        return orjson.Fragment(repr(value))
    return value


def _no_e_plus(text: bytes) -> bool:
    """Whether ``text`` holds no ``e+``: found, as a rule, without searching for it (an ``e`` is in most words
    and hashes): a record's text holds one ``+``, its time's (``+00:00``), after a digit."""
    at = text.find(b"+")
    if at == -1 or (at == text.rfind(b"+") and text[at - 1] != 0x65):  # none, or only one and not after an ``e``
        return True
    return b"e+" not in text


def _may_hold_small_float(data_text) -> bool:
    """Whether the data read from ``data_text`` may hold a float below 1e-4 in magnitude (other than zero).

    A JSON number that small has a negative exponent (``e-`` or ``E-``) or,
    its exponent being none or positive, a mantissa below 1e-4, written
    ``0.0000`` and more digits (PostgreSQL's ``jsonb`` writes every number in
    that form: ``0.00000015``); most records' data hold neither.
    """
    if data_text.__class__ is not str:
        return data_text is not None
    return "0.0000" in data_text or ("-" in data_text and ("e-" in data_text or "E-" in data_text))


#: Records a statement of ``_chain_rows`` reads (keyset pages: no server-side cursor, a bounded client memory).
_CHAIN_PAGE = 2000

# A time as Django writes it to SQLite (UTC, ``str()`` of the naive time): the canonical text is made from it directly.
_SQLITE_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?"
_SQLITE_TIMES = re.compile(f"(?:{_SQLITE_TIME}\n)*{_SQLITE_TIME}")  # a page's times, one a line


@cache
def _chain_sql(vendor: str, *, after: bool) -> str:
    """The statement ``_chain_rows`` pages with: a record's id, links and hashed columns, ``occurred_at`` and ``data``
    as text (PostgreSQL writes the time's canonical text itself; SQLite's is its stored text, see ``_sqlite_time``)."""
    quote = connection.ops.quote_name
    meta = HistoryEntry._meta
    column = {name: quote(meta.get_field(name).column) for name in _HASHED}
    if vendor == "postgresql":
        # Python's ``isoformat(timespec="microseconds")`` of the UTC time; ``data`` as jsonb's text.
        occurred = f"""to_char({column["occurred_at"]} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        data = f"{column['data']}::text"
    else:
        occurred = f"CAST({column['occurred_at']} AS TEXT)"  # an expression: the driver's own time parsing is skipped
        data = column["data"]
    selected = ", ".join([
        quote("id"), quote("prev_hash"), quote("hash"), occurred, *(column[name] for name in _HASHED[1:-1]), data,
    ])
    after_id = f"{quote('id')} > %s AND " if after else ""
    return (
        f"SELECT {selected} FROM {quote(meta.db_table)} WHERE {after_id}{quote('id')} <= %s "
        f"ORDER BY {quote('id')} LIMIT %s"
    )


def _sqlite_time(text: str | None) -> str:
    """The canonical text of a time SQLite keeps as text: ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``.

    Django writes ``str()`` of the UTC time (``2025-04-01 09:30:00`` or
    ``2025-04-01 09:30:00.123456``), which becomes the canonical text by
    rearranging; any other spelling (another tool's: an offset, a ``T``, a
    shorter fraction) goes through the field's own converters, as the ORM
    reads it.
    """
    if text.__class__ is str and _SQLITE_TIMES.fullmatch(text):
        return f"{text[:10]}T{text[11:19]}{text[19:] or '.000000'}+00:00"
    return _orm_time(text).astimezone(timezone.UTC).isoformat(timespec="microseconds")


def _sqlite_times(texts: list) -> list[str]:
    """``_sqlite_time`` of each of a page's times, checked as Django's spelling all at once (one match)."""
    try:
        plain = _SQLITE_TIMES.fullmatch("\n".join(texts))
    except TypeError:  # a time that is not text
        plain = None
    if plain:
        return [f"{text[:10]}T{text[11:19]}{text[19:] or '.000000'}+00:00" for text in texts]
    return [_sqlite_time(text) for text in texts]


def _orm_time(text):
    field = HistoryEntry._meta.get_field("occurred_at")
    column = field.get_col(HistoryEntry._meta.db_table)
    value = text
    for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


def _chain_rows(after_id: int | None = None, limit: int | None = None, last_id: int | None = None):
    """(id, prev_hash, stored hash, recomputed content hash) of the records after ``after_id`` (up to ``last_id``), oldest first.

    The content hash is computed with the stored ``prev_hash``; a record is intact
    when it equals the stored hash and the stored ``prev_hash`` is the hash of the
    record before it. ``_chain_pages`` reads and hashes them.
    """
    for rows, computed in _chain_pages(after_id, limit, last_id):
        for row, digest in zip(rows, computed):
            yield row[0], row[1], row[2], digest


def _chain_pages(after_id: int | None = None, limit: int | None = None, last_id: int | None = None):
    """``_chain_rows``' records a page at a time: (rows, recomputed content hashes), each row starting with the
    record's id, prev_hash and stored hash.

    Each record's canonical JSON is made in one call over its fields with its
    ``prev_hash`` (the whole text ``_canonical_around_prev`` splits around
    it), ``data`` read from its stored text (``_canonical_stored``;
    docs/architecture.md#the-history-chain). The rows are read by one statement
    written by hand (``_chain_sql``), in pages of ids, through the driver's
    own cursor: the ORM's conversion of each row was half of a record's cost
    (docs/architecture.md#sql-written-by-hand, bench/RESULTS.md).
    """
    sha256, canonical = hashlib.sha256, _canonical_stored
    sqlite = connection.vendor != "postgresql"
    after, last, left = after_id, 2**63 - 1 if last_id is None else last_id, limit
    with connection.cursor() as cursor:
        while left is None or left > 0:
            page = _CHAIN_PAGE if left is None else min(left, _CHAIN_PAGE)
            if after is None:
                cursor.execute(_chain_sql(connection.vendor, after=False), [last, page])
            else:
                cursor.execute(_chain_sql(connection.vendor, after=True), [after, last, page])
            rows = cursor.fetchall()
            times = _sqlite_times([row[3] for row in rows]) if sqlite else [row[3] for row in rows]
            computed = []
            for (_pk, prev_hash, _stored, _time, actor, actor_role, subject_type, subject_id, case, fiscal_year,
                 stream, recipient, action, source, target, data_text), occurred_at in zip(rows, times):
                computed.append(sha256(canonical({
                    "action": action, "actor": actor, "actor_role": actor_role, "case": case, "data": None,
                    "fiscal_year": fiscal_year, "occurred_at": occurred_at, "prev_hash": prev_hash,
                    "recipient": recipient, "source": source, "stream": stream, "subject_id": subject_id,
                    "subject_type": subject_type, "target": target,
                }, data_text)).hexdigest())
            if rows:
                yield rows, computed
            if len(rows) < page:
                return
            after = rows[-1][0]
            if left is not None:
                left -= len(rows)


@dataclass(frozen=True)
class _Segment:
    """What a worker found in one segment of the chain, for ``_ChainWalk.segment`` to join without reading it again."""

    count: int
    first_prev: str | None  # the first record's prev_hash
    last_id: int | None
    last_hash: str | None
    altered: tuple[int, ...]  # the ids whose content does not give their stored hash
    linked: bool  # each record's prev_hash is the stored hash of the record before it in the segment
    ids: bytes  # the ids, as an array of 64-bit integers
    prefixes: str  # each stored hash's first ``checkpoints.HASH_PREFIX`` digits, one after the other
    hashes: str  # the stored hashes, one after the other (64 digits each when none is altered)


def _segment_checked(bounds: tuple[int, int]) -> _Segment:
    """Check the records in ``(after_id, last_id]``: their content hashes and the links between them."""
    after_id, last_id = bounds
    ids, hashes, altered = array("q"), [], []
    first_prev = None
    linked = True
    for rows, computed in _chain_pages(after_id, last_id=last_id):
        stored = [row[2] for row in rows]
        prevs = [row[1] for row in rows]
        if computed != stored:
            altered += [row[0] for row, digest in zip(rows, computed) if digest != row[2]]
        if hashes:
            linked = linked and prevs[0] == hashes[-1]
        else:
            first_prev = prevs[0]
        linked = linked and prevs[1:] == stored[:-1]
        ids.extend([row[0] for row in rows])
        hashes += stored
    if altered:  # the walk reads this segment again, record by record: its hashes are not needed
        prefixes = joined = ""
    else:
        cut = checkpoints.HASH_PREFIX
        prefixes, joined = "".join([digest[:cut] for digest in hashes]), "".join(hashes)
    return _Segment(len(ids), first_prev, ids[-1] if ids else None, hashes[-1] if hashes else None, tuple(altered),
                    linked, ids.tobytes(), prefixes, joined)


#: In a worker process of ``_segments_checked``: the barrier its workers meet at to close their connections.
_workers_done = None


def _worker_started(done) -> None:
    """A worker's start: keep the barrier ``_worker_connection_closed`` waits at."""
    global _workers_done
    _workers_done = done


def _worker_connection_closed() -> None:
    """In a worker, once no segment is left for it: close the connection its segments shared.

    One such task is given to each worker; each waits at the barrier until
    every worker has taken one, so no worker takes two.
    """
    try:
        _workers_done.wait(timeout=_WORKERS_CLOSING_WAIT)
    finally:
        connection.close()


#: Seconds a worker waits at the barrier for the others to finish the segments they had taken and come to close.
_WORKERS_CLOSING_WAIT = 300


def _processes_can_share() -> bool:
    """Whether other processes see what this connection sees: committed rows of a database they can open."""
    if connection.in_atomic_block:
        return False  # rows of an open transaction are visible to this connection only
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


#: Segments a worker checks in ``_segments_checked`` (more balance the load; a worker's segments share its connection).
_SEGMENTS_PER_WORKER = 8


@contextmanager
def _segments_checked(workers: int):
    """The chain cut into segments of ids, oldest first, checked by ``workers`` processes: an iterator of (bounds,
    ``_Segment``), the work started on entering the block.

    Each record's hash depends only on its own row and its stored
    ``prev_hash``, so the chain is cut into segments of ids (eight a worker)
    and each worker process, with its own connection, reads the segments it
    takes once, recomputes their hashes and checks the links inside them
    (``_segment_checked``); the results come in the segments' order while the
    workers go on with the later ones. A worker keeps its connection for the
    segments it takes (opening one costs about 3 ms of CPU here and 5 ms in
    PostgreSQL's new server process) and closes it when none is left
    (``_worker_connection_closed``; with the ``fork`` start method the
    executor starts all its workers at once, so each takes one closing task).
    Records appended after the start are not read. Inside a transaction, or
    on a database only this process can open (an in-memory SQLite), the
    segments are checked here, one after the other, as the iterator is read.
    """
    ids = HistoryEntry.objects.order_by("pk").values_list("pk", flat=True)
    first_id, last_id = ids.first(), ids.last()  # two reads of the index (SQLite scans the table for both at once)
    if last_id is None:
        yield iter(())
        return
    size = -(-(last_id - first_id + 1) // (workers * _SEGMENTS_PER_WORKER))
    ends = [*range(first_id - 1 + size, last_id, size), last_id]
    segments = list(zip([first_id - 1, *ends[:-1]], ends))
    if not (workers > 1 and _processes_can_share()):
        yield zip(segments, map(_segment_checked, segments))
        return
    connection.close()  # each forked worker opens its own; none may share this one's socket
    context = multiprocessing.get_context("fork")
    done = context.Barrier(workers)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_started, initargs=(done,))
    checked = [pool.submit(_segment_checked, segment) for segment in segments]
    try:
        yield zip(segments, (future.result() for future in checked))
    finally:
        for future in checked:  # the verifier stops at the first broken record: the segments not started are not
            future.cancel()
        try:  # each worker closes the connection its segments shared, after the segments it had taken
            wait([pool.submit(_worker_connection_closed) for _worker in range(workers)])
        except BrokenProcessPool:
            pass  # a worker died: the error is the segment's; the others' connections close as they exit
        pool.shutdown()


class _ChainWalk:
    """The verifier's walk along the chain, against the records the checkpoints list (``history_verify``).

    ``record`` takes one record at a time. ``segment`` takes a segment a worker
    checked (``_segment_checked``) at once, when its outcome is certain from
    what the worker gave back: no content or link inside it is broken, its
    first record links to the walk's last, and its ids and hash prefixes are
    exactly the next ones the checkpoints list (or the lists end), each
    checkpoint's head its hash and its place in the chain. Then the walk ends
    where ``record`` over its records would have ended, with nothing found;
    otherwise the caller reads the segment again and gives ``record`` its
    records, so a finding is always ``record``'s.
    """

    def __init__(self, ordered: list[checkpoints.Checkpoint]):
        # The records the checkpoints list, one after the other: the ``at``-th is ``_listed_at(at)``.
        self.ordered = ordered
        self.starts = [0, *accumulate(len(checkpoint.records) for checkpoint in ordered)]
        self.checkpoint_at = 0  # the checkpoint the last one looked up was in
        # Each checkpoint vouches for every record after the previous one's head (from the first, for #1):
        # a record there that it does not list was slipped in.
        heads = {checkpoint.seq: checkpoint.head_id for checkpoint in ordered}
        self.span_start = {
            checkpoint.seq: -math.inf if checkpoint.seq == 1 else heads.get(checkpoint.seq - 1, checkpoint.records[0][0] - 1)
            for checkpoint in ordered
        }
        self.at = 0  # the next listed record
        self.wanted = self._listed_at(0)
        self.previous, self.position, self.anchored, self.anchored_position, self.head_id = GENESIS_HASH, 0, None, 0, None
        self.listed = None  # ``_listed``, made for the first segment

    def _listed_at(self, at: int) -> tuple | None:
        """The ``at``-th record the checkpoints list: (id, hash prefix, checkpoint), or None past the lists' end."""
        if at >= self.starts[-1]:
            return None
        index = self.checkpoint_at
        if not self.starts[index] <= at < self.starts[index + 1]:
            index = self.checkpoint_at = bisect_right(self.starts, at) - 1
        checkpoint = self.ordered[index]
        record_id, prefix = checkpoint.records[at - self.starts[index]]
        return record_id, prefix, checkpoint

    @staticmethod
    def _listed(ordered):
        """The listed ids (an array), their hash prefixes (one text) and where each checkpoint's head is listed;
        None when a list holds a value those cannot hold (the walk then goes record by record)."""
        ids, prefixes, heads = array("q"), [], []
        cut = checkpoints.HASH_PREFIX
        try:
            for checkpoint in ordered:
                if not checkpoint.records:
                    continue
                listed_ids, listed_prefixes = zip(*checkpoint.records, strict=True)
                if min(map(len, listed_prefixes)) != cut or max(map(len, listed_prefixes)) != cut:
                    return None
                at = -1
                for _found in range(listed_ids.count(checkpoint.head_id)):
                    at = listed_ids.index(checkpoint.head_id, at + 1)
                    heads.append((len(ids) + at, checkpoint))
                ids.extend(listed_ids)
                prefixes.append("".join(listed_prefixes))
        except (TypeError, ValueError, OverflowError):
            return None
        return ids, "".join(prefixes), heads, [at for at, _checkpoint in heads]

    def record(self, pk: int, prev_hash: str, stored: str, computed: str) -> dict | None:
        """Take one record; what is wrong with it, or None."""
        wanted = self.wanted
        if wanted is not None and wanted[0] < pk:
            return _problem(
                "record_missing", f"record #{wanted[0]} is missing (checkpoint #{wanted[2].seq} lists it)", record=wanted[0]
            )
        if prev_hash != self.previous:
            return _problem("link_broken", f"record #{pk}: prev_hash does not match the record before it", record=pk)
        if computed != stored:
            return _problem("record_altered", f"record #{pk}: content does not match its hash", record=pk)
        if wanted is not None and wanted[0] == pk:
            _record_id, prefix, checkpoint = wanted
            if stored[: checkpoints.HASH_PREFIX] != prefix:
                return _problem(
                    "record_altered",
                    f"record #{pk} differs from what checkpoint #{checkpoint.seq} signed "
                    "(rewritten, and the hashes after it recomputed)",
                    record=pk,
                )
            if pk == checkpoint.head_id and (stored != checkpoint.head_hash or self.position + 1 != checkpoint.count):
                return _problem(
                    "record_altered", f"record #{pk} is not the head checkpoint #{checkpoint.seq} signed", record=pk
                )
            if pk == checkpoint.head_id:
                self.anchored, self.anchored_position = pk, self.position + 1
            self.at += 1
            self.wanted = self._listed_at(self.at)
        elif wanted is not None and self.span_start[wanted[2].seq] < pk:
            checkpoint = wanted[2]
            return _problem(
                "record_inserted",
                f"record #{pk} is not among the records checkpoint #{checkpoint.seq} signed: it was slipped in",
                record=pk,
            )
        self.previous, self.position, self.head_id = stored, self.position + 1, pk
        return None

    def segment(self, found: _Segment) -> bool:
        """Take a checked segment at once when nothing in it can be wrong (see the class); whether it was taken."""
        if not found.count:
            return True
        if self.listed is None:
            self.listed = self._listed(self.ordered) or ()
        if not self.listed or found.altered or not found.linked or found.first_prev != self.previous:
            return False
        listed_ids, listed_prefixes, heads, head_at = self.listed
        at, count, cut = self.at, found.count, checkpoints.HASH_PREFIX
        matched = min(count, len(listed_ids) - at)  # records listed from here; any after them are past the lists' end
        ids = array("q")
        ids.frombytes(found.ids)
        if listed_ids[at : at + matched] != ids[:matched]:
            return False
        if listed_prefixes[at * cut : (at + matched) * cut] != found.prefixes[: matched * cut]:
            return False
        heads = heads[bisect_left(head_at, at) : bisect_left(head_at, at + matched)]
        for listed_at, checkpoint in heads:
            index = listed_at - at
            if found.hashes[index * 64 : index * 64 + 64] != checkpoint.head_hash or self.position + index + 1 != checkpoint.count:
                return False
        if heads:
            listed_at, _checkpoint = heads[-1]
            self.anchored, self.anchored_position = listed_ids[listed_at], self.position + listed_at - at + 1
        self.at += matched
        self.wanted = self._listed_at(self.at)
        self.previous, self.position, self.head_id = found.last_hash, self.position + count, found.last_id
        return True

    def end(self) -> dict | None:
        """What is wrong once the chain has been read: records the checkpoints list that are not there."""
        if self.wanted is None:
            return None
        record_id, _prefix, checkpoint = self.wanted
        return _problem(
            "record_missing",
            f"records from #{record_id} on are missing: checkpoint #{checkpoint.seq} signed #{checkpoint.head_id} "
            f"as record {checkpoint.count} of the chain, which now ends at record {self.position}",
            record=record_id,
        )


def _walk_segments(walk: _ChainWalk, checked) -> dict | None:
    """Walk the chain a checked segment at once (``_segments_checked``); a segment that cannot be taken whole is
    read again (its ids and hashes) and walked record by record. The first problem found, or None."""
    for (after_id, last_id), segment in checked:
        if walk.segment(segment):
            continue
        altered = set(segment.altered)
        rows = HistoryEntry.objects.order_by("pk").filter(pk__gt=after_id, pk__lte=last_id)
        for pk, prev_hash, stored in rows.values_list("pk", "prev_hash", "hash").iterator(chunk_size=5000):
            failure = walk.record(pk, prev_hash, stored, "" if pk in altered else stored)
            if failure is not None:
                return failure
    return None


def _lock_chain() -> None:
    """Hold the chain's lock until the transaction ends (SQLite: its IMMEDIATE write lock already does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])


def history_checkpoint() -> list[checkpoints.Checkpoint]:
    """Sign checkpoints of the records since the last one (none when there are none); return those signed.

    Refuses (``ChainBroken``) when the last checkpoint no longer matches the
    database, or a record since it does not verify: a checkpoint must never
    vouch for a tampered chain. Each checkpoint covers at most
    ``HISTORY_CHECKPOINT_EVERY`` records and is signed in a transaction of its
    own, so a long unsigned stretch holds up appends only a checkpoint at a
    time. Each is saved in the database and, once committed, copied to the
    checkpoint directory.
    """
    key = checkpoints.signing_key()
    keys = checkpoints.trusted_keys()
    every = settings.HISTORY_CHECKPOINT_EVERY
    signed: list[checkpoints.Checkpoint] = []
    while True:
        with transaction.atomic():
            _lock_chain()
            last = checkpoints.latest_in_database()
            if last is not None and not (signed and last.digest() == signed[-1].digest()):
                _still_matches(last, keys)
            previous = last.head_hash if last else GENESIS_HASH
            batch = []
            for pk, prev_hash, stored, computed in _chain_rows(last.head_id if last else None, limit=every):
                if prev_hash != previous or computed != stored:
                    raise ChainBroken(
                        _("Record #%(id)s does not verify; no checkpoint is signed over it. Run history_verify.")
                        % {"id": pk}
                    )
                batch.append([pk, stored[: checkpoints.HASH_PREFIX]])
                previous = stored
            if not batch:
                return signed
            checkpoint = checkpoints.sign(
                {
                    "seq": last.seq + 1 if last else 1,
                    "head_id": batch[-1][0],
                    "head_hash": previous,
                    "count": (last.count if last else 0) + len(batch),
                    "signed_at": timezone.now().astimezone(timezone.UTC).isoformat(timespec="seconds"),
                    "prev": last.digest() if last else checkpoints.GENESIS,
                    "records": batch,
                },
                key,
            )
            checkpoints.save(checkpoint)
            signed.append(checkpoint)
            # The copy outside the database is written once the checkpoint commits.
            transaction.on_commit(partial(checkpoints.write_to_directory, [checkpoint]))
        if len(batch) < every:
            return signed


def _still_matches(last: checkpoints.Checkpoint, keys) -> None:
    """Refuse to sign on from a checkpoint that is forged, or whose records the database no longer holds as it
    listed them: each id with its hash's prefix, no other record among them, the head with its whole hash.

    The work is that checkpoint's records (at most ``HISTORY_CHECKPOINT_EVERY``), however long the history:
    the records before them are vouched for by the checkpoints before, and ``history_verify`` checks them all
    (counting every record up to the head, as this check once did, read the whole history every few hundred
    acts; docs/operations.md, "When checkpoints are signed")."""
    broken = ChainBroken(
        _("The last checkpoint (#%(seq)s) no longer matches the history; run history_verify.") % {"seq": last.seq}
    )
    if checkpoints.authenticate(last, keys):  # its fields are not read before they are known to be signed
        raise broken
    listed = last.records  # [id, the first digits of its hash], oldest first; a signed one lists at least one
    held = list(
        HistoryEntry.objects.filter(pk__gte=listed[0][0], pk__lte=last.head_id).order_by("pk").values_list("pk", "hash")
    )
    if (
        len(held) != len(listed)
        or any(pk != listed_pk or not stored.startswith(prefix)
               for (pk, stored), (listed_pk, prefix) in zip(held, listed))
        or held[-1][1] != last.head_hash
    ):
        raise broken


def history_checkpoint_for_export() -> checkpoints.Checkpoint | None:
    """The checkpoint an export carries: one signed now when the key is at hand, else the latest stored."""
    try:
        signed = history_checkpoint()
    except (checkpoints.SigningKeyMissing, ChainBroken):
        logger.warning("history export without a fresh checkpoint", exc_info=True)
        signed = []
    return signed[-1] if signed else checkpoints.latest_in_database()


@dataclass(frozen=True)
class VerificationResult:
    """What ``history_verify`` found.

    ``first_broken_id`` names the first record that is missing, altered or
    inserted; ``problems`` lists everything found, checkpoints included.
    ``anchored_id`` is the newest record a checkpoint vouches for and
    ``unanchored`` the number of records after it, checked by their links only.
    """

    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""
    head_hash: str = GENESIS_HASH
    code: str = ""
    head_id: int | None = None
    checkpoints: int = 0
    anchored_id: int | None = None
    unanchored: int = 0
    latest_checkpoint: dict | None = None
    problems: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_id": self.first_broken_id,
            "problem": self.problem,
            "code": self.code,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "checkpoints": self.checkpoints,
            "anchored_id": self.anchored_id,
            "unanchored": self.unanchored,
            "latest_checkpoint": self.latest_checkpoint,
            "problems": list(self.problems),
        }


def history_verify_for_auditor(*, actor) -> VerificationResult:
    """``history_verify`` on behalf of a person who may read the history (``grants.read_history``)."""
    authorize(actor, "grants.read_history")
    return history_verify()


def _problem(code: str, message: str, *, record: int | None = None, checkpoint: int | None = None) -> dict:
    return {"code": code, "message": message, "record": record, "checkpoint": checkpoint}


def _trusted_checkpoints(found, keys) -> tuple[list[checkpoints.Checkpoint], list[dict]]:
    """The authentic checkpoints in number order, and what is wrong with the rest and with the set."""
    problems = []
    by_seq: dict[int, checkpoints.Checkpoint] = {}
    in_database: dict[int, checkpoints.Checkpoint] = {}
    digests: dict[int, str] = {}  # each trusted checkpoint's digest, made once (its canonical text lists its records)
    # Copies that share their fields (``checkpoints.StoredCopies``) and signature get the same answer: asked once.
    answers: dict[tuple, tuple[str, str | None]] = {}

    def digest(checkpoint: checkpoints.Checkpoint) -> str:
        return digests[id(checkpoint)]

    for checkpoint in found:
        same = (id(checkpoint.fields), checkpoint.signature, checkpoint.problems)
        if same not in answers:
            answers[same] = checkpoints.authenticate_with_digest(checkpoint, keys)
        why, digests[id(checkpoint)] = answers[same]
        seq = checkpoint.fields.get("seq")
        if why:
            problems.append(_problem("checkpoint_forged", f"checkpoint #{seq} ({checkpoint.source}): {why}", checkpoint=seq))
            continue
        if checkpoint.source == checkpoints.DATABASE:
            in_database[seq] = checkpoint
        known = by_seq.setdefault(seq, checkpoint)
        if digest(known) != digest(checkpoint):
            problems.append(_problem(
                "checkpoint_conflict",
                f"checkpoint #{seq} differs between {known.source} and {checkpoint.source}, both signed",
                checkpoint=seq,
            ))
    for seq, checkpoint in sorted(by_seq.items()):
        if seq not in in_database:
            problems.append(_problem(
                "checkpoint_missing", f"checkpoint #{seq} ({checkpoint.source}) is missing from the database", checkpoint=seq
            ))
    ordered = [by_seq[seq] for seq in sorted(by_seq)]
    numbers = set(by_seq)
    for seq in range(1, max(numbers, default=0)):
        if seq not in numbers:
            problems.append(_problem("checkpoint_missing", f"checkpoint #{seq} is missing everywhere", checkpoint=seq))
    for earlier, later in zip([None, *ordered], ordered):
        if later.seq == 1:
            expected = checkpoints.GENESIS
        else:
            expected = digest(earlier) if earlier and earlier.seq == later.seq - 1 else None
        if expected is not None and later.fields["prev"] != expected:
            problems.append(_problem(
                "checkpoint_mismatch", f"checkpoint #{later.seq} does not follow checkpoint #{later.seq - 1}",
                checkpoint=later.seq,
            ))
    return ordered, problems


def history_verify(
    *, sources: Iterable[checkpoints.Checkpoint] = (), public_keys: Iterable[str] = (), workers: int = 1
) -> VerificationResult:
    """Recompute the chain and check it against every signed checkpoint; report the first record that does not match.

    Checkpoints come from the database, the checkpoint directory and ``sources``
    (an export's, say). Each must carry a valid signature from a trusted key;
    the chain must hold every record each one lists, with the hash it lists,
    and each checkpoint's head as the ``count``-th record. A record missing
    from the middle or the tail, a record rewritten (even with every later
    hash recomputed) and a record slipped in are each named by id.

    ``workers`` above 1 recomputes the records' hashes in that many processes
    (``_segments_checked``, ``_walk_segments``); the findings are the same.
    """
    keys = checkpoints.trusted_keys(public_keys)
    stored = checkpoints.read_stored()  # before the chain: every record a copy lists is then one the chain read sees
    if workers > 1:
        with _segments_checked(workers) as checked:  # the workers start; the checkpoints are parsed meanwhile
            ordered, problems = _trusted_checkpoints([*stored.parsed(), *sources], keys)
            walk = _ChainWalk(ordered)
            failure = _walk_segments(walk, checked)
    else:
        ordered, problems = _trusted_checkpoints([*stored.parsed(), *sources], keys)
        walk = _ChainWalk(ordered)
        failure = next(filter(None, (walk.record(*row) for row in _chain_rows())), None)
    if failure is None:
        failure = walk.end()
    if failure is not None:
        problems.insert(0, failure)
    first = failure or (problems[0] if problems else None)
    previous, position, head_id = walk.previous, walk.position, walk.head_id
    anchored, anchored_position = walk.anchored, walk.anchored_position
    return VerificationResult(
        ok=not problems,
        checked=position,
        first_broken_id=failure["record"] if failure else None,
        problem=first["message"] if first else "",
        head_hash=previous,
        code=first["code"] if first else "",
        head_id=head_id,
        checkpoints=len(ordered),
        anchored_id=anchored,
        unanchored=position - anchored_position if failure is None else 0,
        latest_checkpoint=ordered[-1].summary() if ordered else None,
        problems=tuple(problems),
    )
