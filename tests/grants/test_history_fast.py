"""The chain's hashing and the exports give exactly the hashes and bytes of their first form, record by record
(an XLSX: the same cells read back, since XlsxWriter writes it); verification in worker processes finds what one
process finds; numbers PostgreSQL's ``jsonb`` would respell are refused.

``tests/grants/history_reference.py`` keeps that first form; records here carry
the awkward values the history can hold, on whichever database the suite runs.
"""

import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from grants import checkpoints, history, history_triggers
from grants.history import (
    UnstorableNumber,
    _chain_rows,
    entry_hash,
    history_append,
    history_checkpoint,
    history_verify,
)
from grants.history_export import COLUMNS, EXPORTERS, XLSX_CELL_MAX, history_list_for_auditor
from grants.models import HistoryEntry
from tests import factories as f
from tests.grants import history_reference as reference
from tests.grants.test_history_checkpoints import attacker, rehash_from
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

AWKWARD = [
    {"text": "改行\n\"引用\" \\ 😀 \t\x07 end\u2028", "n": 10**18, "neg": -7, "nested": {"prev_hash": "x", "a": [1, None, {"z": {}, "y": []}]}},
    {"amounts_before": {"国庫": 1_000, "県": None}, "amounts_after": {"国庫": 999, "県": 0}, "reason": "=SUM(A1)", "document_number": "関厚発第1号"},
    {"rate": 0.1, "tiny": 1.5e-7, "huge": 1e15, "whole": 2.0, "third": 1 / 3, "flag": True, "off": False, "none": None},
    {"on": date(2025, 4, 1), "money": Decimal("12.50"), "when": datetime(2025, 4, 1, 9, 30, tzinfo=timezone.UTC)},
    {},
    {"reason": "\ttab first", "amounts_before": {}, "amounts_after": {"total": 1}, "document_number": 12},
    {"keys": {"b": 1, "a": 2, "A": 3, "é": 4, "あ": 5, "😀": 6, "": 7, "10": 8, "9": 9}, "list": ["b", "a"]},
    {"reason": "  _x0041_ spaced ", "document_number": "http://example.org/x", "amounts_after": {"x": "_x000D_"}},
    {"reason": "1e5", "document_number": " ", "note": "#DIV/0!"},
    {"huge": 2**70, "low": -(2**65), "amounts_after": {"x": 2**64, "y": 1.5e-7}, "reason": "e+ e- 0.0000", "f": 1e-5},
]


@pytest.fixture
def awkward_history():
    """Records of every awkward shape, at times with and without microseconds, with and without a case and recipient."""
    officer = f.officer(username="山田")
    case = f.case(actor=officer)
    case_transition(case_id=case.pk, name="request", actor=officer, data={"deadline": "2025-09-01", "occurred_on": "2025-08-01"}, expected_version=1)
    start = datetime(2025, 4, 1, 0, 0, tzinfo=timezone.UTC)
    with transaction.atomic():
        for number, data in enumerate(AWKWARD):
            for micro, with_case in ((0, False), (123_456, True), (1, False)):
                history_append(
                    actor=officer, action="note", subject_type="test", subject_id=f"{number}-{micro}",
                    case=case if with_case else None, data=data,
                    occurred_at=start + timedelta(days=number, hours=15, microseconds=micro),
                )
    return HistoryEntry.objects.count()


