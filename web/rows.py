"""Prepared SQL for the statements every transition runs (the case's own read is ``grants.rows``).

The ORM compiles each query anew. Profiled, that was most of a transition's
time, several times what SQLite or a loopback PostgreSQL needs to run the
statement. The handful of statements on the transition's hot path are
therefore built once per process from the models' own metadata, so column
names and value conversion still come from the models, and read back through
the ORM's own converters. Everything else uses the ORM.

``bench/transitions.py`` measures the effect: run against the commit before
this module, back to back on the same machine, SQLite went from 279–308 to
779–913 transitions/s and PostgreSQL from 151–196 to 303–333 (with the other
hot-path changes of the same series).
"""

import re
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, ProgrammingError, connection, connections
from django.db.models import CharField, DateField, DateTimeField, Field, Model, TextField, TimeField


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def db():
    """The database connection itself (what ``django.db.connection`` stands for), looked up once: each attribute
    of that proxy looks the connection up again, a few microseconds every statement on the hot path pays."""
    return connections[DEFAULT_DB_ALIAS]


_FORMAT = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=2048)
def _qmark(sql: str) -> tuple[str, None]:
    """SQLite's placeholder for Django's ``%s`` (what Django's SQLite cursor does to every statement it runs); no
    count of them (SQLite counts its own bindings)."""
    return _FORMAT.sub("?", sql).replace("%%", "%"), None


_PERCENT = re.compile(r"%(.?)", re.DOTALL)


@lru_cache(maxsize=2048)
def _numbered(sql: str) -> tuple[str, int]:
    """PostgreSQL's own placeholders ``$1..$n`` for Django's ``%s``, and ``%`` for ``%%``: what psycopg's cursor
    does to every statement it runs (cached by psycopg only up to 50 parameters and 4096 bytes). Like
    psycopg's, the rewrite reads no SQL: a ``%s`` inside a string literal is a placeholder too, and a literal
    percent sign is written ``%%`` there as everywhere (the statements of the hot path have no ``%s`` in a
    literal). Any other ``%`` sequence is refused (psycopg's ``%b``, ``%t`` and ``%(name)s`` too: no hand-written
    statement uses them). Returns the statement and its number of placeholders, which ``_Statements`` holds the
    parameters to: PostgreSQL binds ``$n`` by number, so a parameter too many would pass unnoticed (psycopg's own
    cursor refuses it before sending)."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        if match[1] == "%":
            return "%"
        if match[1] == "s":
            count += 1
            return f"${count}"
        raise ProgrammingError(f"only '%s' and '%%' are placeholders in a hand-written statement, not {match[0]!r}")

    numbered = _PERCENT.sub(replace, sql)
    return numbered, count


def _as_is(sql: str) -> tuple[str, None]:
    return sql, None


def _counted(params, count: int | None) -> None:
    if count is not None and len(params) != count:
        raise ProgrammingError(f"the statement has {count} placeholders but {len(params)} parameters were given")


class _Statements:
    """A DB-API cursor for the hand-written statements of this module, with Django's error classes and its
    broken-transaction check but without its per-statement wrappers (see ``statement_cursor``)."""

    __slots__ = ("_cursor", "_errors", "_placeholders")

    def __init__(self, using):
        using.validate_no_broken_transaction()
        driver = using.connection
        if using.vendor == "sqlite":
            self._cursor, self._placeholders = driver.cursor(), _qmark
        elif using.vendor == "postgresql" and _server_binding(driver):
            self._cursor, self._placeholders = psycopg.RawCursor(driver), _numbered
        else:
            self._cursor, self._placeholders = driver.cursor(), _as_is
        self._errors = using.wrap_database_errors

    def execute(self, sql: str, params=()):
        sql, count = self._placeholders(sql)
        _counted(params, count)
        with self._errors:
            self._cursor.execute(sql, params)
        return self

    def executemany(self, sql: str, param_list):
        sql, count = self._placeholders(sql)
        if count is not None:
            param_list = list(param_list)
            for params in param_list:
                _counted(params, count)
        with self._errors:
            self._cursor.executemany(sql, param_list)
        return self

    def fetchone(self):
        with self._errors:
            return self._cursor.fetchone()

    def fetchall(self):
        with self._errors:
            return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()


def _server_binding(driver) -> bool:
    """Whether Django's PostgreSQL connection binds parameters on the server (``OPTIONS["server_side_binding"]``:
    its cursors are not psycopg's ``ClientCursor``). Only then do the hand-written statements go through
    psycopg's ``RawCursor``, which binds on the server too; with client-side binding (behind a pooler) they
    keep the connection's own cursor."""
    return not issubclass(driver.cursor_factory, psycopg.ClientCursor)


