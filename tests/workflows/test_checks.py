"""The flow system checks catch a transition without a permission or outside the vocabulary."""

from grants.models import CaseState
from workflows import checks, flows
from workflows.flows.base import CaseFlow


class BrokenFlow(CaseFlow):
    @CaseFlow.state.transition(source=CaseState.PLANNED, target=CaseState.REQUESTED)
    def request(self):
        pass

    @CaseFlow.state.transition(source=CaseState.PLANNED, target=CaseState.ACCEPTED, permission=lambda flow, user: True)
    def teleport(self):
        pass


def test_shipped_flows_pass_the_checks():
    assert checks.check_flows(None) == []


def test_a_missing_permission_and_an_unknown_name_are_errors(monkeypatch):
    monkeypatch.setattr(flows, "FLOWS", {("community_support_grant", "initial_grant"): BrokenFlow})
    ids = sorted(error.id for error in checks.check_flows(None))
    assert ids == ["workflows.E001", "workflows.E002"]
