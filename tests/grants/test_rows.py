"""The hot path's prepared statements read and write exactly what the ORM would, on both databases."""

import hashlib
import json
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from grants.history import entry_hash, history_append, history_verify
from grants.models import Case, Determination, HistoryEntry, Recipient
from grants.rows import PENDING_Q, case_fetch_for_update
from grants.selectors import budget_notice_total, budget_position, determination_pending, procedure_year_definition
from tests import factories as f
from web.rows import row_insert, row_update, rows_select
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_locked_case_read_matches_the_orm_field_for_field():
    officer = f.officer(first_name="花子")
    case = f.case(actor=officer)
    case = case_transition(
        case_id=case.pk, name="request", actor=officer, data={"deadline": "2026-02-28", "occurred_on": "2026-02-02"},
        expected_version=1,
    )
    case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 12_345}, expected_version=2)
    with transaction.atomic():
        fetched = case_fetch_for_update(case.pk)
    stored = Case.objects.select_related("recipient", "officer").get(pk=case.pk)
    assert _fields(fetched) == _fields(stored)
    assert _fields(fetched.recipient) == _fields(stored.recipient)
    assert _fields(fetched.officer) == _fields(stored.officer)  # the creating officer is the case's officer
    assert timezone.is_aware(fetched.updated_at) and isinstance(fetched.deadline_stated, date)
    assert fetched.submitted_late is True and fetched.amount_requested == 12_345  # papers after the deadline


def test_locked_case_read_without_an_officer_and_of_a_missing_case():
    officer = f.officer()
    case = f.case(actor=officer)
    Case.objects.filter(pk=case.pk).update(officer=None)
    with transaction.atomic():
        assert case_fetch_for_update(case.pk).officer is None
        assert case_fetch_for_update(case.pk + 10_000) is None


def test_the_case_read_brings_its_newest_pending_determination_as_determination_pending_finds_it():
    """Newest draft first; drafts sent back or notified are not pending; a case without an officer still brings
    its draft; the chunk read of a bulk step brings each case's."""
    from grants.rows import cases_fetch_for_update

    officer, boss = f.officer(), f.supervisor()
    case, other = f.case(actor=officer), f.case(actor=officer, recipient=f.town(1))
    now = timezone.now()

    def draft(of, amount, **given):
        return Determination.objects.create(case=of, kind="decision", amount=amount, drafted_by=officer,
                                            drafted_at=now - timezone.timedelta(minutes=10 - amount), **given)

    draft(case, 1, sent_back_reason="額の誤り")
    draft(case, 2)
    newest = draft(case, 3)
    draft(case, 9, notified_on=date(2025, 9, 1), approved_by=boss, approved_at=now)  # notified: not pending
    draft(other, 1, sent_back_reason="差戻し")  # only sent back: none pending
    Case.objects.filter(pk=case.pk).update(officer=None)
    with transaction.atomic():
        fetched = case_fetch_for_update(case.pk)
        chunk = cases_fetch_for_update([case.pk, other.pk])
    assert fetched.officer is None and [d.pk for d in fetched.pending] == [newest.pk]
    assert determination_pending(case_id=case.pk).pk == newest.pk
    assert _fields(fetched.pending[0]) == _fields(Determination.objects.get(pk=newest.pk))
    assert fetched.pending[0].case is fetched
    assert [d.pk for d in chunk[case.pk].pending] == [newest.pk] and chunk[other.pk].pending == []
    assert determination_pending(case_id=other.pk) is None
    # the rule's ORM form (the approval queue's prefetch) finds the same drafts, newest first
    orm = Determination.objects.filter(PENDING_Q, case__in=[case, other]).order_by("-drafted_at", "-pk")
    assert [(d.case_id, d.pk) for d in orm][:1] == [(case.pk, newest.pk)]
    assert {d.case_id for d in orm} == {case.pk}


def test_the_case_read_brings_the_prefecture_on_file_and_the_closure_days_the_act_counts_with():
    """What an act would read in statements of its own comes with its case: the recipient's prefecture (or None
    when it is not on file), and inside ``shared_reads`` every closure day (a day added is seen by the next read)."""
    from calendars.business_days import is_business_day
    from calendars.models import ClosureDay
    from django.test.utils import CaptureQueriesContext
    from grants.selectors import prefecture_on_file
    from web.rows import shared_reads

    officer = f.officer()
    prefecture = f.prefecture("11")
    case = f.case(actor=officer)  # a municipality of Saitama
    orphan = f.case(actor=officer, recipient=f.municipality(f.municipality_code(5, "12"), "某町", prefecture_code="12"))
    Recipient.objects.filter(code="12").delete()  # master data without the town's prefecture
    ClosureDay.objects.create(day=date(2026, 5, 7), reason="臨時休庁")
    with transaction.atomic(), shared_reads():
        fetched = case_fetch_for_update(case.pk)
        with CaptureQueriesContext(connection) as asked:
            assert prefecture_on_file(fetched.recipient).pk == prefecture.pk
            assert not is_business_day(date(2026, 5, 7)) and is_business_day(date(2026, 5, 8))
        assert len(asked) == 0, [query["sql"] for query in asked]
        assert prefecture_on_file(case_fetch_for_update(orphan.pk).recipient) is None  # no prefecture 12 on file
    ClosureDay.objects.create(day=date(2026, 5, 8), reason="臨時休庁")
    with transaction.atomic(), shared_reads():
        case_fetch_for_update(case.pk)
        assert not is_business_day(date(2026, 5, 8))


