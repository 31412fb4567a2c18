"""The system check names every procedure or step that lacks a part, at start-up."""

import gc
from dataclasses import replace

import pytest
from django.core import checks as django_checks
from viewflow import this

from grants.catalogue import ActLetter, DeterminationKind, StreamSpec, registry_restored, stream_list, stream_register
from grants.models import CaseState
from letters import checks as letter_checks
from workflows import checks
from workflows.fields import AMOUNT, required
from workflows.flows.base import (
    Acceptance,
    Application,
    BureauDetermination,
    CaseFlow,
    ExpectedAmountsSubmission,
    PapersReview,
    Request,
    procedure,
    step,
)


def test_shipped_procedures_pass_the_checks():
    assert checks.check_procedures(None) == []
    assert letter_checks.check_act_letters(None) == letter_checks.check_letter_kinds(None) == []
    assert letter_checks.check_letter_choices(None) == []


def test_the_checks_run_at_start_up():
    registered = django_checks.registry.registry.get_checks()
    assert {checks.check_procedures, letter_checks.check_act_letters, letter_checks.check_letter_kinds,
            letter_checks.check_letter_choices} <= set(registered)


def test_a_letter_the_definitions_page_cannot_offer_is_named(monkeypatch):
    from grants import procedures

    monkeypatch.setattr(letter_checks, "LETTER_CHOICES",
                        tuple(choice for choice in procedures.LETTER_CHOICES if choice[0] != ActLetter.REVOCATION))
    assert [(error.id, error.msg) for error in letter_checks.check_letter_choices(None)] == [
        ("letters.E003", "act letter 'revocation' has no label in LETTER_CHOICES (grants/procedures.py)")
    ]


@pytest.fixture
def broken():
    """A stream whose procedures each lack a part; gone from the registry (and the class tree) afterwards."""
    with registry_restored():
        stream = stream_register(
            StreamSpec(code="broken_stream", label="Broken", label_ja="壊れた交付金", bureau_decides=True,
                       recipient_kinds=("prefecture",))
        )
        yield stream
    gc.collect()


def messages(code: str) -> list[str]:
    found = checks.check_procedures(None) + letter_checks.check_act_letters(None)
    return [error.msg for error in found if error.id == code]


def test_a_settlement_without_its_settled_years_is_named(broken):
    @procedure(broken, "settles_nothing", label="Settles", label_ja="確定", determination=DeterminationKind.SETTLEMENT,
               request_topic="実績報告", notice_topic="交付額の確定", determined_amount="確定額", unplanned_basis="tranche_1")
    class SettlesNothing(Application, BureauDetermination, CaseFlow):
        pass

    assert messages("workflows.E023") == [
        "procedure broken_stream/settles_nothing settles an earlier year but has no settles_years_back"
    ]


def test_missing_letter_wording_and_payment_basis_are_named(broken):
    @procedure(broken, "wordless", label="Wordless", label_ja="無言", determination=DeterminationKind.DECISION)
    class Wordless(Application, BureauDetermination, CaseFlow):
        pass

    assert messages("letters.E002") == [
        "procedure broken_stream/wordless lacks notice_topic (for its notice letter)",
        "procedure broken_stream/wordless lacks request_topic (for its notice letter)",
        "procedure broken_stream/wordless lacks request_topic (for its request letter)",
    ]
    assert messages("workflows.E026") == [
        "procedure broken_stream/wordless moves money but has no unplanned_basis (a PaymentBasis)"
    ]
    assert messages("workflows.E027") == ["procedure broken_stream/wordless moves money but has no determined_amount wording"]


def test_a_survey_of_expected_amounts_declares_the_years_its_form_asks_about(broken):
    @procedure(broken, "yearless_survey", label="Survey", label_ja="調査", request_topic="所要額調査")
    class YearlessSurvey(Request, ExpectedAmountsSubmission, PapersReview, Acceptance, CaseFlow):
        pass

    @procedure(broken, "yearful_balance", label="Balance", label_ja="残高", request_topic="残高調査", expected_years_ahead=3)
    class YearfulBalance(Application, Acceptance, CaseFlow):
        pass

    assert messages("workflows.E028") == [
        f"procedure broken_stream/{code}: expected_years_ahead is the number of expected amounts its submission "
        "takes (3), and 0 without one"
        for code in ("yearless_survey", "yearful_balance")
    ]


