"""Roles and scope as data: what each role may do becomes Django permissions held by its group,
the officers' scope becomes every user's scope, and the system user becomes a flag.

Existing users keep what they could do: scope rows counted only for officers, so the rows of
anyone else are dropped (they would now limit them); the user named "system" is flagged as the
system user, active so that it holds its permissions and with an unusable password so that it
never signs in; superusers, who were administrators taking no step on a case, become staff
administrators, since a superuser now holds every permission (every step included).
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models

from grants.roles import permissions_create, standard_roles_grant


def existing_users_keep_their_reach(apps, schema_editor):
    # The scope model's own permissions follow its new name before this migration creates the new ones,
    # so that Django's renaming of them after ``migrate`` finds nothing left to rename, not two of each.
    for permission in apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="grants", codename__endswith="_officerscope"
    ):
        permission.codename = permission.codename.replace("_officerscope", "_scope")
        permission.name = permission.name.replace("officer scope", "scope")
        permission.save(update_fields=["codename", "name"])
    permissions_create(apps)
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    group_model = apps.get_model("auth", "Group")
    apps.get_model("grants", "Scope").objects.exclude(user__groups__name="officer").delete()
    for user in user_model.objects.filter(username="system"):
        apps.get_model("grants", "UserProfile").objects.update_or_create(user=user, defaults={"is_system": True})
        user.is_active, user.password = True, make_password(None)
        user.save(update_fields=["is_active", "password"])
    administrators, _created = group_model.objects.get_or_create(name="administrator")
    for user in user_model.objects.filter(is_superuser=True):
        user.is_superuser, user.is_staff = False, True
        user.save(update_fields=["is_superuser", "is_staff"])
        user.groups.add(administrators)
    standard_roles_grant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("calendars", "0005_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("grants", "0005_payments_to_their_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("OfficerScope", "Scope"),
        migrations.AlterModelOptions(
            name="scope",
            options={
                "permissions": [
                    ("work_bureau_wide", "Work on every stream and prefecture (when the user has no scope rows)")
                ]
            },
        ),
        migrations.CreateModel(
            name="UserProfile",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="profile",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "is_system",
                    models.BooleanField(
                        default=False,
                        help_text="Scheduled jobs and operators at the command line act as this user; it never signs in.",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_system", True)), fields=("is_system",), name="one_system_user"
                    )
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["deadline_effective", "pk"],
                "permissions": [
                    ("read_case", "Read cases with their letters and money (within the user's scope)"),
                    ("act_on_case", "Open cases and take the officer's steps on them (within the user's scope)"),
                    ("approve_decision", "Approve, send back and revoke determinations (four eyes)"),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="budgetnotice",
            options={
                "ordering": ["fiscal_year", "stream", "part", "received_on"],
                "permissions": [("record_budget_notice", "Record the ministry's budget-obligation notices")],
            },
        ),
        migrations.AlterModelOptions(
            name="historyentry",
            options={
                "ordering": ["pk"],
                "permissions": [
                    ("read_history", "Search the decision history and verify its chain"),
                    ("export_history", "Export the decision history (CSV, XLSX, JSON Lines)"),
                ],
                "verbose_name_plural": "history entries",
            },
        ),
        migrations.RunPython(existing_users_keep_their_reach, migrations.RunPython.noop),
    ]
