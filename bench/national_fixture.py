"""Ten national years laid down with bulk inserts, for the page and export figures.

Not the services: each year's cases are written in the state their acts
left them, with one history record per act (the shape the transition service
writes), the letters those acts sent (drawn: one shared PDF file stands for
every letter's), determinations, payment items, runs and payments. The
records are hash-chained in Python the way ``grants.history`` chains them, so
``history_verify`` passes over the whole fixture. The last year is the
current one: its cases stand at every stage, so worklists and queues have
rows; earlier years are settled.

``recipients_made_up`` makes 47 prefectures, their wide-area unions and 1,741
municipalities (each prefecture's real count) with the models as they are,
for a database without the national list.
"""

import hashlib
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
MUNICIPALITY_COUNTS = (179, 40, 33, 35, 25, 35, 59, 44, 25, 35, 63, 54, 62, 33, 30, 15, 19, 17, 27, 77, 42, 35, 54, 29,
                       19, 26, 43, 41, 39, 30, 19, 19, 27, 23, 19, 24, 17, 20, 34, 60, 20, 21, 45, 18, 26, 43, 41)
CSG, MCF, SAG = "community_support_grant", "medical_care_fund", "special_adjustment_grant"
YEARS = tuple(range(2019, 2029))
BATCH = 5000


def recipients_made_up(municipalities: int = 1741) -> None:  # for a database without the national list
    """47 prefectures, their unions, and ``municipalities`` municipalities spread as the real ones are."""
    from grants.models import Recipient, RecipientKind

    rows = []
    share = municipalities / sum(MUNICIPALITY_COUNTS)
    for number, (name, count) in enumerate(zip(PREFECTURES, MUNICIPALITY_COUNTS), 1):
        code = f"{number:02d}"
        rows.append(Recipient(code=code, name_ja=name, name_en=f"Prefecture {code}", kind=RecipientKind.PREFECTURE,
                              prefecture_code=code, addressee_ja=f"{name}健康福祉部長　殿"))
        union = f"{name}後期高齢者医療広域連合"
        rows.append(Recipient(code=f"{code}-wau", name_ja=union, name_en=f"Union {code}", kind=RecipientKind.WIDE_AREA_UNION,
                              prefecture_code=code, addressee_ja=f"{union}長　殿"))
        for n in range(1, max(1, round(count * share)) + 1):
            town = f"{name.rstrip('都道府県')}第{n}町"
            rows.append(Recipient(code=f"{code}-m{n:03d}", name_ja=town, name_en=f"Town {code}-{n}",
                                  kind=RecipientKind.MUNICIPALITY, municipality_type="town", prefecture_code=code,
                                  addressee_ja=f"{town}長　殿"))
    Recipient.objects.bulk_create(rows, ignore_conflicts=True)


# The acts of each procedure, in order: (transition, state after it, days after the procedure's start).
_REQUEST = [("request", "requested", 0), ("submit", "submitted", 50), ("start_review", "under_review", 60)]
_DECIDE = [("draft", "drafted", 70), ("approve", "approved", 80), ("notify", "notified", 95)]
_CONSULT = [("request_consultation", "consultation_requested", 0), ("submit_consultation", "consultation_submitted", 25),
            ("present_amount", "amount_presented", 40)]
_FORWARD = [("forward", "forwarded", 70), ("record_ministry_decision", "ministry_decision_recorded", 100),
            ("confirm_ministry_decision", "notified", 103)]


def _shift(steps, days):
    return [(name, state, offset + days) for name, state, offset in steps]


