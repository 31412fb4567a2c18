"""Dependencies point one way (design §2): grants imports neither workflows nor calendars,
and calendars does not import workflows."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_apps(app: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((path.relative_to(ROOT).as_posix(), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found.update((path.relative_to(ROOT).as_posix(), alias.name.split(".")[0]) for alias in node.names)
    return found


@pytest.mark.parametrize("app, forbidden", [("grants", {"workflows", "calendars"}), ("calendars", {"workflows"})])
def test_lower_layers_do_not_import_higher_ones(app, forbidden):
    assert [(path, module) for path, module in imported_apps(app) if module in forbidden] == []
