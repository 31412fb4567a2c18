"""A fourth funding stream, declared by this module alone (tests only).

介護ロボット導入支援補助金 — a care-robot subsidy with two parts and two
procedures: the year's grant decision (with a site visit before the draft, a
step no shipped procedure has) and its settlement the year after. Everything
the product needs to run it is here: the stream, its parts, each procedure's
spec and state machine, its letter wording and its payment basis.
Importing the module registers it, as the shipped stream modules of
``workflows/flows/`` do.
"""

from viewflow import this

from grants.catalogue import ActLetter, PartSpec, StreamSpec, stream_register
from grants.models import CaseState, DeterminationKind, RecipientKind
from payments.models import PaymentBasis
from workflows.fields import DATE, required
from workflows.flows.base import Application, BureauDetermination, CaseFlow, Withdrawal, procedure, step

STREAM = stream_register(
    StreamSpec(
        code="care_robot_subsidy",
        label="Care robot subsidy",
        label_ja="介護ロボット導入支援補助金",
        bureau_decides=True,
        recipient_kinds=(RecipientKind.PREFECTURE,),
        parts=(PartSpec("robots", "Robots part", "機器分"), PartSpec("training", "Training part", "研修分")),
    )
)


class SiteVisit:
    """実地調査: the officer records the day they saw the robots in place, before drafting."""

    @step(
        source=CaseState.UNDER_REVIEW,
        target=CaseState.UNDER_REVIEW,
        label="Record site visit",
        permission=this.officer_in_scope,
        fields=[required(DATE)],
        letter=ActLetter.NONE,
    )
    def record_site_visit(self):
        pass


@procedure(
    STREAM,
    "award",
    label="Award",
    label_ja="交付決定",
    determination=DeterminationKind.DECISION,
    request_topic="補助金交付申請",
    notice_topic="補助金の交付決定",
    determined_amount="交付決定額",
    unplanned_basis=PaymentBasis.TRANCHE_1,
)
class Award(Application, SiteVisit, BureauDetermination, Withdrawal, CaseFlow):
    """交付申請依頼 → 申請 → 審査 → 実地調査 → 起案 → 決裁 → 交付決定通知."""


@procedure(
    STREAM,
    "settlement",
    label="Settlement",
    label_ja="額の確定",
    determination=DeterminationKind.SETTLEMENT,
    settles_years_back=(1, 1),
    request_topic="実績報告",
    notice_topic="補助金の額の確定",
    determined_amount="確定額",
    unplanned_basis=PaymentBasis.SETTLEMENT_REMAINDER,
)
class Settlement(Application, BureauDetermination, Withdrawal, CaseFlow):
    """実績報告依頼 → 報告 → 審査 → 確定額起案 → 決裁 → 額の確定通知."""
