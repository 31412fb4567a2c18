"""A small world built through the real services: cases, letters, a paid payment run, and their history.

The backup round trip and the database-role test build it, the latter in a
process that connects as the application's restricted role, and compare what
``fingerprint`` reads before and after.
"""

from datetime import date

from grants.models import Case, HistoryEntry
from letters.models import Letter
from payments.models import PaymentItem, PaymentRun
from tests import factories as f
from tests.payments import factories as pf


def build() -> None:
    pf.shipped_plans()
    officer, boss = f.officer(), f.supervisor()
    town = f.municipality()
    other = f.municipality(code="122076", name="松戸市", prefecture_code="12")
    pf.notified(officer=officer, boss=boss, year=2023, amount=100_000_000, on=date(2023, 10, 19), recipient=town)
    pf.notified(officer=officer, boss=boss, year=2023, amount=40_000_000, on=date(2023, 10, 19), recipient=other)
    pf.paid_run(date(2023, 10, 30), officer=officer, boss=boss)
    withdrawn = f.case(actor=officer, year=2024, recipient=town)
    pf.act(withdrawn, "withdraw", officer, reason="申請取下げ")


def fingerprint() -> dict:
    """What a restored copy must hold again, as JSON-friendly lists."""
    return {
        "cases": [list(row) for row in Case.objects.order_by("pk").values_list("pk", "state", "version", "recipient__code")],
        "letters": [
            list(row) for row in Letter.objects.order_by("pk").values_list("pk", "case_id", "kind", "document_number")
        ],
        "payment_items": [
            list(row) for row in PaymentItem.objects.order_by("pk").values_list("pk", "case_id", "amount", "run_id")
        ],
        "payment_runs": [list(row) for row in PaymentRun.objects.order_by("pk").values_list("pk", "state", "run_on")],
        "history": [list(row) for row in HistoryEntry.objects.order_by("pk").values_list("pk", "hash")],
    }
