"""One national fiscal year, driven through the real services (``bench/national.py --years 1``).

FY2023 for every recipient in the database (all 47 prefectures): every
procedure of every stream, from request to settlement, in date order:

- community support grant, per municipality: initial grant (request, some
  papers late and some returned for correction, review, drafts below the
  request with a reason, a few sent back by the supervisor, approval, notice),
  adjustment grant, change grant with its pre-consultation (changes up, down,
  and some withdrawn), FY2024's prior-year settlement (settled below what was
  paid: a return claim) and FY2025's re-settlement;
- medical and long-term care fund, per prefecture and part: initial grant
  (consultation, informal notice, application, decision), fund balance
  survey, FY2024's settlement;
- special adjustment grant, per wide-area union: initial and change grant
  forwarded to the ministry and its decision recorded, FY2024's results report;
- the reminder run of every business day (advance notices, reminders and
  overdue demands to whoever has not sent their papers), the three FY2023
  payment runs and the settlement run of FY2024, each drafted, approved and
  executed (payment notices follow).

Every act goes through ``case_transition``, ``case_create``,
``payment_run_*`` and ``reminder_issue``, as an officer or supervisor would
(``today`` is the act's own day). Letters are drawn by the task workers the
caller runs beside it. Amounts and choices come from the recipient's position
in the list, so a run is repeatable.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from django.db import connection

YEAR = 2023
CSG, MCF, SAG = "community_support_grant", "medical_care_fund", "special_adjustment_grant"
OFFICER_PREFECTURES = 6  # prefectures per officer
_MORNING = clock_time(0, 0, tzinfo=UTC)  # 09:00 in Japan
BULK_ACTS = ("request", "request_consultation")  # sent from the bulk page, the same fields to every case


def _d(text: str) -> date:
    return date.fromisoformat(text)


class Scenario:
    """Cases, people and the calendar of acts; ``run`` plays the calendar day by day."""

    def __init__(self, *, log: Callable[[str], None] = print, municipalities: int | None = None):
        from grants.roles import system_user
        from tests import factories as f

        self.log = log
        self.f = f
        self.limit = municipalities
        self.system = system_user()
        self.events: dict[date, list[tuple[int, str, Callable[[date], None]]]] = defaultdict(list)
        self.seq = 0
        self.refused: Counter = Counter()
        self.acts: Counter = Counter()
        self.phase_seconds: Counter = Counter()
        self.officers: dict[str, object] = {}
        self.cases: dict[tuple, dict] = {}  # (fiscal_year, stream, part, procedure) -> {recipient_code: case}

    # -- set-up ----------------------------------------------------------------
    def setup(self) -> None:
        from grants.models import Recipient, RecipientKind
        from grants.services import budget_notice_record
        from payments.services import payment_plans_load_defaults

        f = self.f
        for year in (YEAR, YEAR + 1, YEAR + 2):
            f.fiscal_year(year)
        f.pre_consultation(YEAR, CSG, "change_grant")
        payment_plans_load_defaults(actor=self.system)
        prefectures = sorted(Recipient.objects.active().filter(kind=RecipientKind.PREFECTURE).values_list("code", flat=True))
        for start in range(0, len(prefectures), OFFICER_PREFECTURES):
            group = prefectures[start : start + OFFICER_PREFECTURES]
            officer = f.officer(prefectures=tuple(group), username=f"officer-{group[0]}")
            self.officers.update({code: officer for code in group})
        self.bosses = [f.supervisor(username="supervisor-a"), f.supervisor(username="supervisor-b")]
        for stream, part in ((CSG, ""), (MCF, "facilities"), (MCF, "personnel")):
            for year in (YEAR, YEAR + 1, YEAR + 2):
                budget_notice_record(
                    actor=self.bosses[0], fiscal_year=year, stream=stream, part=part, amount=10**14,
                    received_on=date(year, 5, 1), reference=f"老発0501第{year - 2018}号",
                )
        serving = Recipient.objects.active().order_by("code")
        towns = list(serving.filter(kind=RecipientKind.MUNICIPALITY))
        if self.limit:  # every n-th, so a quick run still spans the 47 prefectures
            towns = towns[:: max(1, len(towns) // self.limit)][: self.limit]
        self.municipalities = towns
        self.prefectures = list(serving.filter(kind=RecipientKind.PREFECTURE))
        self.unions = list(serving.filter(kind=RecipientKind.WIDE_AREA_UNION))
        self.log(f"recipients: {len(self.prefectures)} prefectures, {len(self.municipalities)} municipalities, "
                 f"{len(self.unions)} wide-area unions; {len(set(map(id, self.officers.values())))} officers")

    # -- the calendar ------------------------------------------------------------
    def at(self, day: str | date, label: str, act: Callable[[date], None]) -> None:
        day = _d(day) if isinstance(day, str) else day
        self.seq += 1
        self.events[day].append((self.seq, label, act))

    def run(self) -> None:
        """Each day's acts, then that day's reminder run, on a clock that reads the day being played.

        Django's ``timezone.now`` is what every service reads the time from
        (records, letters' dates, reminders' days), so the bench sets it to
        the day played (09:00 JST, plus the real time since the day began):
        an act of 2023-07-03 is recorded, dated and reminded about as if it
        happened then. Nothing of the project is patched.
        """
        from unittest import mock

        from calendars.business_days import is_business_day

        first, last = min(self.events), max(self.events)
        day = first
        with mock.patch("django.utils.timezone.now", self._clock):
            while day <= last:
                if day.day == 1:
                    self.log(f"playing {day:%Y-%m}: {sum(self.acts.values()):,} acts so far")
                self._day, self._day_began = day, time.perf_counter()
                for _seq, label, act in sorted(self.events.get(day, ()), key=lambda event: event[0]):
                    started = time.perf_counter()
                    act(day)
                    self.phase_seconds[label.split(":")[0]] += time.perf_counter() - started
                if is_business_day(day):
                    started = time.perf_counter()
                    self.reminders(day)
                    self.phase_seconds["reminders"] += time.perf_counter() - started
                day += timedelta(days=1)

    def _clock(self) -> datetime:
        return datetime.combine(self._day, _MORNING) + timedelta(seconds=time.perf_counter() - self._day_began)

    # -- acts ------------------------------------------------------------------------
    def open(self, year: int, stream: str, procedure: str, recipients: list, part: str = "") -> dict:
        from grants.services import case_create

        opened = {}
        for recipient in recipients:
            opened[recipient.code] = case_create(
                actor=self.officers[recipient.prefecture_code], fiscal_year=year, stream=stream, part=part,
                procedure=procedure, recipient_code=recipient.code,
            )
        self.acts["create"] += len(opened)
        self.cases[(year, stream, part, procedure)] = opened
        return opened

    def act(self, case, name: str, day: date, data: dict | None = None, *, boss: bool = False):
        """One act on a case; the case as it is after it (or as it was, when refused: counted, not raised)."""
        from workflows.services import case_transition
        from web.errors import DomainError

        actor = self.bosses[case.pk % 2] if boss else self.officers[case.recipient.prefecture_code]
        try:
            after = case_transition(
                case_id=case.pk, name=name, actor=actor, data=data or {}, expected_version=case.version, today=day
            )
        except DomainError as exc:
            self.refused[(name, exc.code)] += 1
            return case
        self.acts[name] += 1
        return after

    def each(self, key: tuple, name: str, day: date, data: Callable | None = None, *, where=None, boss=False) -> None:
        """The same act on every case of a procedure-year (that ``where`` selects), with per-case data.

        Requests go out as the officer sends them, from the bulk page: ``case_transition_bulk`` per officer.
        """
        cases = self.cases[key]
        chosen = [(index, code, case) for index, (code, case) in enumerate(cases.items())
                  if case.state != "withdrawn" and (where is None or where(index, case))]
        if name in BULK_ACTS:
            self.bulk(cases, chosen, name, day, data)
            return
        for index, code, case in chosen:
            cases[code] = self.act(case, name, day, data(index, case) if data else None, boss=boss)

    def bulk(self, cases: dict, chosen: list, name: str, day: date, data: Callable | None) -> None:
        from workflows.services import case_transition_bulk

        by_officer = defaultdict(list)
        for _index, _code, case in chosen:
            by_officer[self.officers[case.recipient.prefecture_code]].append(case)
        for officer, group in by_officer.items():
            outcome = case_transition_bulk(
                name=name, actor=officer, data=data(0, group[0]) if data else {},
                cases=[(case.pk, case.version) for case in group], today=day,
            )
            self.acts[name] += len(outcome.done)
            for refusal in outcome.refused:
                self.refused[(name, refusal["code"])] += 1
            fresh = {case.pk: case for case in outcome.done}
            for code, case in list(cases.items()):
                if case.pk in fresh:
                    cases[code] = fresh[case.pk]

    def reminders(self, day: date) -> None:
        from letters.selectors import reminder_candidates
        from letters.services import reminder_issue

        for candidate in reminder_candidates(on=day):
            self.acts["reminder"] += reminder_issue(actor=self.system, candidate=candidate, on=day) is not None

    def payment_run(self, day: date) -> None:
        from payments.services import payment_run_approve, payment_run_create, payment_run_execute

        officer = next(iter(self.officers.values()))
        run = payment_run_create(actor=officer, run_on=day)
        payment_run_approve(actor=self.bosses[0], run_id=run.pk)
        payment_run_execute(actor=self.bosses[1], run_id=run.pk)
        self.acts["payment_run"] += 1

    # -- the procedures ----------------------------------------------------------------
    def application(self, key: tuple, *, request_on: str, deadline: str, late_every: int = 10,
                    returned_every: int = 20, amount: Callable, review_on: str) -> None:
        """依頼 → 提出 (most on time, every ``late_every``-th late) ⇄ 差戻し → 審査."""
        deadline_day = _d(deadline)
        self.at(request_on, f"request:{key[3]}", lambda day: self.each(key, "request", day, lambda i, c: {"deadline": deadline}))

        def submitted_on(index: int) -> date:
            if late_every and index % late_every == late_every - 1:
                return deadline_day + timedelta(days=3 + index % 5)  # late: after the overdue demand
            return deadline_day - timedelta(days=index % 25)

        for offset in range(-25, 9):
            day = deadline_day + timedelta(days=offset)
            self.at(day, f"submit:{key[3]}", lambda on, day=day: self.each(
                key, "submit", on, lambda i, c: {"amount": amount(i, c), "date": on.isoformat()},
                where=lambda i, c: submitted_on(i) == day,
            ))
        last_submission = deadline_day + timedelta(days=8)
        if returned_every:
            returned = lambda i, c: i % returned_every == 3  # noqa: E731
            self.at(last_submission + timedelta(days=1), f"return:{key[3]}", lambda day: self.each(
                key, "return_for_correction", day, lambda i, c: {"reason": "添付書類（事業計画書）の記載漏れ"}, where=returned))
            self.at(last_submission + timedelta(days=5), f"submit:{key[3]}", lambda day: self.each(
                key, "submit", day, lambda i, c: {"amount": amount(i, c), "date": day.isoformat()},
                where=lambda i, c: c.state == "returned"))
        self.at(review_on, f"review:{key[3]}", lambda day: self.each(key, "start_review", day))

    def decision(self, key: tuple, *, draft_on: str, approve_on: str, notify_on: str, amount: Callable,
                 reason: Callable = lambda i, c: "", sent_back_every: int = 30) -> None:
        """起案 → (差戻し → 再起案) → 決裁 → 通知."""
        def draft(day: date) -> None:
            self.each(key, "draft", day, lambda i, c: {"amount": amount(i, c), "reason": reason(i, c)},
                      where=lambda i, c: c.state == "under_review")

        self.at(draft_on, f"draft:{key[3]}", draft)
        approve_day = _d(approve_on)
        if sent_back_every:
            self.at(approve_day - timedelta(days=4), f"send_back:{key[3]}", lambda day: self.each(
                key, "send_back", day, lambda i, c: {"reason": "算定根拠の再確認を"}, boss=True,
                where=lambda i, c: i % sent_back_every == 7 and c.state == "drafted"))
            self.at(approve_day - timedelta(days=2), f"draft:{key[3]}", draft)
        self.at(approve_on, f"approve:{key[3]}", lambda day: self.each(
            key, "approve", day, boss=True, where=lambda i, c: c.state == "drafted"))
        self.at(notify_on, f"notify:{key[3]}", lambda day: self.each(
            key, "notify", day, lambda i, c: {"date": day.isoformat()}, where=lambda i, c: c.state == "approved"))

    def forwarding(self, key: tuple, *, forward_on: str, decided_on: str, amount: Callable, number: str) -> None:
        """回送 → the ministry's decision recorded by an officer and confirmed by a supervisor."""
        self.at(forward_on, f"forward:{key[3]}", lambda day: self.each(
            key, "forward", day, lambda i, c: {"date": day.isoformat()}, where=lambda i, c: c.state == "under_review"))
        self.at(decided_on, f"record_ministry_decision:{key[3]}", lambda day: self.each(
            key, "record_ministry_decision", day,
            lambda i, c: {"amount": amount(i, c), "document_number": f"{number}第{i + 1}号", "date": day.isoformat()},
            where=lambda i, c: c.state == "forwarded"))
        self.at(decided_on, f"confirm_ministry_decision:{key[3]}", lambda day: self.each(
            key, "confirm_ministry_decision", day, boss=True, where=lambda i, c: c.state == "ministry_decision_recorded"))

    def plan(self) -> None:
        """Put every act of the year on the calendar."""
        towns, prefectures, unions = self.municipalities, self.prefectures, self.unions

        def requested(i: int) -> int:
            return 30_000_000 + (i * 7_919_311) % 170_000_000

        def decided(i: int, case=None) -> int:
            return requested(i) - (i % 5 == 1) * 1_000_000  # every fifth below the request, with a reason

        def changed(i: int) -> int:
            if i % 10 < 6:
                return decided(i) + 2_000_000 + (i % 7) * 1_000_000  # up
            return decided(i) - 1_000_000 - (i % 3) * 500_000  # down

        settled_less = lambda i: (i % 8 == 5) * 3_000_000  # noqa: E731  below what was paid: a return claim

        # FY2023 community support grant: initial grant.
        initial = (YEAR, CSG, "", "initial_grant")
        self.at("2023-07-03", "create:initial_grant", lambda day: self.open(YEAR, CSG, "initial_grant", towns))
        self.application(initial, request_on="2023-07-03", deadline="2023-08-31", amount=lambda i, c: requested(i),
                         review_on="2023-09-15")
        self.decision(initial, draft_on="2023-09-22", approve_on="2023-10-06", notify_on="2023-10-19", amount=decided,
                      reason=lambda i, c: "対象外経費（備品購入費）を除外" if i % 5 == 1 else "")
        self.at("2023-10-30", "payment_run", self.payment_run)

        # Adjustment grant.
        adjustment = (YEAR, CSG, "", "adjustment_grant")
        self.at("2023-11-01", "create:adjustment_grant", lambda day: self.open(YEAR, CSG, "adjustment_grant", towns))
        self.application(adjustment, request_on="2023-11-01", deadline="2023-12-01", returned_every=0,
                         amount=lambda i, c: 2_000_000 + (i * 104_729) % 8_000_000, review_on="2023-12-12")
        self.decision(adjustment, draft_on="2023-12-15", approve_on="2023-12-22", notify_on="2024-01-15",
                      amount=lambda i, c: c.amount_requested, sent_back_every=0)

        # Change grant, with its pre-consultation (FY2023's procedure has one).
        change = (YEAR, CSG, "", "change_grant")
        self.at("2023-11-15", "create:change_grant", lambda day: self.open(YEAR, CSG, "change_grant", towns))
        self.at("2023-11-15", "request_consultation:change_grant", lambda day: self.each(
            change, "request_consultation", day, lambda i, c: {"deadline": "2023-12-15"}))
        self.at("2023-12-11", "submit_consultation:change_grant", lambda day: self.each(
            change, "submit_consultation", day, lambda i, c: {"amount": changed(i), "date": day.isoformat()}))
        self.at("2024-01-10", "present_amount:change_grant", lambda day: self.each(
            change, "present_amount", day, lambda i, c: {"amount": changed(i)}))
        self.at("2024-01-12", "withdraw:change_grant", lambda day: self.each(
            change, "withdraw", day, lambda i, c: {"reason": "事業費の変動なし"}, where=lambda i, c: i % 10 == 9))
        self.application(change, request_on="2024-01-15", deadline="2024-02-09", returned_every=0, late_every=0,
                         amount=lambda i, c: changed(i), review_on="2024-02-13")
        self.decision(change, draft_on="2024-02-20", approve_on="2024-02-27", notify_on="2024-03-08",
                      amount=lambda i, c: changed(i), reason=lambda i, c: "事業費の変更による", sent_back_every=0)
        self.at("2024-01-29", "payment_run", self.payment_run)
        self.at("2024-03-25", "payment_run", self.payment_run)

        # Medical and long-term care fund, per prefecture and part.
        for part in ("facilities", "personnel"):
            fund = (YEAR, MCF, part, "initial_grant")
            fund_amount = lambda i: 400_000_000 + i * 37_000_000  # noqa: E731
            self.at("2023-05-08", "create:fund", lambda day, part=part: self.open(YEAR, MCF, "initial_grant", prefectures, part))
            self.at("2023-05-08", "request_consultation:fund", lambda day, key=fund: self.each(
                key, "request_consultation", day, lambda i, c: {"deadline": "2023-05-31"}))
            self.at("2023-05-26", "submit_consultation:fund", lambda day, key=fund: self.each(
                key, "submit_consultation", day, lambda i, c: {"amount": fund_amount(i), "date": day.isoformat()}))
            self.at("2023-06-20", "present_amount:fund", lambda day, key=fund: self.each(
                key, "present_amount", day, lambda i, c: {"amount": fund_amount(i)}))
            self.application(fund, request_on="2023-06-26", deadline="2023-07-31", returned_every=0, late_every=0,
                             amount=lambda i, c: fund_amount(i), review_on="2023-08-03")
            self.decision(fund, draft_on="2023-08-08", approve_on="2023-08-15", notify_on="2023-08-25",
                          amount=lambda i, c: c.amount_requested, sent_back_every=0)
            survey = (YEAR, MCF, part, "fund_balance_survey")
            self.at("2023-09-01", "create:fund", lambda day, part=part: self.open(YEAR, MCF, "fund_balance_survey", prefectures, part))
            self.application(survey, request_on="2023-09-01", deadline="2023-09-29", returned_every=0, late_every=0,
                             amount=lambda i, c: 1_000_000_000 + i * 11_000_000, review_on="2023-10-03")
            self.at("2023-10-04", "accept:fund", lambda day, key=survey: self.each(key, "accept", day))
            settlement = (YEAR + 1, MCF, part, "prior_year_settlement")
            self.at("2024-05-01", "create:fund", lambda day, part=part: self.open(YEAR + 1, MCF, "prior_year_settlement", prefectures, part))
            self.application(settlement, request_on="2024-05-01", deadline="2024-06-28", returned_every=0, late_every=0,
                             amount=lambda i, c: fund_amount(i) - i * 1_000_000, review_on="2024-07-08")
            self.decision(settlement, draft_on="2024-07-16", approve_on="2024-07-23", notify_on="2024-07-31",
                          amount=lambda i, c: c.amount_requested, sent_back_every=0)

        # Special adjustment grant: forwarded; the ministry decides.
        for procedure, year, request_on, deadline, forward_on, decided_on, number in (
            ("initial_grant", YEAR, "2023-06-01", "2023-06-30", "2023-07-10", "2023-08-10", "保高発0810"),
            ("change_grant", YEAR, "2023-11-01", "2023-11-30", "2023-12-08", "2024-01-31", "保高発0131"),
            ("results_report", YEAR + 1, "2024-05-01", "2024-06-28", "2024-07-08", "2024-08-30", "保高発0830"),
        ):
            key = (year, SAG, "", procedure)
            union_amount = lambda i, c, procedure=procedure: 20_000_000 + i * 3_000_000 + (procedure == "change_grant") * 1_500_000  # noqa: E731
            self.at(request_on, f"create:{procedure}", lambda day, year=year, procedure=procedure: self.open(year, SAG, procedure, unions))
            self.application(key, request_on=request_on, deadline=deadline, returned_every=0, late_every=0,
                             amount=union_amount, review_on=forward_on)
            self.forwarding(key, forward_on=forward_on, decided_on=decided_on, amount=union_amount, number=number)

        # FY2024: the settlement of FY2023's community support grant (settled − paid; below: a return claim).
        settle = (YEAR + 1, CSG, "", "prior_year_settlement")
        self.at("2024-05-01", "create:prior_year_settlement", lambda day: self.open(YEAR + 1, CSG, "prior_year_settlement", towns))
        current = lambda i, c: self.cases[change][c.recipient.code].amount_current or self.cases[initial][c.recipient.code].amount_current  # noqa: E731
        self.application(settle, request_on="2024-05-01", deadline="2024-06-28", returned_every=25,
                         amount=lambda i, c: current(i, c) - settled_less(i), review_on="2024-07-15")
        self.decision(settle, draft_on="2024-07-16", approve_on="2024-07-23", notify_on="2024-07-31",
                      amount=lambda i, c: current(i, c) - settled_less(i))
        self.at("2024-08-30", "payment_run", self.payment_run)

        # FY2025: the re-settlement of FY2023 (a few lower again: more to return).
        resettle = (YEAR + 2, CSG, "", "past_year_resettlement")
        self.at("2025-06-02", "create:past_year_resettlement", lambda day: self.open(YEAR + 2, CSG, "past_year_resettlement", towns))
        self.application(resettle, request_on="2025-06-02", deadline="2025-07-31", returned_every=0,
                         amount=lambda i, c: current(i, c) - settled_less(i), review_on="2025-08-08")
        self.decision(resettle, draft_on="2025-08-20", approve_on="2025-09-03", notify_on="2025-09-30",
                      amount=lambda i, c: current(i, c) - settled_less(i) - (i % 20 == 11) * 500_000, sent_back_every=0,
                      reason=lambda i, c: "対象外経費の精査" if i % 20 == 11 else "")  # below the report: says why

    def summary(self) -> dict:
        from grants.models import Case, HistoryEntry
        from letters.models import Letter
        from payments.models import PaymentRecord, PaymentRun, ReturnClaim

        return {
            "cases": Case.objects.count(),
            "acts": dict(self.acts),
            "transitions": sum(count for name, count in self.acts.items() if name not in ("create", "reminder", "payment_run")),
            "refused": {f"{name}:{code}": count for (name, code), count in self.refused.items()},
            "history": HistoryEntry.objects.count(),
            "letters": Letter.objects.count(),
            "payment_runs": PaymentRun.objects.count(),
            "payments": PaymentRecord.objects.count(),
            "return_claims": ReturnClaim.objects.count(),
            "phase_seconds": {name: round(seconds, 1) for name, seconds in self.phase_seconds.most_common()},
            "vendor": connection.vendor,
        }
