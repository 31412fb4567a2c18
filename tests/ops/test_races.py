"""Two officers in separate processes race on the same cases through gunicorn on PostgreSQL: one winner each time.

A hundred races here; ``bench/races.py`` runs a thousand on the demo data.
"""

import pytest
from django.db import connection

from tests import factories as f

from .checks import check_everything
from .accounts import with_password
from .races import history_problems, run_races
from .trials import TO_NOTICE, walk

pytestmark = [
    pytest.mark.ops,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races between app-server processes on PostgreSQL"),
]


def test_two_officers_racing_from_two_processes_have_one_winner_per_race_and_lose_no_update(ops_stage):
    rival = with_password(f.officer(streams=("community_support_grant",), prefectures=("11",)), "rival-password-1")
    rival_api = ops_stage.server.client.login(rival.username, "rival-password-1")
    cases = ops_stage.slots.open(10)
    walk(ops_stage, cases, TO_NOTICE[:2])  # request, submit: every case starts the races submitted
    base = ops_stage.server.client.base_url
    races = run_races(
        [(base, ops_stage.officer.token, ops_stage.officer_login[0]), (base, rival_api.token, rival.username)],
        [case["id"] for case in cases], 100, seed=ops_stage.seed,
    )
    assert not races.problems, races.problems
    assert races.count == 100 and sum(races.wins.values()) == 100
    assert races.losses == {(409, "stale_version"): 100}
    assert not history_problems(ops_stage.auditor, races)
    findings = check_everything(ops_stage.auditor)
    assert findings.ok, findings.problems
