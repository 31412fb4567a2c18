"""What must hold after any crash, race or crowd, checked from outside through the API (as an auditor).

- The history chain verifies (``GET /api/history/verify``, and
  ``manage.py history_verify`` against the signed checkpoints in the
  database and the checkpoint directory, ``verify_command``).
- Every case's acts are whole: one ``create`` record, then one record per
  version (2, 3, … up to the case's version, none twice, none missing), and
  the case's state is the last record's target — no lost update, no act
  without its record, no record without its act.
- Letters are unique per act: per case and kind, the letters that exist are
  exactly those the history says were issued (an act's ``letter``, or a
  ``letter_issue`` record); at most one ``letter_render`` record per letter,
  and a rendered letter has one; no document number on two letters; one
  reminder per case, rule and deadline; one payment notice per run and
  recipient.
- Payments: one ``execute`` record per run, no item in two executions, and
  each item's ``paid_in_run`` is the run whose execution lists it; each
  run's state is its last record's target.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .api import Client
from .processes import manage


@dataclass
class Findings:
    counts: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_command(env: dict, log: Path, found: Findings) -> None:
    """``manage.py history_verify`` with the deployment's environment: exit 0, or a problem with what it printed."""
    result = manage(env, "history_verify", log=log)
    found.counts["history_verify_command"] = "ok" if result.returncode == 0 else f"exit {result.returncode}"
    if result.returncode != 0:
        found.problem(f"manage.py history_verify: {(result.stdout + result.stderr)[-1500:]}")


def history_records(auditor: Client) -> list[dict]:
    """The whole decision history as JSON Lines (``GET /api/history/export?format=jsonl``), oldest first."""
    reply = auditor.request("GET", "/api/history/export", params={"format": "jsonl"})
    assert reply.status == 200, (reply.status, reply.body[:500])
    return [json.loads(line) for line in reply.body.decode().splitlines() if line.strip()]


def check_everything(auditor: Client, *, all_rendered: bool = False) -> Findings:
    """Every check above over the whole database; ``all_rendered``: also require every letter's PDF drawn."""
    found = Findings()
    verification = auditor.ok("GET", "/api/history/verify")
    found.counts["history_records_verified"] = verification["checked"]
    if not verification["ok"]:
        found.problem(f"history chain broken at record {verification['first_broken_id']}: {verification['problem']}")
    records = [record for record in history_records(auditor) if "checkpoint" not in record]
    found.counts["history_records"] = len(records)
    if len(records) != verification["checked"]:
        # Both read the same committed table; more records than were verified means writes ran during the check.
        found.counts["history_records_written_during_check"] = len(records) - verification["checked"]
    _check_cases(auditor, records, found)
    _check_letters(auditor, records, found, all_rendered=all_rendered)
    _check_payments(auditor, records, found)
    return found


def _check_cases(auditor: Client, records: list[dict], found: Findings) -> None:
    created, versions, last_target = Counter(), defaultdict(list), {}
    for record in records:
        if record["subject_type"] != "case":
            continue
        case_id = int(record["subject_id"])
        if record["action"] == "create":
            created[case_id] += 1
            last_target[case_id] = record["target"]
            continue
        version = (record["data"].get("snapshot") or {}).get("version")
        if version is None:
            found.problem(f"case {case_id}: record {record['id']} ({record['action']}) names no version")
            continue
        versions[case_id].append(version)
        last_target[case_id] = record["target"]
    cases = list(auditor.pages("/api/cases"))
    found.counts["cases"] = len(cases)
    found.counts["duplicate_case_versions"] = 0
    found.counts["case_acts"] = sum(len(v) for v in versions.values())
    for case in cases:
        case_id, recorded = case["id"], sorted(versions.get(case["id"], []))
        if created[case_id] != 1:
            found.problem(f"case {case_id}: {created[case_id]} create records")
        duplicates = [v for v, n in Counter(recorded).items() if n > 1]
        found.counts["duplicate_case_versions"] += len(duplicates)
        if duplicates:
            found.problem(f"case {case_id}: versions recorded more than once: {duplicates}")
        if recorded != list(range(2, case["version"] + 1)):
            found.problem(f"case {case_id} at version {case['version']}: its records hold versions {recorded}")
        if last_target.get(case_id) != case["state"]:
            found.problem(f"case {case_id} is {case['state']} but its last record says {last_target.get(case_id)}")
    unknown = set(created) - {case["id"] for case in cases}
    if unknown:
        found.problem(f"records of cases that do not exist: {sorted(unknown)[:20]}")


