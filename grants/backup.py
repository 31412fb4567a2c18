"""Backup and restore of the whole database (docs/operations.md, "Backup and restore").

SQLite: an online, consistent copy through SQLite's backup API (a snapshot even
while app servers write). PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore`` into a new, empty database, as the owner role, then the grants
of the application's role. Before a backup a checkpoint of the history's head
is signed (when the key is at hand), so the copy's chain is anchored outside
it; after a restore the chain is verified against every checkpoint in reach.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from web.errors import DomainError

from . import checkpoints
from .db_roles import grant_app_role
from .history import ChainBroken, VerificationResult, history_checkpoint, history_verify

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(DomainError):
    code = "backup_refused"
    http_status = 400


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    vendor: str
    checkpoint: checkpoints.Checkpoint | None
    note: str = ""


def backup_create(out: str | Path) -> BackupReport:
    """Copy the database to ``out`` (a new file), after signing a checkpoint of the history's head."""
    out = Path(out)
    if out.exists():
        raise BackupError(_("%(path)s exists already: a backup never overwrites a file.") % {"path": out})
    if not out.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": out.parent})
    note = ""
    try:
        history_checkpoint()
    except (checkpoints.SigningKeyMissing, ChainBroken) as exc:
        note = f"no checkpoint signed before the backup: {exc.message}"
    partial = out.with_name(out.name + ".partial")
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(partial)
        elif connection.vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-password", f"--file={partial}", f"--dbname={_conninfo()}"])
        else:
            raise BackupError(_("No backup for %(vendor)s.") % {"vendor": connection.vendor})
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(out, out.stat().st_size, connection.vendor, checkpoints.latest_in_database(), note)


def backup_restore(source: str | Path) -> VerificationResult:
    """Restore a backup into the configured database, which must be new and empty; verify the restored chain."""
    source = Path(source)
    try:
        with source.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(_("%(path)s cannot be read: %(error)s") % {"path": source, "error": exc.strerror}) from None
    kind = "sqlite" if magic.startswith(SQLITE_MAGIC) else "postgresql" if magic.startswith(PG_MAGIC) else None
    if kind is None:
        raise BackupError(_("%(path)s is not a backup made by manage.py backup.") % {"path": source})
    if kind != connection.vendor:
        raise BackupError(
            _("%(path)s is a %(kind)s backup; the configured database is %(vendor)s.")
            % {"path": source, "kind": kind, "vendor": connection.vendor}
        )
    if connection.introspection.table_names():
        raise BackupError(
            _("The configured database already holds tables: restore into a new, empty database.")
        )
    if kind == "sqlite":
        _sqlite_restore(source)
    else:
        _run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--no-password",
              f"--dbname={_conninfo()}", str(source)])
        if settings.DATABASE_APP_ROLE:
            grant_app_role(connection, settings.DATABASE_APP_ROLE)
    connection.close()
    return history_verify()


def _sqlite_backup(out: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(out)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _sqlite_restore(source: Path) -> None:
    name = Path(connection.settings_dict["NAME"])
    connection.close()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(name)
    try:
        tables = {row[0] for row in origin.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "grants_historyentry" not in tables:
            raise BackupError(_("%(path)s is a SQLite database, but not this application's.") % {"path": source})
        origin.backup(target)
    finally:
        origin.close()
        target.close()


def _conninfo() -> str:
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    return make_conninfo(
        host=db["HOST"] or None, port=str(db["PORT"]) if db["PORT"] else None, user=db["USER"] or None,
        dbname=db["NAME"],
    )


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(tool)s is not installed (Debian: apt-get install postgresql-client).") % {"tool": command[0]})
    env = {**os.environ}
    if connection.settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": result.stderr.strip() or result.returncode}
        )
