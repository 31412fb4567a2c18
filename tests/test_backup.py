"""Backup and restore: a copy restored into a fresh database holds the same cases, letters and payments,
and its history verifies against the checkpoints signed before the backup (SQLite and PostgreSQL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.world import build, fingerprint

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, url, checkpoint_dir, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": url,
             "HISTORY_CHECKPOINT_DIR": str(checkpoint_dir)},
    )
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the suite's kind (dropped afterwards on PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    server = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_is_the_same_and_its_chain_verifies(
    live_db, tmp_path, fresh_database, checkpoint_dir, capsys
):
    build()
    before = json.loads(json.dumps(fingerprint(), default=str))
    out = tmp_path / ("grants.sqlite3" if connection.vendor == "sqlite" else "grants.dump")
    call_command("backup", str(out))
    printed = capsys.readouterr().out
    assert f"backed up the {connection.vendor} database to {out}" in printed and "checkpoint #1" in printed
    assert out.read_bytes()[:5] == (b"SQLit" if connection.vendor == "sqlite" else b"PGDMP")

    restored = manage("restore", str(out), url=fresh_database, checkpoint_dir=checkpoint_dir)
    assert f"history ok, {len(before['history'])} records, checkpoint #1 vouches for records up to #" in restored.stdout
    after = manage(
        "shell", "--no-imports", "-c",
        "import json; from tests.world import fingerprint; print(json.dumps(fingerprint(), default=str))",
        url=fresh_database, checkpoint_dir=checkpoint_dir,
    )
    assert json.loads(after.stdout) == before
    assert before["cases"] and before["letters"] and before["payment_items"] and before["payment_runs"]
    verified = json.loads(manage("history_verify", "--json", url=fresh_database, checkpoint_dir=checkpoint_dir).stdout)
    assert verified["ok"] and verified["checkpoints"] == 1 and verified["anchored_id"] == before["history"][-1][0]

    # A restore never lands on a database that holds data.
    again = manage("restore", str(out), url=fresh_database, checkpoint_dir=checkpoint_dir, check=False)
    assert again.returncode != 0 and "already holds tables: restore into a new, empty database" in again.stderr


def test_a_restored_copy_whose_history_was_cut_is_refused_by_the_verification(live_db, tmp_path, fresh_database, checkpoint_dir):
    """The checkpoints outside the backup catch a backup file whose newest records were cut."""
    build()
    out = tmp_path / ("grants.sqlite3" if connection.vendor == "sqlite" else "grants.dump")
    call_command("backup", str(out))
    restored = manage("restore", str(out), url=fresh_database, checkpoint_dir=checkpoint_dir)
    assert "history ok" in restored.stdout
    cut = manage(
        "shell", "--no-imports", "-c",
        "from django.db import connection; from grants import history_triggers as t; t.drop(connection); "
        "c = connection.cursor(); c.execute('DELETE FROM grants_historycheckpoint'); "
        "c.execute('DELETE FROM grants_historyentry WHERE id = (SELECT max(id) FROM grants_historyentry)')",
        url=fresh_database, checkpoint_dir=checkpoint_dir,
    )
    assert cut.returncode == 0
    verified = manage("history_verify", url=fresh_database, checkpoint_dir=checkpoint_dir, check=False)
    assert verified.returncode == 1 and "record_missing: records from #" in verified.stderr
    assert "checkpoint_missing: checkpoint #1 (directory" in verified.stderr


@pytest.mark.django_db
def test_backup_and_restore_refuse_what_they_cannot_do(tmp_path):
    taken = tmp_path / "taken.bin"
    taken.write_bytes(b"x")
    with pytest.raises(CommandError, match="exists already: a backup never overwrites a file"):
        call_command("backup", str(taken))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no" / "such" / "folder.bak"))
    with pytest.raises(CommandError, match="is not a backup made by manage.py backup"):
        call_command("restore", str(taken))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("restore", str(tmp_path / "missing.bak"))
    other = tmp_path / "other.bak"
    other.write_bytes(b"PGDMP" if connection.vendor == "sqlite" else b"SQLite format 3\x00")
    with pytest.raises(CommandError, match="backup; the configured database is"):
        call_command("restore", str(other))
