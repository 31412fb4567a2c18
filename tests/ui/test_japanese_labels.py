"""English and codes left in the Japanese pages: the revocation draft's legal basis, the history's actions."""

import ast
from datetime import date
from pathlib import Path

import pytest

from tests import factories as f
from tests.test_layering import ORDER
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


def test_the_revocation_draft_form_labels_its_legal_basis_without_codes(client):
    officer, boss = f.officer(), f.supervisor()
    case = pf.notified(officer=officer, boss=boss, year=2025, amount=1_000_000, on=date(2025, 6, 2))
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="id_draft_revocation_legal_basis"' in page
    assert "根拠法令" in page
    assert "art_17_1：" not in page and "other：" not in page  # the codes are the select's values, not its words
    assert "補助金適正化法第17条第1項（目的外使用、交付条件違反等）" in page  # the options are the labels


# -- the history's acts ---------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
APPS = ORDER  # every app of the project (tests/test_layering.py)
#: Calls that write a record and name its act (``action=``); ``_save_edit`` takes a stem, not an act.
RECORDERS = {"history_append", "history_record", "letter_record", "_record", "_version_store"}
#: Acts whose code is built (``f"scope_{act}"``): the stem and the endings each is built with.
BUILT = {
    "scope_": ("create", "update", "delete"),
    "reminder_rule_": ("create", "update", "delete"),
    "closure_day_": ("create", "update", "delete"),
}
#: ``schedules.services.schedules._save_edit(action=stem)`` records ``<stem>_create`` / ``_update``.
EDITED = {"schedule_version": ("create", "update"), "schedule_step": ("create", "update")}


def _recorded_actions() -> tuple[set[str], set[str]]:
    """The act codes the services write, read from their source: literals and module constants passed as
    ``action=`` to a recorder, and the stems of the codes they build (f-strings)."""
    codes, stems = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            constants = {
                node.targets[0].id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            }
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                for keyword in call.keywords:
                    if keyword.arg != "action":
                        continue
                    value = keyword.value
                    if name == "_save_edit" and isinstance(value, ast.Constant):
                        stems.add(f"{value.value}_")
                    elif name not in RECORDERS:
                        continue
                    elif isinstance(value, ast.Constant):
                        codes.add(value.value)
                    elif isinstance(value, ast.Name) and value.id in constants:
                        codes.add(constants[value.id])
                    elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                        stems.add(value.values[0].value)
                    elif isinstance(value, ast.IfExp):  # "user_create" if … else "user_access_update"
                        codes.update(branch.value for branch in (value.body, value.orelse))
    return codes, stems


def test_every_act_the_history_can_hold_has_a_japanese_label():
    from django.utils import translation

    from payments.flows import RUN_STEP_LABELS
    from web.codes import labels
    from web.templatetags.ui import action_label
    from workflows.steps import step_labels

    codes, stems = _recorded_actions()
    assert stems == {*BUILT, *(f"{stem}_" for stem in EDITED)}, "a built act code: list it"
    codes |= {f"{stem}{end}" for stem, ends in BUILT.items() for end in ends}
    codes |= {f"{stem}_{end}" for stem, ends in EDITED.items() for end in ends}
    codes.discard("action")  # ``_record(action=action)`` passes its caller's, gathered above
    # a recorded code is named by its subject's labels (``<subject>_action``) or the acts' (``action``)
    subjects = ["", *(kind.removesuffix("_action") for kind in labels() if kind.endswith("_action"))]

    def japanese(code, subject) -> bool:
        return any("\u3040" <= ch <= "\u9fff" for ch in action_label(code, subject))

    with translation.override("ja"):
        acts = [("case", code) for code in step_labels()] + [("payment_run", code) for code in RUN_STEP_LABELS]
        unnamed = [(subject, code) for subject, code in acts if not japanese(code, subject)]
        unnamed += [("", code) for code in sorted(codes) if not any(japanese(code, subject) for subject in subjects)]
    assert {"cancel", "approve", "execute", "payment_run_create", "letter_issue", "inquiry_answer"} <= codes
    assert unnamed == []


def test_the_history_names_a_payment_run_s_cancel_and_approval_in_japanese(client):
    from payments.services import payment_run_approve, payment_run_cancel, payment_run_create

    officer, boss = f.officer(), f.supervisor()
    pf.payment_item(officer=officer, amount=1_000_000, due_on=date(2025, 6, 2))
    run = payment_run_create(actor=officer, run_on=date(2025, 6, 30))
    payment_run_cancel(actor=officer, run_id=run.pk)
    again = payment_run_create(actor=officer, run_on=date(2025, 6, 30))
    payment_run_approve(actor=boss, run_id=again.pk)
    client.force_login(f.auditor())
    body = client.get("/history/").content.decode()
    assert "支払回を取消し" in body and "支払回を決裁" in body
    assert "<strong>cancel</strong>" not in body


def test_a_step_done_reads_grammatically_for_every_step_label():
    from django.utils import translation
    from django.utils.translation import gettext

    from workflows.steps import step_labels

    with translation.override("ja"):
        for label in step_labels().values():
            done = gettext("%(recipient)s: %(step)s done.") % {"recipient": "行方市", "step": label}
            assert done == f"行方市：「{label}」を完了しました。"  # 「取消を決裁」を完了, not 取消を決裁を完了
