"""Who may do what: roles (Django groups) and officer scopes.

Role and scope lookups are cached on the user object for the length of a
request, so a page or an API call pays for them once.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q

from .models import OfficerScope, Role

SYSTEM_USERNAME = "system"


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The role codes of a user; superusers are administrators."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_grant_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & frozenset(Role.values)
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR}
        user._grant_roles = cached
    return cached


def primary_role(user) -> str:
    """The role recorded in the history for an act (the most specific one the user holds)."""
    roles = roles_of(user)
    for role in (Role.SUPERVISOR, Role.OFFICER, Role.AUDITOR, Role.ADMINISTRATOR):
        if role in roles:
            return role
    return "system" if getattr(user, "username", "") == SYSTEM_USERNAME else "none"


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def scope_pairs(user) -> frozenset[tuple[str, str]]:
    """(stream, prefecture_code) pairs assigned to the user."""
    cached = getattr(user, "_grant_scopes", None)
    if cached is None:
        cached = frozenset(OfficerScope.objects.filter(user=user).values_list("stream", "prefecture_code"))
        user._grant_scopes = cached
    return cached


def sees_everything(user) -> bool:
    """Supervisors, auditors and administrators read every case; officers read their scope."""
    return bool(roles_of(user) & {Role.SUPERVISOR, Role.AUDITOR, Role.ADMINISTRATOR})


def in_scope(user, *, stream: str, prefecture_code: str) -> bool:
    """True when the user is an officer assigned that stream in that prefecture.

    Scope rows count only while the user holds the officer role, as in ``case_scope_q``:
    an officer moved to another post keeps no reach through rows left behind.
    """
    return has_role(user, Role.OFFICER) and (stream, prefecture_code) in scope_pairs(user)


def case_scope_q(user, prefix: str = "") -> Q:
    """A filter selecting the cases the user may read."""
    if sees_everything(user):
        return Q()
    if not has_role(user, Role.OFFICER):
        return Q(pk__in=[])
    return Q(
        Exists(
            OfficerScope.objects.filter(
                user=user,
                stream=OuterRef(f"{prefix}stream"),
                prefecture_code=OuterRef(f"{prefix}recipient__prefecture_code"),
            )
        )
    )


def system_user():
    """The user that scheduled jobs act as."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "system"}
    )
    return user
