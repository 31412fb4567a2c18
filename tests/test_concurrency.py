"""Races on PostgreSQL: reminders, letter numbering and rendering, the history chain, bulk requests.

Each test releases real threads (each with its own connection) together; SQLite's
write lock serialises writers, so these run on PostgreSQL only.
"""

import re
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from grants.history import history_verify
from grants.models import HistoryEntry
from letters.models import Letter, LetterBatch, Reminder
from letters.services import letters as letter_services
from letters.services.letters import letter_render
from tests import factories as f
from tests.letters.factories import act, reminder_rules, requested_case, send_reminders
from tests.threads import at_once, errors
from web.errors import DomainError
from workflows.services import case_transition

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's write lock already serialises writers"),
]

DEADLINE = date(2026, 2, 27)  # a Friday
REMINDER_DAY = date(2026, 2, 24)  # three business days before it
SERIAL = re.compile(r"第(\d+)号$")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def serial(number: str) -> int:
    return int(SERIAL.search(number).group(1))


def assert_chain_follows_ids():
    assert history_verify().ok, history_verify()
    rows = list(HistoryEntry.objects.order_by("pk").values_list("pk", "prev_hash", "hash"))
    for (_, _, previous), (pk, prev_hash, _) in zip(rows, rows[1:]):
        assert prev_hash == previous, f"record {pk} does not follow the record before it by id"


def town(n: int):
    return f.town(n)


def planned_cases(officer, count: int) -> list:
    """``count`` FY2025 initial-grant cases in ``planned``, one per town of Saitama."""
    return [f.case(actor=officer, recipient=town(n)) for n in range(count)]


@pytest.fixture
def waiting(live_db, today):
    """Six cases asked for papers on 2 February with a deadline of 27 February, none answered."""
    reminder_rules()
    today(date(2026, 2, 2))
    officer = f.officer()
    return [
        requested_case(officer=officer, deadline=DEADLINE.isoformat(), recipient=town(n))
        for n in range(6)
    ]


@pytest.mark.parametrize("round_", range(3))
def test_two_reminder_runs_at_once_produce_each_reminder_once(waiting, round_):
    outcomes = at_once(lambda: send_reminders(REMINDER_DAY), lambda: send_reminders(REMINDER_DAY))
    assert not errors(outcomes), outcomes
    assert Reminder.objects.count() == len(waiting)
    assert sorted(Reminder.objects.values_list("case_id", flat=True)) == sorted(case.pk for case in waiting)
    reminders = Letter.objects.filter(kind="reminder")
    assert reminders.count() == len(waiting)
    assert LetterBatch.objects.filter(key__startswith="reminders/").count() == 1
    issued = HistoryEntry.objects.filter(action="letter_issue", data__kind="reminder")
    assert sorted(issued.values_list("subject_id", flat=True)) == sorted(str(pk) for pk in reminders.values_list("pk", flat=True))
    rendered = HistoryEntry.objects.filter(action="letter_render", subject_id__in=[str(letter.pk) for letter in reminders])
    assert rendered.count() == len(waiting)
    numbers = [letter.document_number for letter in reminders]
    assert sorted(serial(n) for n in numbers) == list(range(1, len(waiting) + 1))
    assert_chain_follows_ids()


