"""On PostgreSQL the application runs as a role that owns nothing: it does its work but cannot rewrite the history.

A database is migrated by the owner role with ``DATABASE_APP_ROLE`` set, as in
production; then the application's role (made by scripts/ensure_postgres.sh)
builds cases, letters and payments through the real services in a process of
its own, signs and verifies a checkpoint, and is refused every statement that
would cut, rewrite or unguard the history.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from grants.db_roles import APPEND_ONLY

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
]
ROOT = Path(__file__).resolve().parent.parent
APP_ROLE = os.environ.get("PGAPP_NAME", "grants_app")
APP_PASSWORD = os.environ.get("PGAPP_PASS", "grants_app")


def _url(settings_dict, name, user=None, password=None):
    return (
        f"postgres://{user or settings_dict['USER']}:{password or settings_dict['PASSWORD']}"
        f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"
    )


def manage(*args, url, **env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": url, **env},
    )
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture
def roles_database():
    """A fresh database migrated by the owner; its name, owner URL and app URL. Dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_roles"
    admin = psycopg.connect(_url(settings_dict, "postgres"), autocommit=True)
    try:
        app_exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone()
        assert app_exists, f"no role {APP_ROLE!r}: run scripts/ensure_postgres.sh (it makes the application's role)"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        owner_url = _url(settings_dict, name)
        manage("migrate", "-v0", url=owner_url, DATABASE_APP_ROLE=APP_ROLE)
        yield name, owner_url, _url(settings_dict, name, APP_ROLE, APP_PASSWORD)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


FORBIDDEN = [
    "DROP TRIGGER grants_historyentry_no_update_delete ON grants_historyentry",
    "ALTER TABLE grants_historyentry DISABLE TRIGGER ALL",
    "TRUNCATE grants_historyentry",
    "TRUNCATE grants_case CASCADE",
    "UPDATE grants_historyentry SET action = 'forged'",
    "DELETE FROM grants_historyentry",
    "DELETE FROM grants_historycheckpoint",
    "UPDATE grants_historycheckpoint SET signature = 'x'",
    "ALTER TABLE grants_historyentry ADD COLUMN note text",
    "ALTER TABLE grants_case ADD COLUMN note text",
    "DROP TABLE grants_historycheckpoint",
    "CREATE TABLE shadow (id int)",
    "CREATE OR REPLACE FUNCTION grants_historyentry_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "SET session_replication_role = replica",
    "DELETE FROM django_migrations",
]


def test_the_application_role_works_but_cannot_rewrite_the_history(roles_database, tmp_path):
    name, owner_url, app_url = roles_database
    checkpoint_dir = str(tmp_path / "checkpoints")

    # Ordinary work, as the application's role: cases, letters, a paid run, a checkpoint, a verification.
    manage(
        "shell", "--no-imports", "-c", "from tests.world import build; build()",
        url=app_url, HISTORY_CHECKPOINT_DIR=checkpoint_dir,
    )
    assert "checkpoint #1" in manage("history_checkpoint", url=app_url, HISTORY_CHECKPOINT_DIR=checkpoint_dir)
    assert manage("history_verify", url=app_url, HISTORY_CHECKPOINT_DIR=checkpoint_dir).startswith("ok: ")
    world = json.loads(manage(
        "shell", "--no-imports", "-c",
        "import json; from tests.world import fingerprint; print(json.dumps(fingerprint(), default=str))",
        url=app_url,
    ))
    assert world["cases"] and world["letters"] and any(run[1] == "executed" for run in world["payment_runs"])

    with psycopg.connect(app_url, autocommit=True) as app:
        for sql in FORBIDDEN:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(sql)
        assert app.execute("SELECT count(*) FROM grants_historyentry").fetchone()[0] == len(world["history"])
        owned = app.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()[0]
        assert owned == 0
        tables = [row[0] for row in app.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            truncate, trigger, references = app.execute(
                "SELECT has_table_privilege(%s, 'TRUNCATE'), has_table_privilege(%s, 'TRIGGER'), "
                "has_table_privilege(%s, 'REFERENCES')", [table] * 3,
            ).fetchone()
            assert not (truncate or trigger or references), table
        for table in APPEND_ONLY:
            assert app.execute(
                "SELECT has_table_privilege(%s, 'INSERT') AND NOT has_table_privilege(%s, 'UPDATE') "
                "AND NOT has_table_privilege(%s, 'DELETE')", [table] * 3,
            ).fetchone()[0]

    # Django's database check tells the two roles apart.
    assert "grants.W010" not in manage("check", "--database", "default", url=app_url)
    owner_check = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": owner_url}, timeout=120,
    )
    assert "grants.W010" in owner_check.stderr + owner_check.stdout and "it owns tables" in owner_check.stderr


def test_grant_app_role_refuses_an_unknown_role_or_the_owner_itself(roles_database):
    name, owner_url, _app_url = roles_database
    refusals = (("nobody_here", "No PostgreSQL role 'nobody_here'"), (connection.settings_dict["USER"], "the role migrating"))
    for role, message in refusals:
        result = subprocess.run(
            [sys.executable, "manage.py", "grant_app_role", role], cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": owner_url},
        )
        assert result.returncode != 0 and message in result.stderr
