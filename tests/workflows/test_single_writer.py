"""The case flow's state setter is the only code that writes ``Case.state`` (docs/architecture.md#the-one-write-path)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = re.compile(r"\.state\s*=[^=]|\bupdate\([^)]*\bstate\s*=")
ALLOWED = {
    ("workflows/flows/base.py", "self.case.state = value"),  # viewflow's State.setter for cases
    ("payments/flows.py", "self.run.state = value"),  # the payment run's own state machine
}


def test_no_module_writes_a_case_state_except_the_flow_setter():
    offenders = []
    for app in ("web", "calendars", "grants", "inquiries", "payments", "schedules", "workflows", "letters", "config"):
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WRITES.search(line) and (relative, line.strip()) not in ALLOWED:
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
