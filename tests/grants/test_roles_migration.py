"""The migration to roles and scope as data keeps what existing users could do.

Users are made as the schema before it held them (group names, officers' scope rows, a superuser,
the system user known by its name), then the migrations run forward as ``migrate`` runs them.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from grants.access import may
from grants.models import Scope
from grants.roles import primary_role, system_user
from tests.factories import Stream

BEFORE = ("grants", "0005_payments_to_their_app")
CSG, MCF = Stream.COMMUNITY_SUPPORT_GRANT, Stream.MEDICAL_CARE_FUND


def users_before_the_migration() -> None:
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    user_model, group_model = apps.get_model("auth", "User"), apps.get_model("auth", "Group")
    officer_scope = apps.get_model("grants", "OfficerScope")
    groups = {name: group_model.objects.get_or_create(name=name)[0] for name in ("officer", "supervisor", "auditor")}
    for username, group, rows in (
        ("officer", "officer", [(CSG, "11")]),
        ("moved_to_supervisor", "supervisor", [(CSG, "11")]),  # rows left behind counted for officers only
        ("auditor", "auditor", []),
    ):
        user = user_model.objects.create(username=username)
        user.groups.add(groups[group])
        officer_scope.objects.bulk_create([officer_scope(user=user, stream=s, prefecture_code=p) for s, p in rows])
    user_model.objects.create(username="root", is_superuser=True, is_staff=True)
    user_model.objects.create(username="system", is_active=False, first_name="system")


def test_existing_users_keep_what_they_could_do(live_db):
    call_command("migrate", *BEFORE, verbosity=0)
    try:
        users_before_the_migration()
    finally:
        call_command("migrate", verbosity=0)
    user = {u.username: u for u in get_user_model().objects.all()}

    assert may(user["officer"], "grants.act_on_case", stream=CSG, prefecture="11")
    assert not may(user["officer"], "grants.act_on_case", stream=MCF, prefecture="11")
    assert not may(user["officer"], "grants.approve_decision")

    assert not Scope.objects.filter(user=user["moved_to_supervisor"]).exists()
    assert may(user["moved_to_supervisor"], "grants.approve_decision", stream=MCF, prefecture="13")

    assert may(user["auditor"], "grants.read_case", stream=MCF, prefecture="13")
    assert not may(user["auditor"], "grants.act_on_case", stream=CSG, prefecture="11")

    root = user["root"]
    assert (root.is_superuser, root.is_staff, primary_role(root)) == (False, True, "administrator")
    assert may(root, "grants.read_history") and may(root, "calendars.edit_calendar_data")
    assert not may(root, "grants.act_on_case") and not may(root, "grants.approve_decision")

    system = user["system"]
    assert system_user() == system and primary_role(system) == "system"
    assert system.is_active and not system.has_usable_password()
    assert may(system, "schedules.edit_schedule") and not may(system, "grants.act_on_case")
