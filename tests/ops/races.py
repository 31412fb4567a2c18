"""Two officers racing from separate processes: both read a case, both act on the version they read, released together.

Each officer is an operating-system process of its own (``multiprocessing``,
spawned, so it shares nothing with the caller but a barrier) talking HTTP to
an app server; the two may use different servers. Race ``r`` is on case
``cases[r % len(cases)]``: both officers read it, wait for each other, then
post a transition that the case's state allows, with the version they read —
``start_review`` or ``return_for_correction`` on a submitted case,
``return_for_correction`` under review, ``submit`` (each officer with an
amount of its own) on a returned one. Cases go round that loop for as many
races as asked.

Exactly one of the two must win (200, the case one version on) and the other
get 409 ``stale_version``; afterwards the history must hold, for each race,
one record at the winner's version by the winner with the winner's data —
the loser's write lost, never the winner's (``history_problems``).
"""

import json
import multiprocessing
import random
from collections import Counter
from dataclasses import dataclass, field

from .api import Client


def _choose(state: str, race: int, side: int, rng: random.Random) -> tuple[str, dict]:
    if state == "returned":
        return "submit", {"amount": 1_000_000 + race * 2 + side}
    allowed = {"submitted": ["start_review", "return_for_correction"], "under_review": ["return_for_correction"]}
    name = rng.choice(allowed[state])
    return name, ({"reason": f"race {race}: officer {side + 1}"} if name == "return_for_correction" else {})


def _officer(side: int, base_url: str, token: str, username: str, plan: list[int], barrier, results, seed: int) -> None:
    client, rng, log = Client(base_url, token), random.Random(seed * 2 + side), []
    try:
        for race, case_id in enumerate(plan):
            barrier.wait(timeout=300)
            case = client.ok("GET", f"/api/cases/{case_id}")
            name, data = _choose(case["state"], race, side, rng)
            barrier.wait(timeout=300)
            reply = client.request(
                "POST", f"/api/cases/{case_id}/transitions/{name}", {"version": case["version"], **data}
            )
            log.append({
                "race": race, "case": case_id, "version": case["version"], "name": name, "data": data,
                "status": reply.status, "code": reply.error_code, "username": username,
                "new_version": reply.json()["version"] if reply.status == 200 else None,
            })
    except Exception as exc:  # noqa: BLE001 - reported to the caller
        barrier.abort()
        results.put((side, log, repr(exc)))
        return
    results.put((side, log, None))


@dataclass
class Races:
    count: int = 0
    wins: Counter = field(default_factory=Counter)  # by username
    losses: Counter = field(default_factory=Counter)  # by (status, code)
    won: list[dict] = field(default_factory=list)  # the winning acts, in race order
    problems: list[str] = field(default_factory=list)


def run_races(officers: list[tuple[str, str, str]], cases: list[int], count: int, seed: int = 0) -> Races:
    """``count`` races between two officers, each ``(base_url, token, username)``, over ``cases`` in turn."""
    plan = [cases[race % len(cases)] for race in range(count)]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_officer, args=(side, *officers[side], plan, barrier, results, seed), daemon=True)
        for side in (0, 1)
    ]
    for process in processes:
        process.start()
    logs, outcome = {}, Races()
    for _ in processes:
        side, log, error = results.get(timeout=3600)
        logs[side] = log
        if error:
            outcome.problems.append(f"officer {side + 1} stopped: {error}")
    for process in processes:
        process.join(60)
    for first, second in zip(logs.get(0, []), logs.get(1, [])):
        outcome.count += 1
        race = first["race"]
        if first["version"] != second["version"]:
            outcome.problems.append(
                f"race {race}: the officers read versions {first['version']} and {second['version']}"
            )
        winners = [act for act in (first, second) if act["status"] == 200]
        losers = [act for act in (first, second) if act["status"] != 200]
        if len(winners) != 1:
            outcome.problems.append(
                f"race {race} on case {first['case']}: {len(winners)} winners ({first['status']}, {second['status']})"
            )
            continue
        winner, loser = winners[0], losers[0]
        outcome.wins[winner["username"]] += 1
        outcome.losses[(loser["status"], loser["code"])] += 1
        outcome.won.append(winner)
        if (loser["status"], loser["code"]) != (409, "stale_version"):
            outcome.problems.append(
                f"race {race}: the loser got {loser['status']} {loser['code']}, not 409 stale_version"
            )
        if winner["new_version"] != winner["version"] + 1:
            outcome.problems.append(
                f"race {race}: the winner moved case {winner['case']} to version {winner['new_version']}"
            )
    return outcome


def history_problems(reader: Client, races: Races) -> list[str]:
    """Each win is one record at its version, by its officer, with its data; each raced case ends at its last win."""
    reply = reader.request("GET", "/api/history/export", params={"format": "jsonl"})
    records = {}
    for line in reply.body.decode().splitlines():
        record = json.loads(line)
        if record.get("subject_type") == "case" and record["action"] != "create":  # the last line is a checkpoint
            key = (int(record["subject_id"]), record["data"]["snapshot"]["version"])
            records.setdefault(key, []).append(record)
    problems, last, last_submit = [], {}, {}
    for act in races.won:
        found = records.get((act["case"], act["new_version"]), [])
        if len(found) != 1:
            problems.append(f"case {act['case']} version {act['new_version']}: {len(found)} records")
            continue
        record = found[0]
        fields = record["data"].get("fields", {})
        if (record["action"], record["actor"]) != (act["name"], act["username"]):
            problems.append(
                f"case {act['case']} v{act['new_version']}: recorded {record['action']} by {record['actor']}, "
                f"won by {act['name']} of {act['username']}"
            )
        for key, value in act["data"].items():
            if fields.get(key) != value:
                problems.append(
                    f"case {act['case']} v{act['new_version']}: {key} recorded {fields.get(key)!r}, sent {value!r}"
                )
        last[act["case"]] = act
        if act["name"] == "submit":
            last_submit[act["case"]] = act
    for case_id, act in last.items():
        case = reader.ok("GET", f"/api/cases/{case_id}")
        if case["version"] != act["new_version"]:
            problems.append(f"case {case_id} is at version {case['version']}, its last win made {act['new_version']}")
        submitted = last_submit.get(case_id)
        if submitted and case["amounts"]["requested"] != submitted["data"]["amount"]:
            problems.append(
                f"case {case_id} requests {case['amounts']['requested']}, "
                f"its last submit sent {submitted['data']['amount']}"
            )
    return problems
