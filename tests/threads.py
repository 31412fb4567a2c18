"""Concurrent callers for the race tests: threads released together, each on its own database connection."""

import threading

from django.db import connection


def at_once(*works) -> list:
    """Run each callable in its own thread, all released together; return each one's result or the exception it raised.

    Each thread closes its database connection when done (use with the ``live_db`` fixture).
    """
    barrier, outcomes = threading.Barrier(len(works)), [None] * len(works)

    def call(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = works[index]()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(index,)) for index in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def errors(outcomes) -> list:
    """The exceptions among ``at_once``'s outcomes."""
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]
