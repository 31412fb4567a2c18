"""``manage.py load_demo``: master data, demo users and cases in realistic states.

Idempotent: master data and users are updated in place; cases are created only
when the database has none, by driving the real transition service so every
demo case has a genuine, hash-chained history.
"""

import os
import random
from datetime import date
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

import schedules
from calendars.business_days import add_business_days
from grants import demo
from grants.models import BudgetNotice, Case, Recipient, RecipientKind
from grants.recipients import local_governments_load
from grants.roles import system_user
from grants.services import budget_notice_record, case_create
from payments.models import FundBalance
from payments.services import (
    FundBalanceRow,
    fund_balance_import,
    payment_plans_load_defaults,
    payment_run_approve,
    payment_run_create,
    payment_run_execute,
)
from schedules.models import ScheduleVersion
from schedules.services import schedule_import, schedule_rollforward
from web.errors import DomainError
from web.rows import statistics_refresh
from workflows.flows import community_support_grant, medical_care_fund, special_adjustment_grant
from workflows.services import case_transition
from workflows.steps import DeterminationAct, step_declared

CSG, MCF, SAG = (module.STREAM.code for module in (community_support_grant, medical_care_fund, special_adjustment_grant))


class Command(BaseCommand):
    help = "Load demo recipients, users (password from DEMO_PASSWORD) and FY2023/FY2025/FY2026 cases."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo users (default: $DEMO_PASSWORD)")

    def handle(self, *args, password=None, **options):
        password = password or os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Set DEMO_PASSWORD (or pass --password): it becomes the demo users' password.")
        demo.fiscal_years_load(range(2022, 2028))
        system = system_user()
        loaded = local_governments_load(actor=system)
        users = demo.users_load(password=password)
        payment_plans_load_defaults(actor=system)
        recipients = Recipient.objects.count()
        self.stdout.write(f"recipients: {recipients} ({len(loaded.added)} added); users: {', '.join(users)}")
        if not ScheduleVersion.objects.exists():
            shipped = Path(schedules.__file__).resolve().parent / "data" / "schedules.yaml"
            versions = schedule_import(actor=system, document=yaml.safe_load(shipped.read_text(encoding="utf-8")))
            rolled = schedule_rollforward(actor=system, from_year=2025, to_year=2026)
            self.stdout.write(f"schedules: {len(versions)} versions imported; {rolled.key} rolled forward from FY2025")
        if Case.objects.exists():
            self.stdout.write("cases already present: left as they are")
            return
        try:
            DemoCases(self.stdout).build()
        except DomainError as exc:
            raise CommandError(f"demo data refused: {exc.code}: {exc.message} {exc.details}") from exc
        self.stdout.write(self.style.SUCCESS(f"cases: {Case.objects.count()}"))


# The budget-obligation notices (支出負担行為示達) as the bureau receives them, in the order it records them: each
# numbered by the ministry's bureau on the day it issued it (老発MMDD第N号), a day or two before it arrives. The
# figures are of the scale of the demo's decisions, a little above what the year's decisions commit: FY2023's
# first notice covers the initial decisions and a second (追加示達, February) the changes; FY2025's covers the
# year's decisions; FY2026's fund notices are tight, so that of the two prefectures' drafts awaiting approval in
# each part (千葉 and 長野, ``fund_amount``) only one fits the facilities ceiling (the second is refused once the
# first is approved) and the larger personnel draft is refused outright: a supervisor sees the approval queue's
# budget check at work.
BUDGET_NOTICES = (
    (2023, CSG, "", 2_400_000_000, date(2023, 6, 5), "老発0602第11号"),
    (2023, CSG, "", 150_000_000, date(2024, 2, 26), "老発0222第5号"),
    (2025, CSG, "", 10_000_000_000, date(2025, 6, 4), "老発0603第14号"),
    (2026, CSG, "", 10_300_000_000, date(2026, 6, 3), "老発0602第9号"),
    (2026, MCF, "facilities", 800_000_000, date(2026, 7, 13), "老発0710第21号"),
    (2026, MCF, "personnel", 330_000_000, date(2026, 7, 13), "老発0710第22号"),
)

# What each prefecture's fund plan asks for in a year, by part (施設分, 人材分), in thousands of yen.
FUND_PLAN_RANGES = {"facilities": (380_000, 720_000), "personnel": (160_000, 420_000)}


def fund_amount(prefecture_code: str, part: str) -> int:
    """The yen a prefecture's FY2026 fund plan asks for in a part, a whole number of thousands as plans state it:
    drawn from a seed of its own (the prefecture and the part), so every install gets the same figures and no
    two plans the same."""
    low, high = FUND_PLAN_RANGES[part]
    return random.Random(f"demo-fund-{prefecture_code}-{part}").randint(low, high) * 1_000


