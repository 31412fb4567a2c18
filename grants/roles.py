"""The standard roles and what each may do when first set up; the system user; the role an act is recorded under.

Roles are data: a role is a Django group and what it may do is the permissions the
group holds, which administrators change in the admin. ``STANDARD_ROLES`` is what
the four roles of the bureau hold when a database is set up (the data migrations
grant it through ``standard_roles_grant``); no check names a role, every check asks
``grants.access`` for a permission.
"""

from django.apps import apps as installed_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management import create_permissions
from django.db import IntegrityError, transaction

from .models import Role, UserProfile

_READ = ("grants.read_case",)
_READ_EVERYTHING = (*_READ, "grants.work_bureau_wide", "grants.read_history", "grants.export_history")
_MONEY = ("payments.prepare_payment_run", "payments.record_repayment", "payments.import_fund_balances")

STANDARD_ROLES: dict[str, tuple[str, ...]] = {
    # Prepares everything within their streams and prefectures; decides nothing.
    Role.OFFICER: (*_READ, "grants.act_on_case", *_MONEY, "letters.batch_letters", "inquiries.record_inquiry"),
    # Decides (four eyes) across the bureau and keeps the schedules.
    Role.SUPERVISOR: (
        *_READ_EVERYTHING,
        "grants.approve_decision",
        "grants.record_budget_notice",
        *_MONEY,
        "payments.approve_payment_run",
        "letters.batch_letters",
        "schedules.edit_schedule",
    ),
    # Reads everything, changes nothing.
    Role.AUDITOR: _READ_EVERYTHING,
    # Users, roles, scopes, calendar data and the list of recipients; reads everything, takes no step on a case.
    Role.ADMINISTRATOR: (
        *_READ_EVERYTHING,
        "calendars.edit_calendar_data",
        *(f"auth.{action}_{model}" for model in ("user", "group") for action in ("view", "add", "change", "delete")),
        *(f"grants.{action}_scope" for action in ("view", "add", "change", "delete")),
        "grants.change_recipient",
    ),
}

#: What the system user does: scheduled jobs and operators at the command line.
SYSTEM_PERMISSIONS = ("schedules.edit_schedule", "calendars.edit_calendar_data", "grants.change_recipient")
#: The name the system user is created with (it is found by its flag, ``UserProfile.is_system``).
SYSTEM_USERNAME = "system"


def _permissions(permission_model, names):
    """The stored permissions of ``app_label.codename`` names (those not created yet are left out)."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = permission_model.objects.filter(
        content_type__app_label__in={app for app, _codename in wanted}, codename__in={code for _app, code in wanted}
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def standard_roles_grant(apps=installed_apps, *, roles=None) -> None:
    """Give each standard role's group (made if missing) its permissions, and the system user its own.

    Only adds: a permission an administrator took from a group stays taken until
    this runs again for that role. A data migration calls it with its historical
    ``apps`` after creating the permissions it declares; permissions that do not
    exist yet are granted by the migration that declares them.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name in STANDARD_ROLES if roles is None else roles:
        group, _created = group_model.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(permission_model, STANDARD_ROLES[name]))
    profile_model = apps.get_model("grants", "UserProfile")
    system = profile_model.objects.filter(is_system=True).select_related("user").first()
    if system is not None:
        system.user.user_permissions.add(*_permissions(permission_model, SYSTEM_PERMISSIONS))


def permissions_create(apps) -> None:
    """Create the permissions every model declares at this point of the migrations (Django creates them
    only after ``migrate`` ends), so a data migration can grant them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True  # a migration's app stubs have none, and create_permissions skips those
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def role_group(name: str):
    """The group of a standard role holding its permissions (demo data; tests whose database was emptied)."""
    standard_roles_grant(roles=[name])
    return installed_apps.get_model("auth", "Group").objects.get(name=name)


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_grant_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._grant_groups = cached
    return cached


def is_system(user) -> bool:
    """Whether ``user`` is the system user (by its flag, whatever its name)."""
    cached = getattr(user, "_grant_is_system", None)
    if cached is None:
        cached = bool(user.pk) and UserProfile.objects.filter(user_id=user.pk, is_system=True).exists()
        user._grant_is_system = cached
    return cached


def primary_role(user) -> str:
    """The role an act is recorded under in the history: the most specific standard role the user holds,
    then "system" for the system user, "administrator" for a superuser, another group's name, or "none"."""
    names = _group_names(user)
    # plain text, as the record keeps it (``grants.history.history_record``)
    for role in (Role.SUPERVISOR, Role.OFFICER, Role.AUDITOR, Role.ADMINISTRATOR):
        if role in names:
            return role.value
    if is_system(user):
        return "system"
    if getattr(user, "is_superuser", False):
        return Role.ADMINISTRATOR.value
    return min(names)[:20] if names else "none"  # 20: HistoryEntry.actor_role


def system_user():
    """The user scheduled jobs and command-line operators act as; made, with its permissions, on first use.

    It is active (so it holds its permissions) with an unusable password, so it never signs in.
    """
    found = get_user_model().objects.filter(profile__is_system=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user, _created = get_user_model().objects.get_or_create(
                username=SYSTEM_USERNAME, defaults={"first_name": "system", "password": make_password(None)}
            )
            UserProfile.objects.update_or_create(user=user, defaults={"is_system": True})
            standard_roles_grant(roles=[])
    except IntegrityError:  # another process made it first
        pass
    return get_user_model().objects.get(profile__is_system=True)
