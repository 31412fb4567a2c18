"""The PostgreSQL role the application connects as (docs/operations.md, "Database roles").

Production runs two roles: the owner, which ``migrate`` (and ``restore``) run
as and which owns every table, and the application's role, which owns nothing
and holds only what the application does: SELECT, INSERT, UPDATE and DELETE
on its tables, but only SELECT and INSERT on the history and its checkpoints,
no TRUNCATE, no TRIGGER, no REFERENCES and no CREATE in the schema. It can
therefore neither rewrite the history nor lift the triggers that guard it.

``grant_app_role`` (re)grants exactly that; ``migrate`` calls it when
``DATABASE_APP_ROLE`` names the role, so tables a later migration adds are
granted too.
"""

from django.core import checks
from django.db import connections

from . import history_triggers

APPEND_ONLY = (history_triggers.HISTORY, history_triggers.CHECKPOINTS)
MIGRATIONS = "django_migrations"


class RoleError(Exception):
    pass


def grant_app_role(connection, role: str) -> list[str]:
    """Grant ``role`` what the application needs on the current database and nothing more; the statements run."""
    if connection.vendor != "postgresql":
        raise RoleError("Database roles apply to PostgreSQL only.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, current_user = rolname FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(f"No PostgreSQL role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD '…').")
        if row[0] or row[1]:
            raise RoleError(f"{role!r} is a superuser or the role migrating: the application needs a role of its own.")
        name = connection.ops.quote_name(role)
        append_only = ", ".join(APPEND_ONLY)
        statements = [
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"REVOKE UPDATE, DELETE ON {append_only} FROM {name}",
            f"REVOKE INSERT, UPDATE, DELETE ON {MIGRATIONS} FROM {name}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        ]
        for sql in statements:
            cursor.execute(sql)
    return statements


def role_powers(connection) -> list[str]:
    """What the connected role could do to the history beyond appending to it (empty: nothing)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1 LIMIT 5"
        )
        owned = [name for (name,) in cursor.fetchall()]
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        powers = []
        if superuser:
            powers.append("it is a superuser")
        if owned:
            powers.append(f"it owns tables ({', '.join(owned)}, …), so it can drop their triggers")
        for table in APPEND_ONLY:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:  # not migrated yet (``migrate`` runs this check first)
                continue
            cursor.execute(
                "SELECT has_table_privilege(%s, 'UPDATE'), has_table_privilege(%s, 'DELETE'), "
                "has_table_privilege(%s, 'TRUNCATE'), has_table_privilege(%s, 'TRIGGER')",
                [table] * 4,
            )
            held = [name for name, yes in zip(("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"), cursor.fetchone()) if yes]
            if held and not superuser and not owned:
                powers.append(f"it holds {', '.join(held)} on {table}")
    return powers


def check_app_role(app_configs=None, databases=None, **kwargs):
    """``manage.py check --database default``: the application's role cannot rewrite the history."""
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        powers = role_powers(connection)
        if powers:
            problems.append(checks.Warning(
                f"The database role of {alias!r} can rewrite the decision history: {'; '.join(powers)}.",
                hint="Run the application as a role that owns nothing (DATABASE_APP_ROLE, docs/operations.md); "
                "migrate as the owner.",
                id="grants.W010",
            ))
    return problems


def grant_after_migrate(sender, using, **kwargs):
    from django.conf import settings

    connection = connections[using]
    if settings.DATABASE_APP_ROLE and connection.vendor == "postgresql":
        grant_app_role(connection, settings.DATABASE_APP_ROLE)