# The demo's supervisor takes the steps that decide on a draft (as each step declares); its officers the rest.
SUPERVISOR_ACTS = frozenset({DeterminationAct.APPROVES, DeterminationAct.SENDS_BACK})


class DemoCases:
    """Cases spread over the states a bureau would see on 2026-11-22."""

    def __init__(self, stdout):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        self.officer = users.get(username="officer1")
        self.officer2 = users.get(username="officer2")
        self.boss = users.get(username="supervisor1")
        self.stdout = stdout

    def step(self, case: Case, name: str, actor=None, **data) -> Case:
        return case_transition(
            case_id=case.pk, name=name, actor=actor or self.officer, data=data, expected_version=case.version
        )

    def run(self, case: Case, steps: list) -> Case:
        for name, data in steps:
            actor = self.boss if step_declared(name).step.determination in SUPERVISOR_ACTS else self.officer
            case = self.step(case, name, actor, **data)
        return case

    def open_case(
        self, year: int, stream: str, procedure: str, recipient: Recipient, part: str = "", occurred_on=None
    ) -> Case:
        actor = self.officer2 if stream == CSG and recipient.prefecture_code in ("11", "12") else self.officer
        return case_create(
            actor=actor, fiscal_year=year, stream=stream, part=part, procedure=procedure, recipient_code=recipient.code,
            occurred_on=occurred_on,
        )

    @staticmethod
    def dated(steps: list, days: list[str]) -> list:
        """Past acts entered with the day each took place, in order: a request before the papers it asks for."""
        return [(name, {**data, "occurred_on": day}) for (name, data), day in zip(steps, days, strict=True)]

    @staticmethod
    def via_prefecture(received: str, index: int) -> str:
        """The day the prefecture received a municipality's papers it forwarded (経由): one to three business
        days before they reached the bureau on ``received``."""
        return add_business_days(date.fromisoformat(received), -(1 + index % 3)).isoformat()

    def budget(self) -> None:
        """The ministry's budget-obligation notices (支出負担行為示達) the demo's decisions are approved against."""
        if BudgetNotice.objects.exists():
            return
        for year, stream, part, amount, received_on, reference in BUDGET_NOTICES:
            budget_notice_record(
                actor=self.boss, fiscal_year=year, stream=stream, part=part, amount=amount,
                received_on=received_on, reference=reference,
            )

    def build(self) -> None:
        self.budget()
        active = Recipient.objects.active()
        municipalities = list(active.filter(kind=RecipientKind.MUNICIPALITY, code__in=demo.DEMO_MUNICIPALITIES))
        prefectures = list(active.filter(kind=RecipientKind.PREFECTURE))
        unions = list(active.filter(kind=RecipientKind.WIDE_AREA_UNION))
        for index, town in enumerate(municipalities):
            requested = 30_000_000 + (index * 7_919_311) % 170_000_000
            self.community_fy2023(town, requested, index)
            self.community_fy2025(town, requested, index)
            self.community_fy2026(town, requested, index)
        for index, prefecture in enumerate(prefectures):
            self.fund_fy2026(prefecture, index)
            self.fund_demand_surveys(prefecture, index)
        self.fund_balances(prefectures)
        for index, union in enumerate(unions):
            self.special_fy2026(union, index)
        statistics_refresh()  # the cases and items just made, before the runs read them
        self.payment_runs()

    def payment_runs(self) -> None:
        """The FY2023 tranche runs (10/30, 1/29, 3/25) and FY2025's March run, drafted, approved and executed."""
        for run_on in (date(2023, 10, 30), date(2024, 1, 29), date(2024, 3, 25), date(2026, 3, 31)):
            run = payment_run_create(actor=self.officer, run_on=run_on)
            payment_run_approve(actor=self.boss, run_id=run.pk)
            payment_run_execute(actor=self.officer, run_id=run.pk)

    def decided(self, requested: int, index: int) -> int:
        return requested - (index % 4) * 1_000_000  # some decisions below the request, with a reason

    def decision_steps(
        self, requested: int, index: int, deadline: str, submitted: str, notified: str, presented: bool = False
    ) -> list:
        """Request → papers (through the prefecture) → review [→ 調整・提示, where the year presents the amount
        after the review] → decision: a municipality's community support grant."""
        amount = self.decided(requested, index)
        reason = "対象外経費を減額" if amount < requested else ""
        return [
            ("request", {"deadline": deadline}),
            ("submit", {"amount": requested, "date": submitted, "prefecture_received_on": self.via_prefecture(submitted, index)}),
            ("start_review", {}),
            *([("present_amount", {"amount": amount})] if presented else []),
            ("draft", {"amount": amount, "reason": reason}),
            ("approve", {}),
            ("notify", {"date": notified}),
        ]

    def community_fy2023(self, town, requested, index):
        if index % 5:
            return  # a fifth of the municipalities carry FY2023 history
        case = self.open_case(2023, CSG, "initial_grant", town, occurred_on=date(2023, 7, 31))
        # FY2023 as run: the amount is adjusted and presented (調整・提示) after the application's review; every
        # act carries its own day (当初交付申請依頼 7/31, 審査 8月, 当初交付決定 10/19)
        steps = self.decision_steps(requested, index, "2023-08-31", "2023-08-25", "2023-10-19", presented=True)
        days = ["2023-07-31", "2023-08-25", "2023-08-28", "2023-09-20", "2023-10-05", "2023-10-12", "2023-10-19"]
        self.run(case, self.dated(steps, days))
        change = self.open_case(2023, CSG, "change_grant", town, occurred_on=date(2024, 1, 17))
        changed = self.decided(requested, index) + 12_000_000
        change_days = [
            "2024-01-17", "2024-01-25", "2024-02-21", "2024-02-28", "2024-02-29",
            "2024-03-06", "2024-03-11", "2024-03-13", "2024-03-15",
        ]
        self.run(change, self.dated([
            ("request_consultation", {"deadline": "2024-01-26"}),
            ("submit_consultation", {"amount": changed, "date": "2024-01-25"}),
            ("request", {"deadline": "2024-02-28"}),
            ("submit", {"amount": changed, "date": "2024-02-28", "prefecture_received_on": self.via_prefecture("2024-02-28", index)}),
            ("start_review", {}),
            ("present_amount", {"amount": changed}),
            ("draft", {"amount": changed, "reason": "事業費の増加による変更"}),
            ("approve", {}),
            ("notify", {"date": "2024-03-15"}),
        ], change_days))

    def community_fy2025(self, town, requested, index):
        case = self.open_case(2025, CSG, "initial_grant", town)
        steps = [
            ("request_consultation", {"deadline": "2025-08-29"}),
            ("submit_consultation", {"amount": requested, "date": "2025-08-27"}),
            ("present_amount", {"amount": requested}),
        ] + self.decision_steps(requested, index, "2026-02-27", "2026-02-26", "2026-03-16")
        # as the FY2025 schedule ran: 事前協議依頼 7月下旬, 内示 10月頃, 申請依頼 11月頃, 〆切 2月下旬, 決定 3月
        days = ["2025-07-22", "2025-08-27", "2025-10-15", "2025-11-04", "2026-02-26", "2026-03-02", "2026-03-09",
                "2026-03-11", "2026-03-16"]
        stop = len(steps) if index % 9 else 5  # a few FY2025 cases never came back
        case = self.run(case, self.dated(steps[:stop], days[:stop]))
        if stop == len(steps) and index % 17 == 1:  # a few grants found misused: a revocation awaits approval
            self.run(case, [("draft_revocation", {
                "reason": "実地検査により補助対象外の経費への充当が判明したため", "legal_basis": "art_17_1",
                "date": "2026-11-20",
            })])

    def community_fy2026(self, town, requested, index):
        case = self.open_case(2026, CSG, "initial_grant", town)
        phase = index % 6
        steps = [("request_consultation", {"deadline": ["2026-08-31", "2026-11-30", "2026-11-13"][index % 3]})]
        if phase >= 2:
            steps.append(("submit_consultation", {"amount": requested, "date": "2026-08-28"}))
        if phase >= 4:
            steps.append(("present_amount", {"amount": requested}))
        if phase == 0:
            steps = []
        self.run(case, self.dated(steps, ["2026-07-22", "2026-08-28", "2026-10-15"][: len(steps)]))
        if index % 9 == 0 or index % 5:
            return
        settlement = self.open_case(2026, CSG, "prior_year_settlement", town)
        current = self.decided(requested, index)
        flow = [
            ("request", {"deadline": "2026-07-31"}),
            ("submit", {"amount": current - 2_000_000, "date": "2026-07-24",
                        "prefecture_received_on": self.via_prefecture("2026-07-24", index)}),
            ("start_review", {}),
            ("draft", {"amount": current - 2_000_000}),
        ]
        stop = 2 + index % 3
        self.run(settlement, self.dated(flow[:stop], ["2026-07-01", "2026-07-24", "2026-07-29", "2026-08-05"][:stop]))

    def fund_fy2026(self, prefecture, index):
        for part in ("facilities", "personnel"):
            case = self.open_case(2026, MCF, "initial_grant", prefecture, part)
            amount = fund_amount(prefecture.code, part)
            steps = [
                ("request_consultation", {"deadline": "2026-06-30"}),
                ("submit_consultation", {"amount": amount, "date": "2026-06-26"}),
                ("present_amount", {"amount": amount}),
                ("request", {"deadline": "2026-12-11"}),
                ("submit", {"amount": amount, "date": "2026-11-20"}),
                ("start_review", {}),
                ("draft", {"amount": amount}),
            ]
            days = ["2026-06-01", "2026-06-26", "2026-09-15", "2026-11-02", "2026-11-20", "2026-11-24", "2026-11-26"]
            stop = 3 + index % 5
            self.run(case, self.dated(steps[:stop], days[:stop]))

    def fund_demand_surveys(self, prefecture, index):
        """The fund's demand survey (事業見込み量（所要額）調査): FY2025's accepted (one part of every third prefecture
        returned once for correction), FY2026's under way in several states."""
        for offset, part in enumerate(("facilities", "personnel")):
            base = 300_000_000 + index * 23_000_000 + offset * 110_000_000
            figures = {
                "expected_next_year": base, "expected_second_year": base - 15_000_000, "expected_third_year": base - 40_000_000,
            }
            case = self.open_case(2025, MCF, "demand_survey", prefecture, part, occurred_on=date(2025, 7, 1))
            steps = [("request", {"deadline": "2025-07-31"}), ("submit_expected_amounts", {**figures, "date": "2025-07-28"})]
            days = ["2025-07-01", "2025-07-28"]
            if index % 3 == 0 and part == "personnel":
                corrected = {**figures, "expected_next_year": base - 5_000_000}
                steps += [("return_for_correction", {"reason": "施設分の事業が含まれているため"}),
                          ("submit_expected_amounts", {**corrected, "date": "2025-08-08"})]
                days += ["2025-08-04", "2025-08-08"]
            steps += [("start_review", {}), ("accept", {})]
            days += ["2025-08-18", "2025-08-22"]
            self.run(case, self.dated(steps, days))
            current = self.open_case(2026, MCF, "demand_survey", prefecture, part)
            later = {name: amount + 12_000_000 for name, amount in figures.items()}
            stop = 1 + (index + offset) % 4
            self.run(current, self.dated([
                ("request", {"deadline": "2026-12-25"}),
                ("submit_expected_amounts", {**later, "date": "2026-11-27"}),
                ("start_review", {}),
                ("accept", {}),
            ][:stop], ["2026-11-02", "2026-11-27", "2026-11-30", "2026-11-30"][:stop]))

    def fund_balances(self, prefectures) -> None:
        """Each prefecture's fund in FY2024 and FY2025 (closing = opening + contributions + interest − spending; a
        year's closing is the next year's opening), beside which the fund balances page shows the demand surveys."""
        if FundBalance.objects.exists():
            return
        rows = []
        for index, prefecture in enumerate(prefectures):
            opening = 1_200_000_000 + index * 85_000_000
            for year in (2024, 2025):
                national, prefectural, interest = 420_000_000, 210_000_000, 150_000 + index * 1_000
                spending = 560_000_000 + index * 9_000_000 + (year - 2024) * 30_000_000
                closing = opening + national + prefectural + interest - spending
                rows.append(FundBalanceRow(prefecture.code, year, opening, national, prefectural, interest,
                                           spending, closing))
                opening = closing
        fund_balance_import(actor=self.boss, rows=rows)

    def special_fy2026(self, union, index):
        case = self.open_case(2026, SAG, "initial_grant", union)
        amount = 20_000_000 + index * 3_000_000
        steps = [  # 事前申請 → 審査 → 交付額内示 → 交付申請 → 審査 → 回送 → 交付決定 → 支払い
            ("request", {"deadline": "2026-07-10"}),
            ("submit", {"amount": amount, "date": "2026-07-08"}),
            ("start_review", {}),
            ("present_amount", {"amount": amount, "date": "2026-10-16"}),
            ("request", {"deadline": "2026-10-30"}),
            ("submit", {"amount": amount, "date": "2026-10-28"}),
            ("start_review", {}),
            ("forward", {"date": "2026-11-10"}),
            ("record_ministry_decision", {"amount": amount, "document_number": "保高発1120第4号", "date": "2026-11-20"}),
            ("confirm_ministry_decision", {}),
            ("record_ministry_payment", {"amount": amount, "date": "2026-11-30"}),
        ]
        days = ["2026-06-22", "2026-07-08", "2026-07-13", "2026-10-16", "2026-10-19", "2026-10-28", "2026-10-29",
                "2026-11-10", "2026-11-20", "2026-11-24", "2026-11-30"]
        stop = 2 + index % (len(steps) - 1)
        self.run(case, self.dated(steps[:stop], days[:stop]))  # the last union's case is paid, the one before confirmed
