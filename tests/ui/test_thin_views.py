"""Views stay thin (docs/architecture.md#layers): the reads the case-work pages and the dashboard
show live in selector modules with docstrings, and the view modules run no query of their own."""

import ast
import inspect
from pathlib import Path

import pytest

import grants.selectors
import letters.selectors.letters
import payments.selectors
import workflows.selectors

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = ("workflows/views.py", "grants/views.py", "payments/views.py", "letters/views.py")
# Queryset calls that state a rule (what to read); ordering and joins on a selector's result are left to pages.
RULE_CALLS = {"filter", "exclude", "annotate", "aggregate", "prefetch_related", "raw", "extra"}

SELECTORS = [
    (workflows.selectors, "worklist_for_actor"),
    (workflows.selectors, "approval_queue_for_supervisor"),
    (workflows.selectors, "approval_queue_rows_for_supervisor"),
    (workflows.selectors, "bulk_step_preview_for_actor"),
    (letters.selectors.letters, "act_letter_list_for_actor"),
    (workflows.selectors, "case_page_section_list"),
    (workflows.selectors, "determination_list_for_case"),
    (payments.selectors, "prefecture_amount_list_for_actor"),
    (payments.selectors, "dashboard_amounts_for_actor"),
    (grants.selectors, "notified_fiscal_year_latest_for_actor"),
    (grants.selectors, "fiscal_year_list"),
    (grants.selectors, "budget_notice_overview_for_actor"),
    (workflows.selectors, "worklist_columns_for_actor"),
    (payments.selectors, "payment_run_pending_list_for_actor"),
    (payments.selectors, "case_payment_item_list_for_actor"),
]


@pytest.mark.parametrize("module, name", SELECTORS, ids=[name for _, name in SELECTORS])
def test_page_reads_are_selectors_with_a_docstring(module, name):
    selector = getattr(module, name)
    assert selector.__module__ == module.__name__, f"{name} is defined in {selector.__module__}"
    assert inspect.getdoc(selector), f"{name} has no docstring"
    assert all(
        parameter.kind is inspect.Parameter.KEYWORD_ONLY for parameter in inspect.signature(selector).parameters.values()
    ), f"{name} takes positional arguments"


@pytest.mark.parametrize("path", VIEW_MODULES)
def test_view_modules_run_no_query_of_their_own(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.db"):
            problems.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Attribute) and node.attr == "objects":
            problems.append(f"line {node.lineno}: uses a model manager")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RULE_CALLS:
            problems.append(f"line {node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.FunctionDef) and node.name.endswith(("_for_actor", "_for_supervisor")):
            problems.append(f"line {node.lineno}: defines the selector {node.name}")
    assert problems == []
