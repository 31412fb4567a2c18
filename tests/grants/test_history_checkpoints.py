"""Signed checkpoints keep the history from being cut or re-hashed quietly.

Each tampering test does what an attacker holding the database owner's role
could: lift the append-only triggers and rewrite rows with plain SQL. The
signing key is not in the database, so the attacker cannot sign what they made.
"""

import base64
import csv
import io
import itertools
import json
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import checkpoints, history_triggers
from grants.history import ChainBroken, entry_hash, history_checkpoint, history_verify
from grants.models import HistoryCheckpoint, HistoryEntry
from tests import factories as f
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
HISTORY = HistoryEntry._meta.db_table
CHECKPOINTS = HistoryCheckpoint._meta.db_table


@pytest.fixture
def checkpoint(django_capture_on_commit_callbacks):
    """Sign a checkpoint as the command does, and let its copies reach the directory (written on commit)."""

    def sign():
        with django_capture_on_commit_callbacks(execute=True):
            return history_checkpoint()

    return sign


_towns = itertools.count(1)


def add_history(cases=1):
    """Cases for new towns, each requested and submitted; every record of the history so far."""
    officer = f.officer()
    for _ in range(cases):
        town = next(_towns)
        case = f.case(actor=officer, recipient=f.town(town))
        case = case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
        case_transition(case_id=case.pk, name="submit", actor=officer, data={"amount": 10}, expected_version=2)
    return list(HistoryEntry.objects.order_by("pk"))


@contextmanager
def attacker():
    """A privileged connection's powers: the append-only triggers lifted while the block runs."""
    history_triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        history_triggers.install(connection)


def rehash_from(cursor, first_id):
    """Recompute every hash from ``first_id`` on, so the chain's own links hold again."""
    entries = list(HistoryEntry.objects.order_by("pk"))
    previous = None
    for entry in entries:
        if entry.pk >= first_id:
            entry.prev_hash = previous.hash if previous else checkpoints.GENESIS
            entry.hash = entry_hash(entry)
            cursor.execute(
                f"UPDATE {HISTORY} SET prev_hash = %s, hash = %s WHERE id = %s", [entry.prev_hash, entry.hash, entry.pk]
            )
        previous = entry


def problem_codes(result):
    return [problem["code"] for problem in result.problems]


# --- signing ----------------------------------------------------------------------------------------


def test_a_checkpoint_signs_the_head_and_is_kept_in_the_database_and_the_directory(checkpoint, checkpoint_dir):
    entries = add_history()
    [signed] = checkpoint()
    head = entries[-1]
    assert (signed.seq, signed.head_id, signed.head_hash, signed.count) == (1, head.pk, head.hash, len(entries))
    assert [record_id for record_id, _ in signed.records] == [entry.pk for entry in entries]
    assert checkpoints.authenticate(signed, checkpoints.trusted_keys()) == ""
    assert checkpoints.from_database() == [signed]
    [copy] = checkpoints.from_directory()
    assert copy.as_dict() == signed.as_dict() and copy.source.startswith("directory")
    result = history_verify()
    assert result.ok and (result.checkpoints, result.anchored_id, result.unanchored) == (1, entries[-1].pk, 0)


def test_nothing_new_is_signed_twice_and_later_records_get_the_next_checkpoint(checkpoint):
    add_history()
    [first] = checkpoint()
    assert checkpoint() == []
    entries = add_history()
    [second] = checkpoint()
    assert (second.seq, second.count, second.head_id) == (2, len(entries), entries[-1].pk)
    assert second.fields["prev"] == first.digest()
    assert second.records[0][0] == first.head_id + 1
    assert history_verify().ok


def test_a_checkpoint_covers_at_most_the_configured_number_of_records(checkpoint, settings):
    settings.HISTORY_CHECKPOINT_EVERY = 3
    entries = add_history(cases=2)
    signed = checkpoint()
    full, rest = divmod(len(entries), 3)
    assert [len(one.records) for one in signed] == [3] * full + ([rest] if rest else [])
    assert [one.seq for one in signed] == list(range(1, len(signed) + 1))
    result = history_verify()
    assert result.ok and result.checkpoints == len(signed)


def test_the_application_signs_after_every_nth_record_once_the_act_commits(settings, django_capture_on_commit_callbacks):
    settings.HISTORY_CHECKPOINT_EVERY = 1
    officer = f.officer()
    case = f.case(actor=officer)
    assert HistoryCheckpoint.objects.count() == 0  # the factory's acts did not commit (no callbacks ran)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, name="request", actor=officer, data={}, expected_version=1)
    latest = checkpoints.latest_in_database()
    assert latest is not None and latest.head_id == HistoryEntry.objects.latest("pk").pk
    assert history_verify().ok