# (stream, parts, procedure, recipient kind, months after April the procedure starts, its acts, determination kind)
PROCEDURES = (
    (CSG, ("",), "initial_grant", "municipality", 3, _REQUEST + _DECIDE, "decision"),
    (CSG, ("",), "change_grant", "municipality", 7, _CONSULT + _shift(_REQUEST + _DECIDE, 60), "change"),
    (CSG, ("",), "adjustment_grant", "municipality", 7, _REQUEST + _DECIDE, "decision"),
    (CSG, ("",), "prior_year_settlement", "municipality", 1, _REQUEST + _DECIDE, "settlement"),
    (CSG, ("",), "past_year_resettlement", "municipality", 2, _REQUEST + _DECIDE, "resettlement"),
    (MCF, ("facilities", "personnel"), "initial_grant", "prefecture", 1, _CONSULT + _shift(_REQUEST + _DECIDE, 50), "decision"),
    (MCF, ("facilities", "personnel"), "prior_year_settlement", "prefecture", 1, _REQUEST + _DECIDE, "settlement"),
    (MCF, ("facilities", "personnel"), "fund_balance_survey", "prefecture", 5, _REQUEST + [("accept", "accepted", 65)], None),
    (SAG, ("",), "initial_grant", "wide_area_union", 2, _REQUEST + _FORWARD, "ministry_decision"),
    (SAG, ("",), "change_grant", "wide_area_union", 7, _REQUEST + _FORWARD, "ministry_decision"),
    (SAG, ("",), "results_report", "wide_area_union", 1, _REQUEST + _FORWARD, "ministry_decision"),
)
SETTLES = {"prior_year_settlement": 1, "results_report": 1, "past_year_resettlement": 2}
LETTER_ACTS = {"request": "request", "request_consultation": "request", "notify": None}  # None: the notice's kind
NOTICE_KIND = {"decision": "decision_notice", "change": "decision_notice", "settlement": "settlement_notice",
               "resettlement": "settlement_notice"}


