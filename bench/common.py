"""What the bench scripts share: a PostgreSQL database of their own made afresh, and a child process's settings.

Each script measures in a child process on production settings against a scratch database: a SQLite file in
a temporary directory, or a PostgreSQL database on the server of ``BENCH_PG_URL`` (default: the one
``scripts/ensure_postgres.sh`` sets up), dropped and created for the run. A script that uses a fixed database
name takes another from ``BENCH_PG_DATABASE``, so two runs on one server do not drop each other's.
"""

import os
import secrets
import sys
from urllib.parse import urlsplit

SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://grants:grants@127.0.0.1:5432/grants")
ALL_PREFECTURES = ",".join(f"{code:02d}" for code in range(1, 48))


def database_url(name: str) -> str:
    """The URL of database ``name`` on the server of ``BENCH_PG_URL`` (same role, host and options)."""
    return urlsplit(SERVER_URL)._replace(path="/" + name).geturl()


def name_after_url(suffix: str) -> str:
    """The name of ``BENCH_PG_URL``'s database with ``suffix`` (grants → grants_fuzz): a run against another
    database of the server gets a scratch database of its own."""
    return urlsplit(SERVER_URL).path.lstrip("/") + suffix


def database_name(default: str) -> str:
    """``BENCH_PG_DATABASE``, else ``default``."""
    return os.environ.get("BENCH_PG_DATABASE", default)


def fresh_database(name: str, template: str | None = None) -> str | None:
    """Drop database ``name`` if it exists and create it anew (a copy of ``template`` if given); its URL.

    None, with one line on stderr, when the server cannot be reached. The statements run from the server's
    ``postgres`` database, as ``createdb`` does, so ``BENCH_PG_URL``'s own database need not exist."""
    import psycopg
    from psycopg import sql

    try:
        conn = psycopg.connect(SERVER_URL, dbname="postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        server = urlsplit(SERVER_URL)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        print(f"postgres: cannot connect to {server.hostname or 'localhost'}:{server.port or 5432} "
              f"(BENCH_PG_URL): {reason}; is the server up? scripts/ensure_postgres.sh", file=sys.stderr)
        return None
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
        conn.execute(create)
    return database_url(name)


def scratch_database(db: str, sqlite_file: str, pg_name: str) -> str | None:
    """The URL of the run's database: ``sqlite_file`` when ``db`` is "sqlite", else PostgreSQL's ``pg_name``
    made afresh (None when the server cannot be reached: see ``fresh_database``)."""
    return f"sqlite:///{sqlite_file}" if db == "sqlite" else fresh_database(pg_name)


def drop_database(name: str) -> None:
    """Drop database ``name`` if it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(SERVER_URL, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def production_environment(**settings: str) -> dict[str, str]:
    """This process's environment on production settings for a child (DEBUG off, a fresh secret key, served as
    localhost), with ``settings`` added or overriding."""
    return {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost", **settings}


def national_environment(database_url: str, media_root: str | os.PathLike, **settings: str) -> dict[str, str]:
    """Production settings for the national scenario: a bureau serving every prefecture, history checkpoints
    signed with a fresh key as records come, letters stored under ``media_root``."""
    return production_environment(
        DATABASE_URL=database_url, DJANGO_MEDIA_ROOT=str(media_root), PYTHONUNBUFFERED="1",
        HISTORY_SIGNING_KEY=signing_key_pem(), BUREAU_PREFECTURES=ALL_PREFECTURES, **settings,
    )


def signing_key_pem() -> str:
    """A fresh Ed25519 key for the run's history checkpoints."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def chain_stored(records, previous: str) -> str:
    """Hash unsaved ``HistoryEntry`` records onto the chain after ``previous`` (a head hash), in their order, and
    store them 5,000 to an INSERT inside the caller's transaction, as the benches lay down a chain fast; returns
    the new head. (Django set up.)"""
    from grants import history
    from grants.models import HistoryEntry

    batch = []
    for entry in records:
        entry.prev_hash = previous
        entry.hash = previous = history.entry_hash(entry)
        batch.append(entry)
        if len(batch) == 5000:
            HistoryEntry.objects.bulk_create(batch)
            batch = []
    HistoryEntry.objects.bulk_create(batch)
    return previous