def test_the_chain_read_gives_the_reference_hashes(awkward_history):
    fast, slow = list(_chain_rows()), list(reference.chain_rows())
    assert len(fast) == awkward_history > 20
    assert fast == slow
    assert all(stored == computed for _pk, _prev, stored, computed in fast)
    middle = fast[len(fast) // 2][0]
    assert list(_chain_rows(after_id=middle, limit=5)) == list(reference.chain_rows(after_id=middle, limit=5))
    assert list(_chain_rows(after_id=middle)) == list(reference.chain_rows(after_id=middle))
    assert history_verify().ok


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps a time as text, which another writer may spell otherwise")
def test_times_stored_in_another_spelling_read_as_the_orm_reads_them(awkward_history):
    """A time written by another tool (an offset, a 'T', no seconds' fraction) hashes as the ORM reads it."""
    entry = HistoryEntry.objects.order_by("pk").values().last()
    columns = [name for name in entry if name != "id"]
    with connection.cursor() as cursor:
        for number, spelled in enumerate(("2025-04-01T09:00:00+09:00", "2025-04-01 00:00:00.5", "2025-04-01T00:00")):
            values = {**entry, "occurred_at": spelled, "hash": f"{number:064d}", "data": "{\"a\": 1}"}
            cursor.execute(
                f"INSERT INTO {HistoryEntry._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                [values[name] for name in columns],
            )
    assert list(_chain_rows()) == list(reference.chain_rows())


def workbook_cells(data: bytes) -> dict:
    """Every sheet's cells as openpyxl reads them back: position, value and type (text, number, formula...)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [
            [(column, cell.value, cell.data_type) for column, cell in enumerate(row) if cell.value is not None]
            for row in sheet.iter_rows()
        ]
        for sheet in workbook.worksheets
    }


def _unescaped(cells: dict) -> dict:
    """XlsxWriter escapes a text's own "_xHHHH_" as "_x005F_xHHHH_", as the format asks (Excel then shows the text
    as recorded); openpyxl wrote it bare, which Excel reads as the character HHHH, and reads the escape back as is."""
    escaped = re.compile(r"_x005F_(?=x[0-9A-Fa-f]{4}_)")
    return {
        name: [[(column, escaped.sub("_", value) if kind == "s" else value, kind) for column, value, kind in row]
               for row in rows]
        for name, rows in cells.items()
    }


def _same_workbook(new: bytes, old: bytes) -> None:
    """The same sheets and cells read back (XlsxWriter writes other bytes than openpyxl did: docs/dependencies.md)."""
    a, b = _unescaped(workbook_cells(new)), workbook_cells(old)
    assert list(a) == list(b)
    for name in a:
        assert len(a[name]) == len(b[name]), name
        for number, (row, other) in enumerate(zip(a[name], b[name])):
            assert row == other, (name, number)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_each_export_gives_the_reference_bytes(awkward_history, fmt):
    auditor = f.auditor()
    with transaction.atomic():  # a record whose texts a spreadsheet would take for a formula or an error
        history_append(actor=auditor, action="-1", subject_type="@x", subject_id="#N/A", source="=A1", target="+1",
                       data={"reason": "=HYPERLINK(\"x\")", "document_number": "#REF!", "amounts_before": -5,
                             "amounts_after": "-"})
    history_checkpoint()
    checkpoint = checkpoints.latest_in_database()
    everything = history_list_for_auditor(actor=auditor, export=True)
    some = history_list_for_auditor(actor=auditor, export=True, case=HistoryEntry.objects.exclude(case=None).first().case_id)
    for entries in (everything, some):
        fast = b"".join(EXPORTERS[fmt][0](entries, checkpoint))
        slow = b"".join(reference.EXPORTERS[fmt](entries, checkpoint))
        if fmt == "xlsx":
            _same_workbook(fast, slow)
        else:
            assert fast == slow
    if fmt != "xlsx":
        assert "山田".encode() in fast  # non-ASCII written as itself


# --- verification in parallel: the same findings as one process ------------------------------------


def _tamper(record_id: int, data=None) -> None:
    """What a database owner could do: lift the append-only triggers and rewrite one record's data in place."""
    _tamper_text(record_id, json.dumps(data, default=str) if data is not None else '{"a": 2}')


def _tamper_text(record_id: int, text: str) -> None:
    """``_tamper`` with the stored text as given (PostgreSQL's ``jsonb`` keeps what it can parse, in its own spelling;
    on SQLite the column's JSON check is lifted too, so a text such as NaN can be written)."""
    history_triggers.drop(connection)
    sqlite = connection.vendor == "sqlite"
    try:
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute("PRAGMA ignore_check_constraints = ON")
            cursor.execute(f"UPDATE {HistoryEntry._meta.db_table} SET data = %s WHERE id = %s", [text, record_id])
    finally:
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        history_triggers.install(connection)


def _same_findings(workers: int) -> dict:
    serial, parallel = history_verify().as_dict(), history_verify(workers=workers).as_dict()
    assert parallel == serial
    return parallel


