"""What other apps learn from payments, without ``payments`` importing them (dependencies point one way).

``payment_run_executed`` is sent once a run's execution has committed, with
``run_id``. The money has moved by then: a receiver that fails must not look
like a failed execution, so receivers catch and log their own errors (the
letters app issues the run's payment notices this way).
"""

from django.dispatch import Signal

payment_run_executed = Signal()