def test_prepared_insert_update_and_select_round_trip_like_the_orm():
    officer = f.officer()
    case = f.case(actor=officer)
    drafted = row_insert(
        Determination(
            case=case, kind="decision", amount=7, reason='理由\n"quoted"', drafted_by=officer, drafted_at=timezone.now()
        )
    )
    assert drafted.pk and not drafted._state.adding
    assert _fields(Determination.objects.get(pk=drafted.pk)) == _fields(drafted)
    drafted.document_number, drafted.notified_on = "関厚発1121第1号", date(2025, 11, 21)
    row_update(drafted, ["document_number", "notified_on"])
    assert _fields(Determination.objects.get(pk=drafted.pk)) == _fields(drafted)
    found = rows_select(Determination, "t.case_id = %s", [case.pk])
    assert [_fields(d) for d in found] == [_fields(drafted)]


def test_prepared_selectors_agree_with_the_data():
    boss = f.supervisor()
    officer = f.officer()
    case = f.case(actor=officer)
    assert budget_notice_total(fiscal_year=2025, stream="community_support_grant", part="") == 0
    position = budget_position(fiscal_year=2025, stream="community_support_grant", part="")
    assert (position.ceiling, position.committed, position.with_pending) == (0, 0, 0)
    f.budget_notice(2025, "community_support_grant", amount=3_000_000_000_000, by=boss)
    f.budget_notice(2025, "community_support_grant", amount=5, by=boss)
    total = budget_notice_total(fiscal_year=2025, stream="community_support_grant", part="")
    assert total == 3_000_000_000_005 and type(total) is int  # PostgreSQL's SUM would be a Decimal
    position = budget_position(fiscal_year=2025, stream="community_support_grant", part="")
    assert position.ceiling == total and type(position.ceiling) is int and type(position.committed) is int
    assert determination_pending(case_id=case.pk) is None


def test_budget_position_sums_what_the_orm_reads_row_by_row():
    """The prepared position against every approved determination read through the ORM, latest per grant."""
    from datetime import datetime, timedelta, timezone as tz

    from grants.catalogue import SETTLING_KINDS, procedure_get

    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, "community_support_grant", amount=10**12, by=boss)
    at = datetime(2025, 6, 1, tzinfo=tz.utc)
    drafts = []
    for n, (town, procedure, amounts) in enumerate(
        [(0, "initial_grant", [5, 7]), (0, "change_grant", [9, 4, 6]), (0, "adjustment_grant", [3]),
         (1, "initial_grant", [8, 2])]
    ):
        recipient = f.municipality(f"11-r{town}", f"町{town}")
        case = f.case(actor=officer, procedure=procedure, recipient=recipient)
        for k, amount in enumerate(amounts):
            drafts.append(Determination.objects.create(
                case=case, kind=procedure_get(case.stream, procedure).determination, amount=amount * 1_000_000,
                drafted_by=officer, drafted_at=at, approved_by=boss, approved_at=at + timedelta(minutes=(n * k) % 2),
            ))

    def by_orm(pending):
        latest = {}
        approved = (
            Determination.objects.filter(case__fiscal_year_id=2025, approved_at__isnull=False)
            .exclude(kind__in=SETTLING_KINDS).exclude(pk=pending.pk).select_related("case")
            .order_by("approved_at", "pk")
        )
        for row in approved:
            grant = procedure_get(row.case.stream, row.case.procedure).sets_grant
            latest[row.case.recipient_id, "" if grant else row.case.procedure] = row.amount
        committed = sum(latest.values())
        key = "" if procedure_get(pending.case.stream, pending.case.procedure).sets_grant else pending.case.procedure
        return committed, committed - latest.get((pending.case.recipient_id, key), 0) + pending.amount

    for pending in drafts:
        position = budget_position(fiscal_year=2025, stream="community_support_grant", part="", pending=pending)
        assert (position.committed, position.with_pending) == by_orm(pending)