def test_a_verifier_with_only_the_public_key_checks_the_signatures(checkpoint, settings, tmp_path):
    add_history()
    checkpoint()
    public = tmp_path / "public.pem"
    public.write_bytes(checkpoints.signing_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ))
    settings.HISTORY_SIGNING_KEY_FILE = ""
    settings.HISTORY_PUBLIC_KEY_FILES = [str(public)]
    result = history_verify()
    assert result.ok and result.checkpoints == 1
    settings.HISTORY_PUBLIC_KEY_FILES = []
    result = history_verify()  # no key at all: a checkpoint nobody can check is not taken on trust
    assert not result.ok and problem_codes(result) == ["checkpoint_forged", "checkpoint_forged"]


def test_no_signing_key_is_a_refusal_with_a_clear_message(settings):
    add_history()
    settings.HISTORY_SIGNING_KEY_FILE = ""
    settings.HISTORY_DEV_SIGNING_KEY_FILE = ""
    with pytest.raises(CommandError, match="signing_key_missing: No key to sign history checkpoints"):
        call_command("history_checkpoint")
    settings.HISTORY_SIGNING_KEY_FILE = "/nonexistent/key.pem"
    with pytest.raises(CommandError, match="/nonexistent/key.pem cannot be read"):
        call_command("history_checkpoint")
    assert HistoryCheckpoint.objects.count() == 0


# --- tampering --------------------------------------------------------------------------------------


def test_deleting_the_newest_records_is_caught_and_the_first_missing_one_named(checkpoint):
    entries = add_history(cases=2)
    checkpoint()
    cut = entries[-3:]
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id >= %s", [cut[0].pk])
    result = history_verify()
    assert not result.ok and result.code == "record_missing" and result.first_broken_id == cut[0].pk
    assert result.checked == len(entries) - 3 and f"#{cut[0].pk}" in result.problem


def test_rewriting_a_record_and_rehashing_everything_after_it_is_caught_at_that_record(checkpoint):
    entries = add_history(cases=2)
    checkpoint()
    victim = entries[4]
    with attacker() as cursor:
        cursor.execute(f"UPDATE {HISTORY} SET data = %s WHERE id = %s", ['{"fields": {"amount": 999999}}', victim.pk])
        rehash_from(cursor, victim.pk)
    # The chain alone holds together again ...
    rows = list(HistoryEntry.objects.order_by("pk"))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    assert all(entry_hash(row) == row.hash for row in rows)
    # ... but not against what was signed.
    result = history_verify()
    assert not result.ok and result.code == "record_altered" and result.first_broken_id == victim.pk
    assert result.checked == 4


def test_a_record_slipped_into_a_gap_is_named(checkpoint):
    entries = add_history()
    with attacker() as cursor:  # a gap in the ids, as a rolled-back insert leaves on PostgreSQL
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [entries[-1].pk])
    add_history()
    checkpoint()
    assert history_verify().ok
    forged = HistoryEntry.objects.get(pk=entries[-2].pk)
    with attacker() as cursor:
        cursor.execute(
            f"INSERT INTO {HISTORY} (id, occurred_at, actor_id, actor_role, subject_type, subject_id, action, source, "
            "target, stream, data, prev_hash, hash) SELECT %s, occurred_at, actor_id, actor_role, subject_type, "
            f"subject_id, 'forged', source, target, stream, data, prev_hash, 'x' FROM {HISTORY} WHERE id = %s",
            [entries[-1].pk, forged.pk],
        )
        rehash_from(cursor, entries[-1].pk)
    result = history_verify()
    assert not result.ok and result.code == "record_inserted" and result.first_broken_id == entries[-1].pk


def test_deleting_checkpoints_from_the_database_is_caught_by_the_copies_outside_it(checkpoint, settings):
    settings.HISTORY_CHECKPOINT_EVERY = 2
    entries = add_history(cases=2)
    signed = checkpoint()
    assert len(signed) >= 3
    kept = signed[0]
    # Delete the newer checkpoints, then cut the chain back to the one left: the database agrees with itself.
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {CHECKPOINTS} WHERE seq > %s", [kept.seq])
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id > %s", [kept.head_id])
    assert [one.seq for one in checkpoints.from_database()] == [kept.seq]
    result = history_verify()
    assert not result.ok
    assert result.code == "record_missing" and result.first_broken_id == signed[1].records[0][0]
    missing = [problem["checkpoint"] for problem in result.problems if problem["code"] == "checkpoint_missing"]
    assert missing == [one.seq for one in signed[1:]]
    assert len(entries) > kept.count


