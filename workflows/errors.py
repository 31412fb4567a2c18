"""Errors of the transition service (viewflow's own never leave this app)."""

from django.utils.translation import gettext_lazy as _

from web.errors import Conflict, NotFound, PermissionDenied


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = _("This step is not possible from the case's current state.")


class ConditionUnmet(Conflict):
    code = "condition_unmet"
    default_message = _("A condition for this step is not met.")


class BudgetCeilingExceeded(Conflict):
    code = "budget_ceiling_exceeded"
    default_message = _("The year's budget-obligation notices do not cover the decisions approved with this one.")


class TransitionForbidden(PermissionDenied):
    code = "permission_denied"


class FourEyesViolation(PermissionDenied):
    code = "four_eyes"
    default_message = _("The person who drafted a determination cannot approve it.")


class UnknownTransition(NotFound):
    code = "unknown_transition"
    default_message = _("There is no step of that name.")
