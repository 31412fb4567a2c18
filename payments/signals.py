"""What other apps learn from payments, without ``payments`` importing them (dependencies point one way).

``payment_run_executed`` is sent once a run's execution has committed, with
``run_id``. The money has moved by then: a receiver that fails must not look
like a failed execution, so receivers catch and log their own errors (the
letters app issues the run's payment notices this way).

``return_claim_issued`` is sent inside the transaction of the act that orders
a return (a settlement's notice, a revocation), with ``claim`` and ``actor``:
the letters app issues the return order (返還命令) with the act, so an act
and its order commit or roll back together.
"""

from django.dispatch import Signal

payment_run_executed = Signal()
return_claim_issued = Signal()