def test_a_checkpoint_deleted_everywhere_leaves_a_gap_in_the_numbers(checkpoint, settings, checkpoint_dir):
    settings.HISTORY_CHECKPOINT_EVERY = 2
    add_history(cases=2)
    signed = checkpoint()
    middle = signed[1]
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {CHECKPOINTS} WHERE seq = %s", [middle.seq])
    (checkpoint_dir / f"checkpoint-{middle.seq:09d}.json").unlink()
    result = history_verify()
    assert not result.ok and result.first_broken_id is None
    assert {"code": "checkpoint_missing", "message": f"checkpoint #{middle.seq} is missing everywhere",
            "record": None, "checkpoint": middle.seq} in result.problems


def test_an_export_kept_by_an_auditor_catches_a_cut_after_every_other_copy_is_gone(checkpoint, settings, api, tmp_path):
    entries = add_history()
    api.force_authenticate(f.auditor())
    export = tmp_path / "history.jsonl"
    export.write_bytes(b"".join(api.get("/api/history/export?format=jsonl").streaming_content))
    settings.HISTORY_CHECKPOINT_DIR = ""  # the directory is lost too
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {CHECKPOINTS}")
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id >= %s", [entries[-2].pk])
    assert history_verify().ok  # nothing left in reach tells
    result = history_verify(sources=checkpoints.from_file(export))
    assert not result.ok and result.first_broken_id == entries[-2].pk
    with pytest.raises(CommandError, match=f"record_missing: records from #{entries[-2].pk} on are missing"):
        call_command("history_verify", "--checkpoints", str(export))


def test_a_checkpoint_forged_with_another_key_is_refused(checkpoint):
    entries = add_history(cases=2)
    checkpoint()
    victim = entries[2]
    with attacker() as cursor:
        cursor.execute(f"UPDATE {HISTORY} SET action = 'forged' WHERE id = %s", [victim.pk])
        rehash_from(cursor, victim.pk)
        cursor.execute(f"DELETE FROM {CHECKPOINTS}")
    rows = list(HistoryEntry.objects.order_by("pk"))
    fake = checkpoints.sign(
        {"seq": 1, "head_id": rows[-1].pk, "head_hash": rows[-1].hash, "count": len(rows),
         "signed_at": "2026-01-01T00:00:00+00:00",
         "prev": checkpoints.GENESIS, "records": [[row.pk, row.hash[:16]] for row in rows]},
        Ed25519PrivateKey.generate(),
    )
    checkpoints.save(fake)
    result = history_verify()
    assert not result.ok
    assert "checkpoint_forged" in problem_codes(result)
    assert any("does not trust" in problem["message"] for problem in result.problems)
    # The directory's genuine copy still names the rewritten record.
    assert result.first_broken_id == victim.pk


def test_a_checkpoint_edited_under_its_signature_is_refused(checkpoint, settings):
    settings.HISTORY_CHECKPOINT_DIR = ""
    entries = add_history()
    [signed] = checkpoint()
    edited = {**signed.fields, "count": signed.count - 1, "head_id": entries[-2].pk, "head_hash": entries[-2].hash,
              "records": signed.records[:-1]}
    with attacker() as cursor:
        cursor.execute(
            f"UPDATE {CHECKPOINTS} SET payload = %s, head_id = %s", [checkpoints.canonical(edited), entries[-2].pk]
        )
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [entries[-1].pk])
    result = history_verify()
    assert not result.ok and problem_codes(result) == ["checkpoint_forged"]
    assert "signature does not verify" in result.problem


def test_a_database_checkpoint_stored_in_another_spelling_still_verifies(checkpoint, settings):
    """Its signature is checked over the stored text first; a text spelled otherwise, with the same fields, is
    checked over the canonical text of its fields, as any copy is; fields edited under it are refused."""
    settings.HISTORY_CHECKPOINT_DIR = ""
    entries = add_history()
    [signed] = checkpoint()
    respelled = json.dumps(dict(reversed(list(signed.fields.items()))), indent=1)
    assert respelled != HistoryCheckpoint.objects.get(seq=1).payload
    with attacker() as cursor:
        cursor.execute(f"UPDATE {CHECKPOINTS} SET payload = %s", [respelled])
    result = history_verify()
    assert result.ok and result.checkpoints == 1 and result.anchored_id == entries[-1].pk
    edited = json.dumps({**signed.fields, "signed_at": "2000-01-01T00:00:00+00:00"}, indent=1)
    with attacker() as cursor:
        cursor.execute(f"UPDATE {CHECKPOINTS} SET payload = %s", [edited])
    result = history_verify()
    assert not result.ok and problem_codes(result) == ["checkpoint_forged"]


