"""System checks for mistakes a developer can make in a flow definition."""

from django.core import checks
from viewflow.this_object import ThisObject


@checks.register()
def check_flows(app_configs, **kwargs):
    from .fields import TRANSITION_FIELDS
    from .flows import FLOWS

    errors = []
    for flow_class in FLOWS.values():
        for transitions in flow_class.state.get_transitions().values():
            for transition in transitions:
                where = f"{flow_class.__module__}.{flow_class.__name__}.{transition.slug}"
                if not isinstance(transition.permission, ThisObject) and not callable(transition.permission):
                    errors.append(
                        checks.Error(f"{where} has no permission callable", id="workflows.E001", obj=flow_class)
                    )
                if transition.slug not in TRANSITION_FIELDS:
                    errors.append(
                        checks.Error(
                            f"{where} is not in the transition vocabulary (workflows/fields.py)",
                            id="workflows.E002",
                            obj=flow_class,
                        )
                    )
    return errors
