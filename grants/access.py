"""Who may do what, and where: the one check every view, endpoint, command, service and selector asks.

*What* a user may do is a Django permission (``grants.act_on_case``, ``payments.approve_payment_run``, …),
held through the groups of the standard roles (``grants.roles``) or any group an administrator makes.
*Where* is the user's scope, the rows of ``grants.models.Scope`` (one stream in one prefecture each):

- a user with scope rows reads and acts only on those streams and prefectures;
- a user without rows works everywhere when they hold ``grants.work_bureau_wide``
  (supervisors, auditors, administrators) and nowhere otherwise, so an account
  whose scope was forgotten sees nothing rather than everything.

``authorize`` raises the typed errors the API, the pages and the commands already turn into
403s and messages; ``may`` asks the same question for a yes or no; ``scope_q`` filters a
queryset down to what the user may read; ``scope_covers`` asks whether an act on many rows at
once (a payment run's step acts on all its items) lies wholly within the user's scope. Permissions and scope rows are cached on the user
object for the length of a request (Django caches the permissions there too).
"""

from functools import cache

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from web.errors import PermissionDenied

from .errors import OutOfScope
from .models import Scope

#: Reading cases and what hangs on them: letters, payment items, runs, return claims, fund balances.
READ_CASE = "grants.read_case"
#: Not limited by scope when the user has no scope rows.
WORK_BUREAU_WIDE = "grants.work_bureau_wide"

_UNSET = object()


@cache
def _known_permissions() -> frozenset[str]:
    """Every ``app_label.codename`` the installed models declare (their own and Django's default ones)."""
    known = set()
    for model in apps.get_models():
        opts = model._meta
        known.update(f"{opts.app_label}.{codename}" for codename, _name in opts.permissions)
        known.update(f"{opts.app_label}.{action}_{opts.model_name}" for action in opts.default_permissions)
    return frozenset(known)


def _holds(user, permission: str) -> bool:
    # A misspelt permission would deny everyone without a word: it fails loudly instead.
    if permission not in _known_permissions():
        raise ValueError(f"No model declares the permission {permission!r}.")
    return user.has_perm(permission)


def scope_of(user) -> frozenset[tuple[str, str]] | None:
    """The (stream, prefecture code) pairs the user is limited to, or None when they work bureau-wide.
    Each pair also reads by name: ``row.stream``, ``row.prefecture_code``."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_grant_scope", _UNSET)
    if cached is _UNSET:
        rows = frozenset(Scope.objects.filter(user=user).values_list("stream", "prefecture_code", named=True))
        cached = None if not rows and _holds(user, WORK_BUREAU_WIDE) else rows
        user._grant_scope = cached
    return cached


def works_bureau_wide(user) -> bool:
    """Whether ``user`` is limited by no scope rows (``scope_of`` is None)."""
    return scope_of(user) is None


def in_scope(user, *, stream: str, prefecture: str) -> bool:
    """Whether a stream in a prefecture (its JIS code) lies within the user's scope."""
    scope = scope_of(user)
    return scope is None or (stream, prefecture) in scope


def may(user, permission: str, *, stream: str | None = None, prefecture: str | None = None) -> bool:
    """Whether ``user`` holds ``permission`` and, given a stream and a prefecture, has them in scope."""
    if not _holds(user, permission):
        return False
    return stream is None or in_scope(user, stream=stream, prefecture=prefecture)


def authorize(
    user, permission: str, *, stream: str | None = None, prefecture: str | None = None, details: dict | None = None
) -> None:
    """Refuse ``user`` an act or a read: PermissionDenied without ``permission``, OutOfScope outside their scope.

    ``details`` name what was refused in the OutOfScope error (default: the stream and prefecture).
    """
    if not _holds(user, permission):
        raise PermissionDenied(details={"permission_required": permission})
    if stream is not None and not in_scope(user, stream=stream, prefecture=prefecture):
        raise OutOfScope(details=details if details is not None else {"stream": stream, "prefecture": prefecture})


def streams_in_scope(user, permission: str = READ_CASE) -> frozenset[str] | None:
    """The streams whose bureau-wide rows (schedule steps: they belong to no prefecture) ``user`` may
    ``permission``, and the streams a filter offers them: None for every stream, else those of their scope
    rows (none without the permission)."""
    rows = _scope_rows(user, permission)
    return None if rows is None else frozenset(row.stream for row in rows)


def prefectures_in_scope(user, permission: str = READ_CASE) -> frozenset[str] | None:
    """The prefectures (JIS codes) a filter offers ``user`` for ``permission``: None for every prefecture,
    else those of their scope rows in any stream (none without the permission)."""
    rows = _scope_rows(user, permission)
    return None if rows is None else frozenset(row.prefecture_code for row in rows)


def _scope_rows(user, permission: str) -> frozenset | None:
    """The user's scope rows for ``permission`` (``scope_of``): None for all, none without the permission."""
    if not _holds(user, permission):
        return frozenset()
    return scope_of(user)


def scope_q(user, permission: str = READ_CASE, *, via: str = "", stream: str | None = None, prefecture: str = "") -> Q:
    """A filter keeping the rows ``user`` may ``permission`` (by default: read): all, none, or those in scope.

    The rows are cases, or rows that reach a case through ``via`` (``"case__"`` for
    letters and payment items, ``"item__case__"`` for payment records). Rows of one
    fixed ``stream`` name the path to their prefecture code in ``prefecture`` instead
    (fund balances: ``stream=MEDICAL_CARE_FUND, prefecture="prefecture__prefecture_code"``).
    """
    if not _holds(user, permission):
        return Q(pk__in=[])
    scope = scope_of(user)
    if scope is None:
        return Q()
    if not scope:
        return Q(pk__in=[])
    rows = Scope.objects.filter(
        user=user,
        stream=stream if stream is not None else OuterRef(f"{via}stream"),
        prefecture_code=OuterRef(prefecture or f"{via}recipient__prefecture_code"),
    )
    return Q(Exists(rows))


def scope_covers(user, permission: str, rows: QuerySet, *, via: str = "") -> bool:
    """Whether ``user`` may ``permission`` on every row of ``rows`` (as ``scope_q`` names them, through ``via``):
    an act on them all at once is theirs only if no row lies outside their scope. True for no rows."""
    if not _holds(user, permission):
        return False
    if works_bureau_wide(user):
        return True
    return not rows.filter(~scope_q(user, permission, via=via)).exists()