def statement_cursor(using=None):
    """A cursor for hand-written statements on the hot path. Unless something watches the statements (DEBUG,
    ``CaptureQueriesContext``, an ``execute_wrapper``: then Django's own cursor), the DB-API cursor of Django's
    connection: Django's cursor wraps each statement in four layers and, on SQLite, rewrites its placeholders
    with a regular expression each time — together about as long as SQLite takes to run a small statement.
    On PostgreSQL (binding on the server) it is psycopg's ``RawCursor``, handed each statement with
    PostgreSQL's own placeholders, rewritten once per statement text (``_numbered``)."""
    using = using or db()
    if using.connection is None or using.queries_logged or using.execute_wrappers:
        return using.cursor()
    return _Statements(using)


class RowReader:
    """Select all concrete columns of a model under an alias and build instances from the row."""

    def __init__(self, model: type[Model], alias: str):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.columns = ", ".join(f"{alias}.{_quote(field.column)}" for field in self.fields)
        self._converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self._converters.append((index, column, found))

    def __len__(self) -> int:
        return len(self.fields)

    def build(self, row) -> Model:
        values = list(row[: len(self.fields)])
        using = db()
        for index, column, converters in self._converters:
            value = values[index]
            for convert in converters:
                value = convert(value, column, using)
            values[index] = value
        return self.model.from_db(using.alias, self.attnames, values)


@cache
def _update_sql(table: str, columns: tuple[str, ...], key: str) -> str:
    sets = ", ".join(f"{_quote(column)} = %s" for column in columns)
    return f"UPDATE {_quote(table)} SET {sets} WHERE {_quote(key)} = %s"


def update_statement(instance: Model, field_names: list[str]) -> tuple[str, list]:
    """The UPDATE of the named fields of an instance, values converted as the ORM would."""
    meta = instance._meta
    fields = [meta.get_field(name) for name in field_names]
    sql = _update_sql(meta.db_table, tuple(field.column for field in fields), meta.pk.column)
    using = db()
    return sql, [*(field.get_db_prep_save(getattr(instance, field.attname), using) for field in fields), instance.pk]


def row_update(instance: Model, field_names: list[str]) -> None:
    """UPDATE the named fields of an instance (no signals, no auto_now); a row that is gone is an error."""
    with statement_cursor() as cursor:
        cursor.execute(*update_statement(instance, field_names))
        if cursor.rowcount == 0:
            raise RuntimeError(f"row_update: {instance._meta.label} {instance.pk} does not exist")


@cache
def _insert_sql(table: str, columns: tuple[str, ...], returning: str) -> str:
    names = ", ".join(_quote(column) for column in columns)
    sql = f"INSERT INTO {_quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    return f"{sql} RETURNING {_quote(returning)}" if returning else sql


#: Django's own conversions of a text field: a ``str`` comes out of them as it went in.
_TEXT_AS_IS = frozenset({(CharField.get_prep_value, CharField.to_python), (TextField.get_prep_value, TextField.to_python)})


def _plain_pre_save(field: Field) -> bool:
    """Whether ``field.pre_save`` on an insert is the value the instance holds (no auto_now, no file to commit)."""
    own = type(field).pre_save
    if own is Field.pre_save:
        return True
    dated = own in (DateField.pre_save, DateTimeField.pre_save, TimeField.pre_save)
    return dated and not field.auto_now and not field.auto_now_add


def text_as_is(field: Field) -> bool:
    """Whether ``field.get_db_prep_save`` returns a ``str`` unchanged (a text field converting as Django does)."""
    kind = type(field)
    return (
        kind.get_db_prep_save is Field.get_db_prep_save
        and kind.get_db_prep_value is Field.get_db_prep_value
        and (kind.get_prep_value, kind.to_python) in _TEXT_AS_IS
    )


@cache
def _insert_plan(model: type[Model], vendor: str, given: bool) -> tuple[list, tuple]:
    """How ``insert_values`` prepares each field of ``model``: built once per process from the model's fields.

    Each step: the field, its attribute (read directly where ``pre_save`` would only read it), whether a ``str``
    passes its conversion unchanged, and whether ``None`` does (asked of the field once here)."""
    fields = [field for field in model._meta.concrete_fields if given or not field.primary_key]
    using = db()
    steps = tuple(
        (field, field.attname if _plain_pre_save(field) else None, text_as_is(field),
         field.get_db_prep_save(None, using) is None)
        for field in fields
    )
    return fields, steps


