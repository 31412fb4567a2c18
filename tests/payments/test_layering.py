"""grants imports neither workflows nor calendars (design §2): the payments package included."""

import ast
from pathlib import Path

GRANTS = Path(__file__).resolve().parents[2] / "grants"


def test_grants_payments_imports_neither_workflows_nor_calendars():
    for path in (GRANTS / "payments").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n.split(".")[0] in {"workflows", "calendars"} for n in names), path