def test_no_checkpoint_is_signed_over_a_tampered_chain(checkpoint):
    entries = add_history()
    checkpoint()
    add_history()
    with attacker() as cursor:
        cursor.execute(f"UPDATE {HISTORY} SET action = 'forged' WHERE id = %s", [entries[1].pk])
        rehash_from(cursor, entries[1].pk)
    with pytest.raises(ChainBroken):
        checkpoint()
    with pytest.raises(CommandError, match="history_chain_broken: The last checkpoint \\(#1\\) no longer matches"):
        call_command("history_checkpoint")
    assert HistoryCheckpoint.objects.count() == 1


@pytest.mark.parametrize("tamper", ["delete", "rewrite"])
def test_the_signer_refuses_when_a_record_the_last_checkpoint_lists_is_gone_or_rewritten(checkpoint, tamper):
    """A record in the middle of what the last checkpoint lists: the head still matches, the list does not."""
    entries = add_history(cases=2)
    checkpoint()
    add_history()
    victim = entries[len(entries) // 2]
    with attacker() as cursor:
        if tamper == "delete":
            cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [victim.pk])
        else:
            cursor.execute(f"UPDATE {HISTORY} SET hash = %s WHERE id = %s", ["f" * 64, victim.pk])
    with pytest.raises(ChainBroken, match="The last checkpoint \\(#1\\) no longer matches"):
        checkpoint()
    assert HistoryCheckpoint.objects.count() == 1


def test_the_signer_refuses_a_last_checkpoint_edited_to_list_nothing_before_reading_its_list(checkpoint, settings):
    """An edited checkpoint's fields are not read before its signature: an empty list is a refusal, not a crash."""
    settings.HISTORY_CHECKPOINT_DIR = ""
    add_history()
    [signed] = checkpoint()
    with attacker() as cursor:
        cursor.execute(f"UPDATE {CHECKPOINTS} SET payload = %s", [checkpoints.canonical({**signed.fields, "records": []})])
    add_history()
    with pytest.raises(ChainBroken, match="The last checkpoint \\(#1\\) no longer matches"):
        checkpoint()


def test_the_signer_checks_the_last_checkpoints_records_only_and_verify_checks_the_rest(checkpoint, settings):
    """What the signer reads does not grow with the history: a record cut from under an older checkpoint is
    history_verify's to find (it names it), not the signer's, which reads the last checkpoint's records only."""
    settings.HISTORY_CHECKPOINT_EVERY = 2
    entries = add_history(cases=2)
    signed = checkpoint()
    assert len(signed) == len(entries) // 2 > 2
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [entries[0].pk])
    add_history()
    with CaptureQueriesContext(connection) as queries:
        assert len(checkpoint()) == 2
    reads = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert reads == []  # no record is counted: the last checkpoint's two are read, and the new ones
    result = history_verify()
    assert not result.ok and result.code == "record_missing" and result.first_broken_id == entries[0].pk


# --- exports and the command line -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_every_export_carries_a_checkpoint_signed_when_it_was_made(api, fmt, tmp_path):
    entries = add_history()
    api.force_authenticate(f.auditor())
    response = api.get(f"/api/history/export?format={fmt}&case={entries[0].case_id}")
    path = tmp_path / f"history.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    [carried] = checkpoints.from_file(path)
    assert carried.source == str(path)
    assert (carried.head_id, carried.count) == (entries[-1].pk, len(entries))
    assert checkpoints.authenticate(carried, checkpoints.trusted_keys()) == ""
    assert checkpoints.from_database()[-1].as_dict() == carried.as_dict()