def _check_letters(auditor: Client, records: list[dict], found: Findings, *, all_rendered: bool) -> None:
    letters = list(auditor.pages("/api/letters"))
    ids = {letter["id"] for letter in letters}
    found.counts["letters"] = len(letters)
    expected = Counter()
    issued, rendered, reminders, notices = [], [], [], []
    for record in records:
        data = record["data"]
        if record["subject_type"] == "case" and "letter" in data:
            expected[(int(record["subject_id"]), data["letter"]["kind"])] += 1
            if "covering_letter" in data:  # records written before single requests stopped sending one (経由)
                expected[(data["covering_letter"]["case"], data["covering_letter"]["kind"])] += 1
        elif record["action"] == "letter_issue":
            expected[(data["case"], data["kind"])] += 1
            issued.append(int(record["subject_id"]))
            basis = data.get("basis") or {}
            if "reminder_rule" in basis:
                reminders.append((data["case"], basis["reminder_rule"], (data.get("deadline") or {}).get("effective")))
            if "payment_run" in basis:
                notices.append((basis["payment_run"], record["recipient"]))
        elif record["action"] == "letter_render":
            rendered.append(int(record["subject_id"]))
    actual = Counter((letter["case"], letter["kind"]) for letter in letters)
    found.counts["duplicate_letters"] = sum(max(0, actual[key] - expected[key]) for key in actual)
    found.counts["missing_letters"] = sum(max(0, expected[key] - actual[key]) for key in expected)
    for key in sorted(set(expected) | set(actual)):
        if expected[key] != actual[key]:
            found.problem(f"case {key[0]}: {actual[key]} {key[1]} letter(s), the history issued {expected[key]}")
    for letter_id, count in Counter(issued).items():
        if count > 1:
            found.problem(f"letter {letter_id} issued by {count} records")
    for letter_id in set(issued) - ids:
        found.problem(f"letter {letter_id} has an issue record but does not exist")
    renders = Counter(rendered)
    for letter_id, count in renders.items():
        if count > 1:
            found.problem(f"letter {letter_id} rendered {count} times")
        if letter_id not in ids:
            found.problem(f"letter {letter_id} has a render record but does not exist")
    done = {letter["id"] for letter in letters if letter["status"] == "rendered"}
    if done != set(renders):
        found.problem(f"rendered letters without a render record, or the reverse: {sorted(done ^ set(renders))[:20]}")
    pending = len(letters) - len(done)
    found.counts["letters_rendered"], found.counts["letters_pending"] = len(done), pending
    if all_rendered and pending:
        found.problem(f"{pending} letter(s) not rendered")
    numbers = Counter(letter["document_number"] for letter in letters if letter["document_number"])
    found.counts["document_numbers"] = len(numbers)
    found.counts["duplicate_document_numbers"] = sum(count - 1 for count in numbers.values())
    for number, count in numbers.items():
        if count > 1:
            found.problem(f"document number {number} on {count} letters")
    found.counts["reminders"] = len(reminders)
    found.counts["duplicate_reminders"] = len(reminders) - len(set(reminders))
    for key, count in Counter(reminders).items():
        if count > 1:
            found.problem(f"reminder {key} produced {count} times")
    found.counts["payment_notices"] = len(notices)
    found.counts["duplicate_payment_notices"] = len(notices) - len(set(notices))
    for key, count in Counter(notices).items():
        if count > 1:
            found.problem(f"payment run {key[0]} noticed recipient {key[1]} {count} times")


def _check_payments(auditor: Client, records: list[dict], found: Findings) -> None:
    executions, paid_by, last_target = Counter(), {}, {}
    found.counts["duplicate_payments"] = 0
    for record in records:
        if record["subject_type"] != "payment_run":
            continue
        run_id = int(record["subject_id"])
        last_target[run_id] = record["target"]
        if record["action"] != "execute":
            continue
        executions[run_id] += 1
        for item in record["data"]["items"]:
            if item in paid_by and paid_by[item] != run_id:
                found.counts["duplicate_payments"] += 1
                found.problem(f"payment item {item} executed by runs {paid_by[item]} and {run_id}")
            paid_by[item] = run_id
    for run_id, count in executions.items():
        if count > 1:
            found.counts["duplicate_payments"] += count - 1
            found.problem(f"payment run {run_id} executed {count} times")
    runs = list(auditor.pages("/api/payment-runs"))
    found.counts["payment_runs"] = len(runs)
    found.counts["payment_runs_executed"] = sum(run["state"] == "executed" for run in runs)
    for run in runs:
        if last_target.get(run["id"]) != run["state"]:
            found.problem(
                f"payment run {run['id']} is {run['state']} but its last record says {last_target.get(run['id'])}"
            )
    items = list(auditor.pages("/api/payment-items"))
    found.counts["payment_items"] = len(items)
    found.counts["payment_items_paid"] = sum(item["paid_in_run"] is not None for item in items)
    for item in items:
        if item["paid_in_run"] != paid_by.get(item["id"]):
            found.problem(
                f"payment item {item['id']}: paid in run {item['paid_in_run']}, "
                f"executions list it in {paid_by.get(item['id'])}"
            )