def insert_values(instance: Model) -> tuple[list, list]:
    """The fields and values ``row_insert`` inserts for a new instance (defaults, auto_now_add), database-ready:
    each field's ``get_db_prep_save(pre_save(...))``, except where that is known to give back what it was handed
    (``_insert_plan``); a letter's INSERT runs it with every request and notice."""
    using = db()
    fields, steps = _insert_plan(instance.__class__, using.vendor, instance.pk is not None)
    return fields, _prepared(instance, steps, using)


def _prepared(instance: Model, steps: tuple, using) -> list:
    values = []
    for field, attname, as_is, none_as_is in steps:
        value = field.pre_save(instance, True) if attname is None else getattr(instance, attname)
        if value is None:
            values.append(None if none_as_is else field.get_db_prep_save(None, using))
        elif as_is and (value.__class__ is str or (isinstance(value, str) and not hasattr(value, "as_sql"))):
            values.append(value)
        else:
            values.append(field.get_db_prep_save(value, using))
    return values


@cache
def _insert_under_sql(table: str, columns: tuple[str, ...], key: str, under: str, returning: str) -> str:
    names = ", ".join(_quote(column) for column in (*columns, key))
    values = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {_quote(table)} ({names}) SELECT {values}, {under}.id FROM {under} RETURNING {_quote(returning)} AS id"


def insert_under_statement(instance: Model, field_name: str, *, under: str) -> tuple[str, list]:
    """PostgreSQL: the INSERT of a new instance whose foreign key ``field_name`` takes the ``id`` of the row source
    ``under`` (a common table expression the caller puts before it), returning the new id as ``id``."""
    meta = instance._meta
    key = meta.get_field(field_name)
    fields, params = insert_values(instance)
    kept = [(field, param) for field, param in zip(fields, params) if field is not key]
    sql = _insert_under_sql(meta.db_table, tuple(field.column for field, _ in kept), key.column, under, meta.pk.column)
    return sql, [param for _, param in kept]


def inserted(instance: Model, pk) -> Model:
    """Mark a new instance stored with the id the database gave it."""
    if instance.pk is None:
        instance.pk = pk
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def row_insert(instance: Model) -> Model:
    """INSERT a new instance as ``save()`` would (defaults, auto_now_add; no signals) and set its id.

    A primary key already set (a UUID) is inserted; otherwise the database assigns one.
    """
    sql, params = insert_statement(instance)
    given = instance.pk is not None
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return inserted(instance, None if given else cursor.fetchone()[0])


_with_act: ContextVar[list | None] = ContextVar("inserts_with_act", default=None)


@contextmanager
def inserts_with_act():
    """Inside (a single act of ``workflows.services.case_transition``): ``row_insert_with_act`` keeps its rows in
    the list this yields, for the act's write to store with the act's other rows (on PostgreSQL in its one
    statement, no round trip each). Outside, it inserts at once."""
    token = _with_act.set([])
    try:
        yield _with_act.get()
    finally:
        _with_act.reset(token)


def row_insert_with_act(instance: Model) -> Model:
    """``row_insert``, or inside ``inserts_with_act`` kept to be stored with the act (its id is set then): for a
    new row nothing in the act reads again nor needs the id of before the act's write."""
    kept = _with_act.get()
    if kept is None:
        return row_insert(instance)
    kept.append(instance)
    return instance


def insert_statement(instance: Model, *, after: str = "") -> tuple[str, list]:
    """``row_insert``'s INSERT of a new instance: returning the id the database assigns, unless the instance has
    one already (a UUID). ``after`` (PostgreSQL): a row source (a common table expression the caller puts before
    it) the row is inserted once for, so nothing is inserted when it is empty."""
    meta = instance._meta
    fields, params = insert_values(instance)
    returning = "" if instance.pk is not None else meta.pk.column
    columns = tuple(field.column for field in fields)
    return (_insert_after_sql(meta.db_table, columns, returning, after) if after else
            _insert_sql(meta.db_table, columns, returning)), params


@cache
def _insert_after_sql(table: str, columns: tuple[str, ...], returning: str, after: str) -> str:
    names = ", ".join(_quote(column) for column in columns)
    sql = f"INSERT INTO {_quote(table)} ({names}) SELECT {', '.join(['%s'] * len(columns))} FROM {after}"
    return f"{sql} RETURNING {_quote(returning)}" if returning else sql


#: Rows per INSERT of ``rows_insert`` (the databases bound the parameters of one statement).
_INSERT_ROWS = 100