def _pending_letter(live_db, today, monkeypatch):
    """A request letter issued but not yet drawn (its task still queued)."""
    today(date(2026, 2, 2))
    officer = f.officer()
    case = f.case(actor=officer)
    with monkeypatch.context() as patch:
        patch.setattr(letter_services, "_drain_follows", lambda *found: None)
        act(case, "request", officer, deadline=DEADLINE.isoformat())
    return Letter.objects.get(case=case, kind="request")


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_drawing_the_same_letter_store_one_pdf_and_one_record(live_db, today, monkeypatch, round_):
    letter = _pending_letter(live_db, today, monkeypatch)
    assert letter.status == "pending" and not letter.document_number
    draw = letter_services.render_letter
    monkeypatch.setattr(letter_services, "render_letter", lambda content: (time.sleep(0.2), draw(content))[1])
    outcomes = at_once(*[lambda: letter_render(letter_id=letter.pk)] * 3)
    assert not errors(outcomes), outcomes
    letter.refresh_from_db()
    assert letter.status == "rendered" and serial(letter.document_number) == 1
    assert [o.document_number for o in outcomes] == [letter.document_number] * 3
    assert [o.sha256 for o in outcomes] == [letter.sha256] * 3
    assert HistoryEntry.objects.filter(action="letter_render", subject_id=str(letter.pk)).count() == 1
    stored = sorted(path.name for path in Path(letter.pdf.path).parent.glob("*.pdf"))
    assert stored == [Path(letter.pdf.name).name]
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(2))
def test_letters_issued_at_once_on_one_day_get_distinct_gap_free_serials(live_db, today, round_):
    today(date(2026, 2, 2))
    officer = f.officer()
    cases = planned_cases(officer, 8)
    outcomes = at_once(*[
        (lambda case=case: act(case, "request", officer, deadline=DEADLINE.isoformat())) for case in cases
    ])
    assert not errors(outcomes), outcomes
    assert Letter.objects.filter(kind="request").count() == len(cases)
    letters = Letter.objects.all()
    assert letters.count() == len(cases) and all(letter.status == "rendered" for letter in letters)
    assert sorted(serial(letter.document_number) for letter in letters) == list(range(1, len(cases) + 1))
    assert all(letter.document_number.startswith("関厚発0202第") for letter in letters)
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(3))
def test_transitions_and_a_render_at_once_keep_the_chain_in_id_order(live_db, today, monkeypatch, round_):
    letter = _pending_letter(live_db, today, monkeypatch)
    officer = f.officer()
    cases = planned_cases(officer, 6)
    works = [(lambda case=case: act(case, "request", officer, deadline=DEADLINE.isoformat())) for case in cases]
    outcomes = at_once(*works, lambda: letter_render(letter_id=letter.pk))
    assert not errors(outcomes), outcomes
    # each request's letter, and the one drawn
    assert HistoryEntry.objects.filter(action="letter_render").count() == len(cases) + 1
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_bulk_requesting_the_same_cases_request_each_once(live_db, today, round_):
    today(date(2026, 2, 2))
    first, second = f.officer(), f.officer()
    cases = planned_cases(first, 5)
    ids = [(case.pk, case.version) for case in cases]

    def bulk(officer):
        done, refused = [], []
        for case_id, version in ids:
            try:
                case_transition(
                    case_id=case_id, name="request", actor=officer, data={"deadline": DEADLINE.isoformat()},
                    expected_version=version,
                )
            except DomainError as exc:
                refused.append(exc.code)
            else:
                done.append(case_id)
        return done, refused

    outcomes = at_once(lambda: bulk(first), lambda: bulk(second))
    assert not errors(outcomes), outcomes
    done = [case_id for d, _ in outcomes for case_id in d]
    refused = [code for _, r in outcomes for code in r]
    assert sorted(done) == sorted(pk for pk, _ in ids)
    assert refused == ["stale_version"] * len(ids)
    assert HistoryEntry.objects.filter(action="request").count() == len(ids)
    assert Letter.objects.filter(kind="request").count() == len(ids)
    # numbered from one sequence without a gap
    assert sorted(serial(n) for n in Letter.objects.values_list("document_number", flat=True)) == list(
        range(1, len(ids) + 1)
    )
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_confirming_the_same_bulk_request_at_once_request_each_case_once(live_db, today, round_):
    today(date(2026, 2, 2))
    first, second = f.officer(), f.officer()
    cases = planned_cases(first, 5)
    form = {
        "transition": "request", "fiscal_year": 2025, "stream": cases[0].stream, "part": "",
        "procedure": "initial_grant", "deadline": DEADLINE.isoformat(),
        "cases": ",".join(f"{case.pk}:{case.version}" for case in cases),
    }  # fmt: skip
    clients = [Client(), Client()]
    clients[0].force_login(first)
    clients[1].force_login(second)
    outcomes = at_once(*[(lambda client=client: client.post("/bulk/request/", form)) for client in clients])
    assert not errors(outcomes), outcomes
    assert [response.status_code for response in outcomes] == [302, 302]  # each is redirected to its summary (post/redirect/get)
    assert HistoryEntry.objects.filter(action="request").count() == len(cases)
    letters = Letter.objects.filter(kind="request")
    assert letters.count() == len(cases)
    assert letters.filter(batch__isnull=True).count() == 0  # each officer's summary batches the letters it sent
    assert sum(batch.letters.filter(kind="request").count() for batch in LetterBatch.objects.all()) == len(cases)
    # and one request to the prefecture listing them, from whichever officer's bulk step asked them
    covering = Letter.objects.filter(kind="covering_request")
    assert sorted(r.case_id for letter in covering for r in letter.covered_requests.all()) == sorted(c.pk for c in cases)
    assert HistoryEntry.objects.filter(action="letter_batch_create").count() == LetterBatch.objects.count()
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(3))
def test_notices_and_requests_at_once_on_one_day_share_one_gap_free_sequence(live_db, today, round_):
    today(date(2026, 2, 2))
    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, "community_support_grant", by=boss)
    approved = []
    for n in range(4):
        case = f.case(actor=officer, recipient=f.municipality(f.municipality_code(500 + n), f"承{n}"))
        for name, data in [("request", {"deadline": DEADLINE.isoformat()}), ("submit", {"amount": 1_000}),
                           ("start_review", {}), ("draft", {"amount": 1_000}), ("approve", {})]:
            case = act(case, name, boss if name == "approve" else officer, **data)
        approved.append(case)
    fresh = [f.case(actor=officer, recipient=f.municipality(f.municipality_code(600 + n), f"新{n}")) for n in range(4)]
    works = [(lambda case=case: act(case, "notify", officer)) for case in approved]
    works += [(lambda case=case: act(case, "request", officer, deadline=DEADLINE.isoformat())) for case in fresh]
    outcomes = at_once(*works)
    assert not errors(outcomes), outcomes
    numbers = list(Letter.objects.filter(issued_on=date(2026, 2, 2)).values_list("document_number", flat=True))
    # 8 requests and 4 notices
    assert len(numbers) == 12 and len(set(numbers)) == 12
    assert sorted(serial(n) for n in numbers) == list(range(1, 13))
    assert_chain_follows_ids()


@pytest.mark.parametrize("round_", range(3))
def test_a_reminder_run_racing_submissions_reminds_only_cases_still_waiting_when_it_wrote(waiting, today, round_):
    today(REMINDER_DAY)
    officer = waiting[0].officer
    submissions = [
        (lambda case=case: case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 1_000},
                                           expected_version=case.version))
        for case in waiting[::2]
    ]
    outcomes = at_once(lambda: send_reminders(REMINDER_DAY), lambda: send_reminders(REMINDER_DAY), *submissions)
    assert not errors(outcomes), outcomes
    for case in waiting:
        reminded = HistoryEntry.objects.filter(action="letter_issue", data__kind="reminder", data__case=case.pk)
        submitted = HistoryEntry.objects.filter(action="submit", case=case).first()
        assert reminded.count() == Reminder.objects.filter(case=case).count() <= 1
        if submitted is None:
            assert reminded.count() == 1
        elif reminded.exists():
            assert reminded.get().pk < submitted.pk  # written while the case still waited
    assert_chain_follows_ids()
