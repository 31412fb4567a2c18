"""A fresh demo deployment for the soak commands: a database made anew, migrated, with the demo data loaded.

PostgreSQL comes from ``scripts/ensure_postgres.sh`` (which starts a local
server when none runs, with an owner role and the application's role)
unless ``OPS_PG_URL`` names one; the database named by the caller is
dropped and created again, so run one command per name. As in production
(docs/operations.md, "Database roles"), the owner migrates and grants the
application's role (``OPS_PG_APP_ROLE``, password ``OPS_PG_APP_PASSWORD``;
both ``grants_app`` by default) its rights, and every process of the
deployment connects as the application's role.
"""

import os
import secrets
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from .processes import ROOT, manage_ok, production_env

CSG = "community_support_grant"
#: (fiscal year, stream, procedure) groups the demo leaves without cases, for the cases a soak opens.
FRESH_GROUPS = [
    (year, CSG, procedure) for year in (2027, 2024, 2022) for procedure in ("initial_grant", "adjustment_grant")
]


def bureau_prefectures() -> set[str]:
    """The prefectures whose recipients this bureau serves: ``BUREAU_PREFECTURES``, as the settings read it."""
    return set(os.environ.get("BUREAU_PREFECTURES", "08,09,10,11,12,13,14,15,19,20").replace(" ", "").split(","))


def postgres_url(database: str) -> str:
    """The URL of ``database`` on the local PostgreSQL server."""
    base = os.environ.get("OPS_PG_URL") or subprocess.run(
        [str(ROOT / "scripts" / "ensure_postgres.sh")], capture_output=True, text=True, check=True
    ).stdout.strip().splitlines()[-1]
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{database}"))


def recreate_postgres_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(db: str, *, name: str, run_dir: Path) -> str:
    """A new, empty database: PostgreSQL database ``name``, or an SQLite file in ``run_dir``."""
    if db == "postgres":
        url = postgres_url(name)
        recreate_postgres_database(url)
        return url
    return f"sqlite:///{run_dir / f'{name}.sqlite3'}"


def app_role_url(owner_url: str) -> str:
    """The same database as the application's role (PostgreSQL); an SQLite URL as it is."""
    if not owner_url.startswith(("postgres://", "postgresql://")):
        return owner_url
    parts = urlsplit(owner_url)
    role = os.environ.get("OPS_PG_APP_ROLE", "grants_app")
    password = os.environ.get("OPS_PG_APP_PASSWORD", "grants_app")
    return urlunsplit(parts._replace(netloc=f"{quote(role)}:{quote(password)}@{parts.hostname}:{parts.port or 5432}"))


def install_demo(database_url: str, run_dir: Path) -> tuple[dict, str]:
    """Migrate (as the owner) and load the demo (as the application).

    Returns the production environment of the application's processes and the demo users' password.
    """
    password = secrets.token_urlsafe(12)
    app_url = app_role_url(database_url)
    env = production_env(database_url=app_url, run_dir=run_dir)
    log = run_dir / "commands.log"
    owner = dict(env, DATABASE_URL=database_url)
    if app_url != database_url:
        owner["DATABASE_APP_ROLE"] = urlsplit(app_url).username
    manage_ok(owner, "migrate", "--verbosity", "0", log=log)
    manage_ok(env, "load_demo", "--password", password, log=log)
    return env, password