def test_a_step_without_label_letter_or_permission_is_named(broken):
    class Careless:
        @step(source=CaseState.PLANNED, target=CaseState.REQUESTED, fields=[required(AMOUNT)])
        def hurry(self):
            pass

        @CaseFlow.state.transition(
            source=CaseState.REQUESTED, target=CaseState.ACCEPTED, label="Skip", permission=this.officer_in_scope
        )
        def skip(self):
            pass

    @procedure(broken, "careless", label="Careless", label_ja="不注意", request_topic="申請")
    class CarelessFlow(Careless, CaseFlow):
        pass

    where = f"{__name__}.test_a_step_without_label_letter_or_permission_is_named.<locals>.CarelessFlow"
    assert messages("workflows.E001") == [f"step hurry of {where} has no permission callable"]
    assert messages("workflows.E002") == [f"step hurry of {where} has no label"]
    assert messages("workflows.E003") == [
        f"step skip of {where} is not declared with flows.base.step (no fields, letter or effects)"
    ]
    assert messages("workflows.E004") == [f"step hurry of {where} declares no letter (ActLetter.NONE when it sends none)"]


def test_a_step_name_means_one_act_everywhere(broken):
    class OtherRequest:
        @step(source=CaseState.PLANNED, target=CaseState.REQUESTED, label="Request", permission=this.officer_in_scope,
              letter=ActLetter.REQUEST)
        def request(self):
            pass

    @procedure(broken, "other", label="Other", label_ja="別", request_topic="申請")
    class Other(OtherRequest, CaseFlow):
        pass

    assert len(messages("workflows.E006")) == 1
    assert "step request of" in messages("workflows.E006")[0]


def test_a_flow_without_a_spec_and_a_stream_without_procedures_are_named(broken):
    @procedure(broken, "registered", label="Registered", label_ja="登録", request_topic="申請")
    class Registered(Application, CaseFlow):
        pass

    class Forgotten(Application, CaseFlow):
        pass

    stream_register(StreamSpec(code="empty_stream", label="Empty", label_ja="空", bureau_decides=False,
                               recipient_kinds=("prefecture",)))
    where = f"{__name__}.test_a_flow_without_a_spec_and_a_stream_without_procedures_are_named.<locals>.Forgotten"
    assert messages("workflows.E030") == [f"flow {where} has no registered procedure spec"]
    assert messages("workflows.E013") == ["stream empty_stream has no procedure"]


def test_a_stream_routing_recipients_it_has_not_or_the_prefecture_itself_is_named(broken):
    @procedure(broken, "registered", label="Registered", label_ja="登録", request_topic="申請")
    class Registered(Application, CaseFlow):
        pass

    stream_register(StreamSpec(code="routes_unions", label="U", label_ja="連合", bureau_decides=True,
                               recipient_kinds=("prefecture",), routed_kinds=("wide_area_union",)))
    stream_register(StreamSpec(code="routes_itself", label="P", label_ja="県", bureau_decides=True,
                               recipient_kinds=("prefecture",), routed_kinds=("prefecture",)))
    for code in ("routes_unions", "routes_itself"):
        assert f"stream {code} routes a recipient kind it has no recipients of, or the prefecture itself" in messages(
            "workflows.E014"
        )


def test_two_streams_keeping_a_fund_are_named():
    from grants.catalogue import fund_stream

    assert fund_stream() == "medical_care_fund"
    with registry_restored():
        stream_register(StreamSpec(code="second_fund", label="Fund", label_ja="基金", bureau_decides=True,
                                   recipient_kinds=("prefecture",), keeps_fund=True))
        assert [error.msg for error in checks.check_procedures(None) if error.id == "workflows.E015"] == [
            "streams medical_care_fund, second_fund each keep a fund; the fund balances belong to one"
        ]
        with pytest.raises(LookupError):
            fund_stream()


def test_a_catalogue_where_no_stream_keeps_a_fund_is_named():
    """The fund balance pages ask for the one stream that keeps a fund: a catalogue without one fails the check at
    start-up instead of the first page that asks."""
    streams = [replace(stream, keeps_fund=False) for stream in stream_list()]
    assert [error.msg for error in checks._fund_errors(streams)] == [
        "no stream keeps a fund (StreamSpec.keeps_fund); the fund balances need one"
    ]
    assert checks._fund_errors(stream_list()) == []
