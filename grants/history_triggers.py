"""Database triggers that make the history and its checkpoints append-only (docs/domain.md#history).

Installed by migrations ``grants.0002`` (the history) and ``grants.0005`` (its
checkpoints). ``drop``/``install`` exist for the test suite's clean-up between
transactional tests and for the verifier tests that tamper with records behind
the database's back, as an attacker holding the owner's role could.
"""

HISTORY = "grants_historyentry"
CHECKPOINTS = "grants_historycheckpoint"
TABLES = (HISTORY, CHECKPOINTS)


def _message(table: str) -> str:
    return f"{table} is append-only"


def _sqlite_install(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END",
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _pg_install(table: str) -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_message(table)}' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        # TRUNCATE of an empty table destroys nothing (the test suite's flush does it).
        f"""CREATE OR REPLACE FUNCTION {table}_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM {table}) THEN
            RAISE EXCEPTION '{_message(table)}' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_no_truncate()",
    ]
    if table == HISTORY:
        # One round trip for "take the chain lock, then read the head": a VOLATILE
        # function's second statement gets a fresh snapshot, so it sees the record a
        # previous holder of the lock committed.
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {table}_lock_head(lock_key bigint) RETURNS varchar
            LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
              PERFORM pg_advisory_xact_lock(lock_key);
              RETURN (SELECT hash FROM {table} ORDER BY id DESC LIMIT 1);
            END $$"""
        )
    return statements


def _pg_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


_STATEMENTS = {
    ("sqlite", True): _sqlite_install,
    ("sqlite", False): _sqlite_drop,
    ("postgresql", True): _pg_install,
    ("postgresql", False): _pg_drop,
}


def _statements(vendor: str, install: bool, tables: tuple[str, ...]) -> list[str]:
    try:
        make = _STATEMENTS[vendor, install]
    except KeyError:
        raise NotImplementedError(f"No append-only triggers for {vendor}") from None
    return [sql for table in tables for sql in make(table)]


def install(connection, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True, tables):
            cursor.execute(sql)


def drop(connection, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False, tables):
            cursor.execute(sql)