def test_definition_follows_the_procedure_year():
    from grants.models import ProcedureYear

    f.fiscal_year(2025)
    args = {"stream": "community_support_grant", "part": "", "procedure": "adjustment_grant"}
    ProcedureYear.objects.filter(fiscal_year_id=2025, **args).delete()
    assert procedure_year_definition(fiscal_year=2025, **args)[0]["pre_consultation"] is False
    ProcedureYear.objects.create(fiscal_year_id=2025, definition={"pre_consultation": True}, revision=3, **args)
    definition, revision = procedure_year_definition(fiscal_year=2025, **args)
    assert definition["pre_consultation"] is True and revision == 3


def test_record_hash_is_the_canonical_json_of_the_whole_record():
    """The hash format is fixed: chains written before the prepared INSERT must still verify."""
    officer = f.officer()
    tricky = {"text": "改行\n\"引用\" \\ 😀 \t end", "n": 10**15, "nested": {"prev_hash": "x", "a": [1, None]}}
    with transaction.atomic():
        first = history_append(actor=officer, action="note", subject_type="test", subject_id="1", data=tricky)
        second = history_append(actor=officer, action="note", subject_type="test", subject_id="2", data={"on": date(2025, 4, 1)})
    for entry in (first, second):
        stored = HistoryEntry.objects.get(pk=entry.pk)
        body = {
            "occurred_at": stored.occurred_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
            "actor": stored.actor_id, "actor_role": stored.actor_role, "subject_type": stored.subject_type,
            "subject_id": stored.subject_id, "case": stored.case_id, "fiscal_year": stored.fiscal_year,
            "stream": stored.stream, "recipient": stored.recipient_id, "action": stored.action,
            "source": stored.source, "target": stored.target, "data": stored.data, "prev_hash": stored.prev_hash,
        }
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        assert stored.hash == hashlib.sha256(canonical).hexdigest() == entry_hash(stored) == entry.hash
    assert HistoryEntry.objects.get(pk=second.pk).prev_hash == first.hash
    assert HistoryEntry.objects.get(pk=first.pk).data == tricky
    assert history_verify().ok


def test_an_update_of_a_row_that_is_gone_is_refused_and_writes_nothing():
    """A transition saves the case it locked: an UPDATE matching no row is an error, not a silent no-op."""
    officer = f.officer()
    case = f.case(actor=officer)
    case.pk, case.state = case.pk + 10_000, "requested"
    with pytest.raises(RuntimeError, match="does not exist"), transaction.atomic():
        row_update(case, ["state"])
    assert not Case.objects.filter(state="requested").exists()


def test_the_history_appends_its_record_and_writes_no_other_row():
    """The transition service saves the case; the history module only appends the record of the act."""
    officer = f.officer()
    case = f.case(actor=officer)
    case.state = "requested"  # changed in memory only
    with transaction.atomic():
        entry = history_append(actor=officer, action="note", subject_type="case", subject_id=case.pk, case=case)
    assert HistoryEntry.objects.get(pk=entry.pk).case_id == case.pk
    assert Case.objects.get(pk=case.pk).state == "planned"


def test_the_transition_services_combined_write_refuses_a_gone_row_and_records_nothing():
    """PostgreSQL sends a transition's UPDATEs and its record as one statement; SQLite one after the other.
    Either way a saved row that is gone stops the record."""
    from grants.history import history_record
    from workflows.services import _act_write

    officer = f.officer()
    case = f.case(actor=officer)
    records = HistoryEntry.objects.count()
    record = history_record(actor=officer, action="note", subject_type="case", subject_id=case.pk, case=case)
    case.pk, case.state = case.pk + 10_000, "requested"
    with pytest.raises(RuntimeError, match="does not exist"), transaction.atomic():
        _act_write([(case, ["state"])], record)
    assert HistoryEntry.objects.count() == records


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL; SQLite runs them in turn")
def test_on_postgresql_a_request_stores_its_letter_in_its_records_statement_and_approve_reads_no_draft_apart():
    from django.test.utils import CaptureQueriesContext

    officer, boss = f.officer(), f.supervisor()
    f.budget_notice(2025, "community_support_grant", by=boss)
    case = f.case(actor=officer)
    ahead = (timezone.localdate() + timedelta(days=30)).isoformat()  # a deadline comes after its request
    steps = [("request", officer, {"deadline": ahead}), ("submit", officer, {"amount": 1_000}),
             ("start_review", officer, {}), ("draft", officer, {"amount": 1_000}), ("approve", boss, {})]
    seen = {}
    for name, actor, data in steps:
        with CaptureQueriesContext(connection) as queries:
            case = case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)
        seen[name] = [query["sql"] for query in queries.captured_queries]
    letters = [sql for sql in seen["request"] if "calendars_letter" in sql]
    assert len(letters) == 1 and letters[0].startswith("WITH") and "grants_historyentry" in letters[0]
    assert not [sql for sql in seen["approve"] if sql.startswith("SELECT") and 'FROM "grants_determination" t' in sql]