def test_verification_cut_into_segments_names_the_record_one_process_names(awkward_history):
    """Inside a transaction the segments are checked in this process, through the same cutting and joining."""
    history_checkpoint()
    assert _same_findings(workers=3)["ok"]
    victim = HistoryEntry.objects.order_by("pk").values_list("pk", flat=True)[awkward_history // 2]
    _tamper(victim)
    found = _same_findings(workers=3)
    assert (found["ok"], found["code"], found["first_broken_id"]) == (False, "record_altered", victim)


def test_worker_processes_find_the_tampered_record_by_id(live_db):
    """Committed records, checked by two worker processes with their own connections."""
    officer = f.officer(username="山田")
    with transaction.atomic():
        for number in range(60):
            history_append(actor=officer, action="note", subject_type="test", subject_id=str(number),
                           data=AWKWARD[number % len(AWKWARD)])
    history_checkpoint()
    assert _same_findings(workers=2)["checked"] == 60
    ids = list(HistoryEntry.objects.order_by("pk").values_list("pk", flat=True))
    for victim in (ids[0], ids[37], ids[-1]):  # the first segment's first record, one inside, the last segment's last
        _tamper(victim)
        found = _same_findings(workers=2)
        assert (found["ok"], found["code"], found["first_broken_id"]) == (False, "record_altered", victim)
        _tamper(victim, AWKWARD[ids.index(victim) % len(AWKWARD)])  # put back: the next victim is then the first
        assert history_verify(workers=2).ok


def _segment_joins(workers: int) -> list[int]:
    """The ids the second and later segments start at, as ``_segments_checked`` cuts the chain for ``workers``."""
    ids = list(HistoryEntry.objects.order_by("pk").values_list("pk", flat=True))
    size = -(-(ids[-1] - ids[0] + 1) // (workers * history._SEGMENTS_PER_WORKER))
    return [pk for pk in ids if pk != ids[0] and (pk - ids[0]) % size == 0]


def _rewrite(record_id: int, **columns) -> None:
    """Rewrite columns of one record behind the database's back (the append-only triggers lifted)."""
    history_triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            sets = ", ".join(f"{name} = %s" for name in columns)
            cursor.execute(f"UPDATE {HistoryEntry._meta.db_table} SET {sets} WHERE id = %s", [*columns.values(), record_id])
    finally:
        history_triggers.install(connection)


def _rehashed(record_id: int, **columns) -> None:
    """Rewrite a record and give it the hash of its new content: its own hash holds, the next record's link does not."""
    _rewrite(record_id, **columns)
    entry = HistoryEntry.objects.get(pk=record_id)
    _rewrite(record_id, hash=entry_hash(entry))


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_a_link_broken_where_two_segments_join_is_named_as_one_process_names_it(awkward_history, signed):
    """The last record of a segment rewritten with a hash of its own: the next segment's first record no longer
    links to it (unsigned), or the record differs from what a checkpoint signed (signed)."""
    if signed:
        history_checkpoint()
    join = _segment_joins(workers=2)[1]
    before = HistoryEntry.objects.filter(pk__lt=join).order_by("-pk").values_list("pk", flat=True).first()
    _rehashed(before, action="forged")
    found = _same_findings(workers=2)
    if signed:
        assert (found["code"], found["first_broken_id"]) == ("record_altered", before)
        assert "differs from what checkpoint #1 signed" in found["problem"]
    else:
        assert (found["code"], found["first_broken_id"]) == ("link_broken", join)
    assert found["checked"] == HistoryEntry.objects.filter(pk__lt=found["first_broken_id"]).count()


def test_a_record_cut_where_two_segments_join_is_named_as_one_process_names_it(awkward_history):
    history_checkpoint()
    assert _same_findings(workers=2)["ok"]
    cut = _segment_joins(workers=2)[2]
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id = %s", [cut])
    found = _same_findings(workers=2)
    assert (found["code"], found["first_broken_id"]) == ("record_missing", cut)


def test_a_record_slipped_in_where_two_segments_join_is_named_as_one_process_names_it(awkward_history):
    gap = _segment_joins(workers=2)[2]
    with attacker() as cursor:  # a gap in the ids, as a rolled-back insert leaves on PostgreSQL
        cursor.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id = %s", [gap])
        rehash_from(cursor, gap)
    history_checkpoint()
    assert _same_findings(workers=2)["ok"]
    copied = HistoryEntry.objects.filter(pk__lt=gap).order_by("-pk").values_list("pk", flat=True).first()
    with attacker() as cursor:
        cursor.execute(
            f"INSERT INTO {HistoryEntry._meta.db_table} (id, occurred_at, actor_id, actor_role, subject_type, subject_id, "
            "action, source, target, stream, data, prev_hash, hash) SELECT %s, occurred_at, actor_id, actor_role, "
            f"subject_type, subject_id, 'forged', source, target, stream, data, prev_hash, 'x' "
            f"FROM {HistoryEntry._meta.db_table} WHERE id = %s",
            [gap, copied],
        )
        rehash_from(cursor, gap)
    found = _same_findings(workers=2)
    assert (found["code"], found["first_broken_id"]) == ("record_inserted", gap)


@pytest.mark.parametrize("where", [2, 1], ids=["between-pages", "inside-a-page"])
def test_a_link_broken_inside_a_segment_is_named(awkward_history, monkeypatch, where):
    """A segment read in pages of three records: the links inside a page and between two pages are checked."""
    monkeypatch.setattr(history, "_CHAIN_PAGE", 3)
    monkeypatch.setattr(history, "_SEGMENTS_PER_WORKER", 1)
    assert _same_findings(workers=2)["ok"]
    ids = list(HistoryEntry.objects.order_by("pk").values_list("pk", flat=True))
    joins = set(_segment_joins(workers=2))
    victim = next(pk for number, pk in enumerate(ids) if number % 3 == where and ids[number + 1] not in joins)
    _rehashed(victim, subject_id="rewritten")
    found = _same_findings(workers=2)
    assert (found["code"], found["first_broken_id"]) == ("link_broken", ids[ids.index(victim) + 1])


def test_a_record_moved_to_another_id_is_named_missing_as_one_process_names_it(awkward_history):
    """Its content, hash and links unchanged (the hash does not cover the id), only its id: the id a checkpoint
    lists is missing."""
    gap = _segment_joins(workers=2)[2]
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id = %s", [gap])
        rehash_from(cursor, gap)
    history_checkpoint()
    moved = HistoryEntry.objects.filter(pk__lt=gap).order_by("-pk").values_list("pk", flat=True).first()
    _rewrite(moved, id=gap)
    found = _same_findings(workers=2)
    assert (found["code"], found["first_broken_id"]) == ("record_missing", moved)


def test_a_checkpoint_whose_count_the_chain_does_not_match_is_named_at_its_head(awkward_history):
    """A checkpoint signed with the trusted key that says its head is another record of the chain than it is."""
    rows = list(HistoryEntry.objects.order_by("pk").values_list("pk", "hash"))
    signed = checkpoints.sign(
        {"seq": 1, "head_id": rows[-1][0], "head_hash": rows[-1][1], "count": len(rows) + 1,
         "signed_at": "2026-01-01T00:00:00+00:00", "prev": checkpoints.GENESIS,
         "records": [[pk, digest[: checkpoints.HASH_PREFIX]] for pk, digest in rows]},
        checkpoints.signing_key(),
    )
    checkpoints.save(signed)
    found = _same_findings(workers=2)
    assert (found["code"], found["first_broken_id"]) == ("record_altered", rows[-1][0])
    assert "is not the head checkpoint #1 signed" in found["problem"]


def test_the_time_read_as_text_gives_the_orm_s_canonical_time_at_the_ends_of_the_calendar():
    """PostgreSQL writes a record's time as text and SQLite's stored text is rearranged: the same text as the ORM's
    time in ``isoformat``, years before 1000 and microseconds at their ends included."""
    officer = f.officer()
    with transaction.atomic():
        for occurred_at in (datetime(1, 1, 1, tzinfo=timezone.UTC), datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.UTC),
                            datetime(2025, 3, 31, 15, 0, 0, 1, tzinfo=timezone.UTC), datetime(9999, 12, 31, 14, 59, 59, tzinfo=timezone.UTC)):
            history_append(actor=officer, action="note", subject_type="test", subject_id="1", occurred_at=occurred_at)
    assert list(_chain_rows()) == list(reference.chain_rows())
    assert history_verify().ok


def test_a_directory_copy_spelled_otherwise_is_read_and_one_edited_is_refused(awkward_history, checkpoint_dir):
    """A checkpoint file that is not the text the application writes is parsed and checked on its own."""
    [signed] = history_checkpoint()
    checkpoints.write_to_directory([signed])  # on commit, which this test's transaction never reaches
    [path] = checkpoint_dir.glob("checkpoint-*.json")
    path.chmod(0o644)
    path.write_text(json.dumps(signed.as_dict(), indent=2))  # the same values, spelled otherwise
    assert history_verify().ok
    edited = {**signed.as_dict(), "records": [[pk, "0" * 16] for pk, _prefix in signed.records]}
    path.write_text(json.dumps(edited, sort_keys=True) + "\n")
    found = history_verify().as_dict()
    assert [problem["code"] for problem in found["problems"]] == ["checkpoint_forged"]
    assert "does not verify" in found["problems"][0]["message"] and str(path) in found["problems"][0]["message"]


def test_worker_processes_name_a_link_broken_where_their_segments_join(live_db):
    """Committed records, checked by two worker processes: a record rewritten with a hash of its own at the end of
    the first segment, so the second segment's first record no longer links to it."""
    officer = f.officer(username="山田")
    with transaction.atomic():
        for number in range(60):
            history_append(actor=officer, action="note", subject_type="test", subject_id=str(number),
                           data=AWKWARD[number % len(AWKWARD)])
    assert history_verify(workers=2).ok
    join = _segment_joins(workers=2)[0]
    _rehashed(join - 1, subject_id="rewritten")
    found = _same_findings(workers=2)
    assert (found["ok"], found["code"], found["first_broken_id"]) == (False, "link_broken", join)


# --- numbers the database would keep as another number ---------------------------------------------


@pytest.mark.parametrize("value", [1e16, -2.5e20, 1.7976931348623157e308, -0.0, float("nan"), float("inf")])
def test_a_float_the_database_would_respell_is_refused_and_nothing_is_written(value):
    officer = f.officer()
    before = HistoryEntry.objects.count()
    with pytest.raises(UnstorableNumber) as refused, transaction.atomic():
        history_append(actor=officer, action="note", subject_type="test", subject_id="1",
                       data={"nested": [{"amount": value}]})
    assert refused.value.http_status == 422 and refused.value.code == "history_number_unstorable"
    assert HistoryEntry.objects.count() == before


def test_numbers_the_database_keeps_exactly_are_recorded_and_verify():
    officer = f.officer()
    data = {"yen": 10**18, "rate": 0.1, "tiny": 1.5e-7, "small": 1e-05, "below": 9_999_999_999_999_998.0, "whole": 2.0,
            "zero": 0.0, "negative": -3.5}
    with transaction.atomic():
        entry = history_append(actor=officer, action="note", subject_type="test", subject_id="1", data=data)
    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert stored.data == data and json.dumps(stored.data, sort_keys=True) == json.dumps(data, sort_keys=True)
    assert history_verify().ok


def test_a_text_longer_than_a_worksheet_cell_is_cut_visibly_in_xlsx_and_kept_whole_elsewhere():
    """A national payment run's data runs past 32,767 characters, the most a worksheet cell holds."""
    auditor = f.auditor()
    recipients = {f"{code:06d}": code * 1_000 + 1 for code in range(100_000, 101_741)}
    with transaction.atomic():
        history_append(actor=auditor, action="payment_run_execute", subject_type="payment_run", subject_id="1",
                       data={"recipients": recipients, "reason": "😀" * 20_000})
    entries = history_list_for_auditor(actor=auditor, export=True)
    cells = workbook_cells(b"".join(EXPORTERS["xlsx"][0](entries, None)))["history"]
    by_column = {COLUMNS[column]: value for column, value, _kind in cells[1]}
    data = json.dumps(HistoryEntry.objects.get().data, ensure_ascii=False, sort_keys=True)
    assert len(data.encode("utf-16-le")) // 2 > XLSX_CELL_MAX
    assert len(by_column["data"].encode("utf-16-le")) // 2 == XLSX_CELL_MAX
    assert by_column["data"].endswith("…") and data.startswith(by_column["data"][:-1])
    reason = by_column["reason"]  # 20,000 emoji are 40,000 UTF-16 units: cut between two, never inside one
    assert reason == "😀" * 16_383 + "…"
    jsonl = b"".join(EXPORTERS["jsonl"][0](entries, None)).decode().splitlines()
    assert json.loads(jsonl[0])["data"] == HistoryEntry.objects.get().data
    assert data in b"".join(EXPORTERS["csv"][0](entries, None)).decode("utf-8-sig").replace('""', '"')


def test_the_refusal_names_the_number_in_japanese_by_default():
    with pytest.raises(UnstorableNumber) as refused, transaction.atomic():
        history_append(actor=f.officer(), action="note", subject_type="test", subject_id="1", data={"yen": 1e16})
    assert str(refused.value.message) == (
        "履歴の記録に数値 1e+16 が含まれていますが、データベースでは別の数値として保存されてしまいます。金額は整数（円）で記録してください。"
    )
