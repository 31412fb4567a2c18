"""SIGKILL in the middle of the work, a restart and a retry: nothing half-done, nothing sent or paid twice, the chain whole.

One trial of each kind from ``trials.py``, against an app server and commands
in processes of their own (production settings) on the test database. On
PostgreSQL each kill waits until the process holds a write transaction open,
the moment a crash tests the most; on SQLite it falls after a random delay.
``bench/crash_soak.py`` runs a hundred of them.
"""

import pytest

from .trials import run_trial

pytestmark = pytest.mark.ops


def _whole(stage, trial, *, all_rendered=False) -> None:
    findings = stage.check(all_rendered=all_rendered)
    context = f"seed {stage.seed}: killed {trial.landed}; {trial.outcome}"
    assert not trial.problems, (context, trial.problems)
    assert findings.ok, (context, findings.problems)
    assert findings.counts["history_records_verified"] == findings.counts["history_records"]


def test_an_app_server_killed_during_transitions_leaves_each_act_whole_and_the_retry_finishes_them(ops_stage):
    trial = run_trial(ops_stage, "transitions")
    _whole(ops_stage, trial)


def test_an_app_server_killed_during_a_bulk_request_leaves_one_request_letter_per_case_after_the_form_is_sent_again(
    ops_stage,
):
    trial = run_trial(ops_stage, "bulk")
    _whole(ops_stage, trial)


def test_send_reminders_killed_and_run_again_sends_each_overdue_demand_once(ops_stage):
    trial = run_trial(ops_stage, "reminders")
    _whole(ops_stage, trial)


def test_a_db_worker_killed_while_rendering_leaves_every_letter_rendered_once_after_render_letters(ops_stage):
    trial = run_trial(ops_stage, "render")
    _whole(ops_stage, trial, all_rendered=True)


def test_payment_run_execute_killed_pays_every_item_once_and_notices_each_recipient_once_after_the_retry(ops_stage):
    trial = run_trial(ops_stage, "payment")
    _whole(ops_stage, trial)