def rows_insert(instances: list[Model]) -> list[Model]:
    """``row_insert`` for many new instances of one model (ids assigned by the database), in multi-row INSERTs."""
    if not instances:
        return instances
    meta = instances[0]._meta
    using = db()
    fields, steps = _insert_plan(instances[0].__class__, using.vendor, False)
    columns = ", ".join(_quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with statement_cursor(using) as cursor:
        for start in range(0, len(instances), _INSERT_ROWS):
            part = instances[start : start + _INSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {_quote(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(part))} "
                f"RETURNING {_quote(meta.pk.column)}",
                [value for instance in part for value in _prepared(instance, steps, using)],
            )
            # the rows come back in the order of VALUES (Django's bulk_create relies on it as well)
            for instance, (pk,) in zip(part, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding = False
                instance._state.db = using.alias
    return instances


_shared: ContextVar[dict | None] = ContextVar("shared_reads", default=None)


@contextmanager
def shared_reads():
    """Inside: ``shared_read`` reads each thing once (a bulk step's chunk of acts, one transaction, reads the same
    prefecture or closure days for every act). Outside, every ``shared_read`` reads afresh."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared_seed(key: tuple, value: Callable[[], Any]) -> None:
    """Inside ``shared_reads``: what ``shared_read(key, ...)`` returns from now on, read with something else (an
    act's case read brings what its act would read); ``value`` is called only there. Outside, nothing."""
    memo = _shared.get()
    if memo is not None:
        memo[key] = value()


def shared_take(key: tuple, read: Callable[[], Any]) -> Any:
    """What ``shared_seed`` left under ``key`` (and no longer), or else ``read()``: a read seeded for one use."""
    memo = _shared.get()
    if memo is not None and key in memo:
        return memo.pop(key)
    return read()


def shared_read(key: tuple, read: Callable[[], Any]) -> Any:
    """``read()``, or inside ``shared_reads`` what it returned the first time for ``key``."""
    memo = _shared.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


@cache
def _select_sql(vendor: str, model: type[Model], where: str, order_by: str) -> tuple[str, RowReader]:
    reader = RowReader(model, "t")
    sql = f"SELECT {reader.columns} FROM {_quote(model._meta.db_table)} t WHERE {where}"
    return (f"{sql} ORDER BY {order_by}" if order_by else sql), reader


def rows_select(model: type[Model], where: str, params: list, *, order_by: str = "") -> list[Model]:
    """Instances of ``model`` matching a hand-written WHERE (columns of the alias ``t``)."""
    using = db()
    sql, reader = _select_sql(using.vendor, model, where, order_by)
    with statement_cursor(using) as cursor:
        cursor.execute(sql, params)
        return [reader.build(row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Rider:
    """PostgreSQL: a read that goes in another statement's round trip (``scalar_carrying``): its SELECT, its
    parameters, and ``took``, called with its rows (in no particular order: sort them) once the statement ran."""

    sql: str
    params: list
    took: Callable[[list[tuple]], None]


def scalar_carrying(sql: str, params: list, rider: Rider | None) -> Any:
    """``scalar`` of a data-modifying statement returning one value, with ``rider``'s read in the same statement
    (its rows go to ``rider.took``). The read's snapshot is the statement's, taken when it begins: a read that
    must see what a lock the statement waits for protects does not ride on it. Without a rider, ``scalar``;
    elsewhere than on PostgreSQL, the read follows in a statement of its own."""
    if rider is None:
        return scalar(sql, params)
    if db().vendor != "postgresql":  # no data-modifying WITH: the two statements one after the other
        value = scalar(sql, params)
        rider.took(rows_of(rider.sql, rider.params))
        return value
    # ``found``: a row of the read's, not the NULLs the LEFT JOIN gives the carrier's value when it finds none
    rows = rows_of(
        f"WITH carrier AS ({sql}) SELECT carrier.*, ridden.* FROM carrier "
        f"LEFT JOIN (SELECT 1 AS found, read.* FROM ({rider.sql}) read) ridden ON true",
        [*params, *rider.params],
    )
    rider.took([row[2:] for row in rows if row[1] is not None])
    return rows[0][0] if rows else None


def rows_of(sql: str, params: list) -> list[tuple]:
    """The rows of a hand-written query."""
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def first_row(sql: str, params: list) -> tuple | None:
    """The first row of a hand-written query, or None."""
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def scalar(sql: str, params: list):
    """The first column of the first row of a hand-written query, or None."""
    row = first_row(sql, params)
    return row[0] if row else None


def statistics_refresh() -> None:
    """PostgreSQL: ANALYZE the database, so plans fit tables a bulk load has just filled (a no-op on SQLite).

    A loader that fills tables in one session (``load_demo``) otherwise keeps the generic plans of its
    prepared statements made when the tables were empty: a payment run's items over a join then took
    67 s instead of milliseconds. ANALYZE also invalidates those cached plans.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
