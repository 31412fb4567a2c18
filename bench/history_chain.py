"""Signing and verifying the decision history: records per second at a realistic size.

    python bench/history_chain.py [--records 200000] [--db sqlite|postgres|both]

Fills a scratch database with a valid chain of ``--records`` records (bulk
inserted, hashes computed as ``history_append`` does), then times, with
production settings: the first ``history_checkpoint`` over all of them (one
signed checkpoint per ``HISTORY_CHECKPOINT_EVERY`` records), ``history_verify``
against those checkpoints, and the chain alone (recomputing every hash, what
the verifier did before checkpoints) as the floor; then the next checkpoint,
over ``HISTORY_CHECKPOINT_EVERY`` records appended after them (what the act
that writes such a record pays once it commits, at this history's size).
PostgreSQL: ``BENCH_PG_URL`` (default: the server ``scripts/ensure_postgres.sh`` makes); a database
``grants_bench_chain`` (or ``BENCH_PG_DATABASE``) is created afresh.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from common import chain_stored, database_name
from signed_child import run_signed_child

ROOT = Path(__file__).resolve().parent.parent


def child(records: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from grants import history
    from grants.models import HistoryEntry
    from grants.roles import system_user

    call_command("migrate", verbosity=0)
    actor = system_user()
    started = timezone.now()

    def record(number: int) -> HistoryEntry:
        return HistoryEntry(
            occurred_at=started, actor_id=actor.pk, actor_role="system", subject_type="case",
            subject_id=str(number), fiscal_year=2025, stream="community_support_grant", action="submit",
            source="requested", target="submitted",
            data={"fields": {"amount": number * 1000}, "reason": "事業費の見直し",
                  "document_number": f"関厚発第{number}号"},
        )

    with transaction.atomic():
        chain_stored((record(number) for number in range(records)), history.GENESIS_HASH)

    def timed(function):
        began = time.perf_counter()
        value = function()
        return time.perf_counter() - began, value

    sign_s, signed = timed(history.history_checkpoint)
    verify_s, result = timed(history.history_verify)
    floor_s, floor_count = timed(lambda: sum(1 for _pk, _prev, stored, computed in history._chain_rows() if stored == computed))
    assert result.ok and floor_count == records, result
    # What the act that writes a HISTORY_CHECKPOINT_EVERY-th record pays once it commits, at this history's size:
    # the next checkpoint, over that many new records.
    every = settings.HISTORY_CHECKPOINT_EVERY
    with transaction.atomic():
        chain_stored((record(records + number) for number in range(every)), signed[-1].head_hash)
    next_s, [following] = timed(history.history_checkpoint)
    assert following.count == records + every
    print(json.dumps({
        "records": records, "checkpoints": len(signed), "sign_s": sign_s, "verify_s": verify_s, "floor_s": floor_s,
        "next_ms": next_s * 1000,
    }))


def run_child(db: str, records: int) -> dict | None:
    return run_signed_child(__file__, db, database_name("grants_bench_chain"), "--records", str(records))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.records)
        return
    print(f"{'database':<11}{'records':>9}{'checkpoints':>13}{'sign s':>8}{'verify s':>10}"
          f"{'chain-only s':>14}{'verify rec/s':>14}{'next checkpoint ms':>20}")
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        r = run_child(db, args.records)
        if r:
            print(f"{db:<11}{r['records']:>9,}{r['checkpoints']:>13,}{r['sign_s']:>8.1f}{r['verify_s']:>10.1f}"
                  f"{r['floor_s']:>14.1f}{r['records'] / r['verify_s']:>14,.0f}{r['next_ms']:>20.1f}")


if __name__ == "__main__":
    main()
