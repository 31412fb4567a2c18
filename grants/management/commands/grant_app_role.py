"""``manage.py grant_app_role [ROLE]``: grant the application's PostgreSQL role what it needs and nothing more.

Run as the owner role (``migrate`` does it by itself when ``DATABASE_APP_ROLE``
is set); ROLE defaults to ``DATABASE_APP_ROLE``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from grants.db_roles import RoleError, grant_app_role


class Command(BaseCommand):
    help = "Grant the application's role DML on the tables, only SELECT and INSERT on the history, no DDL."

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", default=None, help="The role (default: DATABASE_APP_ROLE)")

    def handle(self, *args, role: str | None, **options):
        role = role or settings.DATABASE_APP_ROLE
        if not role:
            raise CommandError("Name the role, or set DATABASE_APP_ROLE.")
        try:
            grant_app_role(connection, role)
        except (RoleError, DatabaseError) as exc:
            raise CommandError(str(exc).strip()) from exc
        self.stdout.write(f"granted {role}: DML on the tables, SELECT and INSERT only on the history, no DDL")