def test_the_csv_trailer_is_one_row_in_the_same_columns(api):
    add_history()
    api.force_authenticate(f.auditor())
    body = b"".join(api.get("/api/history/export?format=csv").streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[-1]["id"] == "checkpoint" and json.loads(rows[-1]["data"])["seq"] == 1
    assert all(value == "" for name, value in rows[-1].items() if name not in ("id", "data"))


def test_an_empty_history_exports_a_null_checkpoint(api, tmp_path):
    api.force_authenticate(f.auditor())
    body = b"".join(api.get("/api/history/export?format=jsonl").streaming_content)
    assert body == b'{"checkpoint": null}\n'
    path = tmp_path / "empty.jsonl"
    path.write_bytes(body)
    with pytest.raises(CommandError, match="holds no checkpoint"):
        call_command("history_verify", "--checkpoints", str(path))


def test_history_checkpoint_and_verify_commands_report_and_exit(capsys, checkpoint_dir):
    entries = add_history()
    call_command("history_checkpoint")
    out = capsys.readouterr().out
    assert f"checkpoint #1: record #{entries[-1].pk} is record {len(entries)} of the chain" in out
    call_command("history_checkpoint")
    assert f"no new records: checkpoint #1 already signs record #{entries[-1].pk}" in capsys.readouterr().out
    call_command("history_verify")
    assert f"ok: {len(entries)} records" in capsys.readouterr().out
    call_command("history_verify", "--json")
    assert json.loads(capsys.readouterr().out)["anchored_id"] == entries[-1].pk
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError, match=f"record_missing: records from #{entries[-1].pk} on are missing"):
        call_command("history_verify")


def test_the_checkpoint_command_copies_checkpoints_the_directory_lacks(checkpoint_dir, settings):
    add_history()
    settings.HISTORY_CHECKPOINT_DIR = ""
    call_command("history_checkpoint")  # the directory was not configured (or was lost)
    settings.HISTORY_CHECKPOINT_DIR = str(checkpoint_dir)
    call_command("history_checkpoint")
    assert [one.seq for one in checkpoints.from_directory()] == [1]


def test_unreadable_checkpoint_files_are_refused(tmp_path):
    text = tmp_path / "notes.json"
    text.write_text("not json")
    with pytest.raises(CommandError, match="holds no readable checkpoint"):
        call_command("history_verify", "--checkpoints", str(text))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("history_verify", "--checkpoints", str(tmp_path / "missing.jsonl"))


def test_the_verify_api_names_the_first_missing_record(api, checkpoint):
    entries = add_history()
    checkpoint()
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {HISTORY} WHERE id = %s", [entries[-1].pk])
    api.force_authenticate(f.auditor())
    body = api.get("/api/history/verify").json()
    assert body["ok"] is False and body["first_broken_id"] == entries[-1].pk and body["code"] == "record_missing"
    assert body["latest_checkpoint"]["head_id"] == entries[-1].pk


def test_signatures_are_base64_ed25519_over_the_canonical_text(checkpoint):
    add_history()
    [signed] = checkpoint()
    raw = base64.b64decode(signed.signature)
    assert len(raw) == 64
    signed_text = HistoryCheckpoint.objects.get(seq=1).payload
    assert signed_text == checkpoints.canonical(json.loads(signed_text))
    checkpoints.signing_key().public_key().verify(raw, signed_text.encode())


def test_a_long_unsigned_stretch_is_signed_a_checkpoint_at_a_time_up_to_a_break(checkpoint, settings):
    """Each checkpoint commits on its own: a record that does not verify stops the signing there, not before."""
    settings.HISTORY_CHECKPOINT_EVERY = 2
    entries = add_history(cases=2)
    with attacker() as cursor:
        cursor.execute(f"UPDATE {HISTORY} SET action = 'forged' WHERE id = %s", [entries[4].pk])
    with pytest.raises(ChainBroken, match=f"Record #{entries[4].pk} does not verify"):
        checkpoint()
    assert [(one.seq, one.head_id) for one in checkpoints.from_database()] == [(1, entries[1].pk), (2, entries[3].pk)]


def test_a_record_slipped_in_before_the_first_is_named(checkpoint):
    entries = add_history()
    checkpoint()
    first = entries[0]
    with attacker() as cursor:
        cursor.execute(
            f"INSERT INTO {HISTORY} (id, occurred_at, actor_id, actor_role, subject_type, subject_id, action, source, "
            "target, stream, data, prev_hash, hash) SELECT %s, occurred_at, actor_id, actor_role, subject_type, "
            f"subject_id, 'forged', source, target, stream, data, prev_hash, 'x' FROM {HISTORY} WHERE id = %s",
            [first.pk - 1, first.pk],
        )
        rehash_from(cursor, first.pk - 1)
    result = history_verify()
    assert not result.ok and result.code == "record_inserted" and result.first_broken_id == first.pk - 1