class Fixture:
    """Writes the years; ``counts`` says how many rows of each kind it wrote."""

    def __init__(self, *, years=YEARS, municipalities: int | None = None, log=print):
        from django.contrib.auth import get_user_model

        from grants.models import Recipient, RecipientKind
        from grants.roles import system_user
        from tests import factories as f

        self.f, self.log = f, log
        self.years = years
        self.rng = random.Random(2023)
        self.counts: Counter = Counter()
        self.system = system_user()
        recipients = Recipient.objects.active().order_by("code")
        by_kind = {kind: list(recipients.filter(kind=kind)) for kind in RecipientKind.values}
        if municipalities:
            towns = by_kind["municipality"]
            by_kind["municipality"] = towns[:: max(1, len(towns) // municipalities)][:municipalities]
        self.recipients = by_kind
        users = get_user_model().objects
        prefectures = sorted({r.prefecture_code for r in by_kind["prefecture"]})
        self.officers = {}
        for start in range(0, len(prefectures), 6):
            group = prefectures[start : start + 6]
            officer = users.filter(username=f"officer-{group[0]}").first() or f.officer(
                prefectures=tuple(group), username=f"officer-{group[0]}")
            self.officers.update({code: officer for code in group})
        self.bosses = [users.filter(username=name).first() or f.supervisor(username=name)
                       for name in ("supervisor-a", "supervisor-b")]
        self.auditor = users.filter(username="auditor-a").first() or f.auditor(username="auditor-a")
        for year in range(years[0] - 2, years[-1] + 3):
            if year >= 2019:
                f.fiscal_year(year)
        self.current_year = years[-1]
        self.letter_file, self.letter_sha = self._sample_pdf()

    def _sample_pdf(self) -> tuple[str, str]:
        """One drawn letter stored once; every fixture letter points at it."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from letters.pdf import LetterContent, render_letter

        pdf = render_letter(LetterContent(document_number="関厚発0401第1号", issued_on=date(2019, 4, 1), **_CONTENT))
        name = default_storage.save("letters/fixture/letter.pdf", ContentFile(pdf))
        return name, hashlib.sha256(pdf).hexdigest()

    # ------------------------------------------------------------------ the year's rows
    def lay_down(self) -> Counter:
        from grants.history import GENESIS_HASH
        from grants.models import HistoryEntry

        last = HistoryEntry.objects.order_by("-pk").values_list("hash", flat=True).first()
        self.head = last or GENESIS_HASH
        for year in self.years:
            self._year(year)
            self.log(f"FY{year}: {dict(self.counts)}")
        return self.counts

    def _year(self, year: int) -> None:
        from grants.models import Case, Determination
        from letters.models import Letter

        current = year == self.current_year
        cases, plans = [], []
        for stream, parts, procedure, kind, month, steps, determination in PROCEDURES:
            settles = SETTLES.get(procedure)
            if settles and year - settles < 2019:
                continue
            start = date(year, 4, 1) + timedelta(days=30 * month)
            for part in parts:
                for index, recipient in enumerate(self.recipients[kind]):
                    path = list(steps)
                    if procedure == "initial_grant" and stream == CSG and index % 20 == 3:
                        at = path.index(next(s for s in path if s[0] == "start_review"))
                        path[at:at] = [("return_for_correction", "returned", 55), ("submit", "submitted", 58)]
                    if procedure == "change_grant" and stream == CSG and index % 10 == 9:
                        path = path[:3] + [("withdraw", "withdrawn", 45)]
                    if current:
                        path = path[: self.rng.randrange(0, len(path) + 1)]
                    amount = 30_000_000 + (index * 7_919_311 + year) % 170_000_000
                    case = Case(
                        fiscal_year_id=year, stream=stream, part=part, procedure=procedure, recipient=recipient,
                        settles_fiscal_year=year - settles if settles else None,
                        state=path[-1][1] if path else "planned", version=1 + len(path),
                        officer=self.officers[recipient.prefecture_code],
                    )
                    names = [name for name, _, _ in path]
                    deadline = start + timedelta(days=45)
                    if "request" in names:
                        case.deadline_stated = case.deadline_effective = deadline
                    if "submit" in names:
                        case.amount_requested = amount
                        case.submitted_on = deadline - timedelta(days=index % 9)
                        case.submitted_late = index % 10 == 9
                    decided = amount - (index % 5 == 1) * 1_000_000
                    if "notify" in names or "confirm_ministry_decision" in names:
                        if determination in ("settlement", "resettlement"):
                            case.amount_settled = decided - (index % 8 == 5) * 3_000_000
                        else:
                            case.amount_determined = case.amount_current = decided
                    cases.append(case)
                    plans.append((case, path, start, amount, decided, determination))
        Case.objects.bulk_create(cases, batch_size=BATCH)
        self.counts["cases"] += len(cases)
        determinations, letters, items, records = [], [], [], []
        for case, path, start, amount, decided, kind in plans:
            records.append((self._at(start, -1), case, "create", "", "planned", {"procedure": case.procedure, "part": case.part}))
            state, version = "planned", 1
            for name, target, offset in path:
                when = self._at(start, offset)
                fields = self._fields(name, case, amount, decided, when)
                data = {
                    "procedure": case.procedure, "part": case.part, "fields": fields,
                    "amounts_before": {"requested": case.amount_requested if offset > 50 else None},
                    "amounts_after": {"requested": case.amount_requested, "current": case.amount_current,
                                      "settled": case.amount_settled},
                    "reason": fields.get("reason", ""), "document_number": fields.get("document_number", ""),
                    "snapshot": {"state": target, "version": version + 1},
                }
                letter_kind = LETTER_ACTS.get(name, False)
                if letter_kind is not False:
                    letter_kind = letter_kind or NOTICE_KIND.get(kind)
                    if letter_kind:
                        letters.append(self._letter(case, letter_kind, when, fields))
                        data["letter"] = {"kind": letter_kind, "subject": letters[-1].subject}
                records.append((when, case, name, state, target, data))
                if name == "request" and case.pk % 5 in (1, 2):  # reminders: two in five, and a demand in one
                    for kind, day in (("reminder", 38), ("overdue_demand", 47))[: case.pk % 5]:
                        letters.append(self._letter(case, kind, self._at(start, day), {}))
                        records.append((self._at(start, day), case, "letter_issue", "", "", {
                            "case": case.pk, "kind": kind, "subject": letters[-1].subject}, letters[-1]))
                state, version = target, version + 1
            if kind and case.state == "notified":
                notified = self._at(start, path[-1][2]).date()
                determinations.append(Determination(
                    case=case, kind=kind, amount=case.amount_settled or case.amount_current or decided,
                    previous_amount=amount, reason="", drafted_by=case.officer,
                    drafted_at=self._at(start, 70), approved_by=self.bosses[case.pk % 2],
                    approved_at=self._at(start, 80), document_number=f"関厚発{notified:%m%d}第{case.pk}号",
                    notified_on=notified,
                ))
            elif kind and case.state in ("drafted", "approved", "ministry_decision_recorded"):
                determinations.append(Determination(
                    case=case, kind=kind, amount=decided, previous_amount=amount, drafted_by=case.officer,
                    drafted_at=self._at(start, 70),
                    approved_by=self.bosses[case.pk % 2] if case.state == "approved" else None,
                    approved_at=self._at(start, 80) if case.state == "approved" else None,
                ))
        Determination.objects.bulk_create(determinations, batch_size=BATCH)
        self.counts["determinations"] += len(determinations)
        Letter.objects.bulk_create(letters, batch_size=BATCH)
        self.counts["letters"] += len(letters)
        for letter in letters:
            records.append((letter._rendered_at, letter.case, "letter_render", "", "", {
                "case": letter.case_id, "document_number": letter.document_number, "sha256": self.letter_sha,
                "file": self.letter_file}, letter))
        items = self._payments(year, determinations, records)
        self.counts["payment_items"] += items
        self._history(records)
        # the determinations and cases went in around the transition service: the budget ledger is written afresh
        from grants.services import budget_ledger_rebuild

        self.counts["budget_commitments"] += budget_ledger_rebuild(fiscal_year=year)

    def _fields(self, name: str, case, amount: int, decided: int, when: datetime) -> dict:
        day = when.date().isoformat()
        if name in ("request", "request_consultation"):
            return {"deadline": case.deadline_effective.isoformat() if case.deadline_effective else day}
        if name in ("submit", "submit_consultation"):
            return {"amount": amount, "date": day}
        if name == "present_amount":
            return {"amount": amount}
        if name == "draft":
            return {"amount": decided, "reason": "対象外経費を除外" if decided < amount else ""}
        if name == "notify":
            return {"date": day, "document_number": f"関厚発{when:%m%d}第{case.pk}号"}
        if name == "record_ministry_decision":
            return {"amount": decided, "date": day, "document_number": f"保高発{when:%m%d}第{case.pk}号"}
        if name == "forward":
            return {"date": day}
        if name in ("return_for_correction", "withdraw"):
            return {"reason": "添付書類の記載漏れ" if name == "return_for_correction" else "事業費の変動なし"}
        return {}

    @staticmethod
    def _at(start: date, days: int) -> datetime:
        return datetime.combine(start + timedelta(days=days), time(1, 30), tzinfo=UTC)

    def _letter(self, case, kind: str, when: datetime, fields: dict):
        from letters.models import Letter

        number = fields.get("document_number") or f"関厚発{when:%m%d}第{self.counts['letter_numbers'] + 1}号"
        self.counts["letter_numbers"] += 1
        subject = f"令和{case.fiscal_year_id - 2018}年度{_SUBJECTS[case.stream]}の{case.procedure}について"
        letter = Letter(
            case=case, kind=kind, document_number=number, issued_on=when.date(), recipient=case.recipient,
            subject=subject, content={**_CONTENT, "addressee": case.recipient.addressee_ja, "subject": subject,
                                      "title_kind": kind},
            deadline_stated=case.deadline_stated, deadline_effective=case.deadline_effective,
            basis={"deadline": "officer"} if kind == "request" else {}, pdf=self.letter_file, sha256=self.letter_sha,
            status="rendered", created_by=case.officer, rendered_at=when + timedelta(minutes=2),
        )
        letter._rendered_at = when + timedelta(minutes=2)
        return letter

    def _payments(self, year: int, determinations, records) -> int:
        """Three runs a year paying the initial grants in two tranches and the adjustment grant whole."""
        from payments.models import PaymentItem, PaymentRecord, PaymentRun

        if year == self.current_year:
            return 0
        runs = []
        for month_day in ("10-30", "01-29", "03-25"):
            on = date.fromisoformat(f"{year + (month_day < '04')}-{month_day}")
            when = datetime.combine(on, time(0, 30), tzinfo=UTC)
            runs.append(PaymentRun(fiscal_year_id=year, run_on=on, state="executed", drafted_by=self.officers["01"],
                                   drafted_at=when, approved_by=self.bosses[0], approved_at=when,
                                   executed_by=self.bosses[1], executed_at=when))
        PaymentRun.objects.bulk_create(runs)
        items = []
        for determination in determinations:
            case = determination.case
            if case.stream != CSG or case.state != "notified" or case.procedure not in ("initial_grant", "adjustment_grant"):
                continue
            shares = [("tranche_1", 50, 0), ("tranche_2", 50, 1)] if case.procedure == "initial_grant" else [("adjustment_grant", 100, 2)]
            amount = determination.amount
            for basis, percent, run in shares:
                items.append(PaymentItem(case=case, determination=determination, recipient=case.recipient,
                                         budget_year=year, basis=basis, amount=amount * percent // 100,
                                         due_on=runs[run].run_on, run=runs[run]))
        PaymentItem.objects.bulk_create(items, batch_size=BATCH)
        PaymentRecord.objects.bulk_create(
            [PaymentRecord(item=item, run=item.run, amount=item.amount, paid_on=item.due_on) for item in items],
            batch_size=BATCH)
        for run in runs:
            paid = [item for item in items if item.run_id == run.pk]
            recipients = Counter()
            for item in paid:
                recipients[item.recipient.code] += item.amount
            for action, source, target in (("payment_run_create", "", "draft"), ("payment_run_approve", "draft", "approved"),
                                           ("payment_run_execute", "approved", "executed")):
                records.append((run.executed_at, None, action, source, target, {
                    "date": run.run_on.isoformat(), "total": sum(recipients.values()), "recipients": dict(recipients),
                    "items": [item.pk for item in paid]}, run))
        return len(items)

    def _history(self, records: list) -> None:
        """One chained record per act, letter drawing and run step, in time order."""
        from grants.history import entry_hash
        from grants.models import HistoryEntry
        from grants.roles import primary_role

        records.sort(key=lambda record: record[0])
        roles: dict[int, str] = {}
        entries = []
        for record in records:
            when, case, action, source, target, data = record[:6]
            subject = record[6] if len(record) > 6 else case
            if action in ("letter_render", "letter_issue"):
                actor = self.system
            elif action in ("approve", "send_back", "confirm_ministry_decision", "payment_run_approve", "payment_run_execute"):
                actor = self.bosses[(case.pk if case else subject.pk) % 2]
            elif case is not None:
                actor = case.officer
            else:
                actor = self.officers["01"]
            if actor.pk not in roles:
                roles[actor.pk] = primary_role(actor)
            subject_type = {"Case": "case", "Letter": "letter", "PaymentRun": "payment_run"}[type(subject).__name__]
            entry = HistoryEntry(
                occurred_at=when, actor_id=actor.pk, actor_role=roles[actor.pk], subject_type=subject_type,
                subject_id=str(subject.pk), case_id=case.pk if case is not None and subject_type == "case" else None,
                fiscal_year=case.fiscal_year_id if case is not None else subject.fiscal_year_id,
                stream=case.stream if case is not None else "",
                recipient_id=case.recipient_id if case is not None else None,
                action=action, source=source, target=target, data=data, prev_hash=self.head,
            )
            entry.hash = self.head = entry_hash(entry)
            entries.append(entry)
        it = iter(entries)
        while chunk := list(islice(it, BATCH)):
            HistoryEntry.objects.bulk_create(chunk)
        self.counts["history"] += len(entries)


_SUBJECTS = {CSG: "地域支援事業交付金", MCF: "地域医療介護総合確保基金", SAG: "後期高齢者医療特別調整交付金"}
_CONTENT = {
    "addressee": "埼玉県福祉部地域包括ケア課長　殿",
    "sender": "関東信越厚生局健康福祉部地域包括ケア推進課長",
    "subject": "令和5年度地域支援事業交付金の交付申請について（依頼）",
    "body_paragraphs": [
        "標記について、下記のとおり提出いただきますようお願いいたします。",
        "なお、提出期限までに提出がない場合は、交付決定を行うことができませんので、御留意願います。",
    ],
    "items": [["提出書類", "交付申請書（様式第1号）"], ["提出期限", "令和5年8月31日（木）"], ["提出方法", "電子メール"]],
    "deadline_note": None,
    "contact_lines": ["関東信越厚生局健康福祉部地域包括ケア推進課", "TEL: 048-740-0793", "担当：山田"],
    "title_kind": "request",
}
