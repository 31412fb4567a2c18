"""``payment_run execute`` in a process of its own, paying one item at a time with a pause after each.

Not a test module: ``test_payment_run_crash.py`` starts it with subprocess and
kills it with SIGKILL part-way. It prints ``paid <item id>`` after each item so
the test knows the execution is under way; the pause stands in for a slow
payment interface.

    python -m tests.payments.slow_execute RUN_ID USERNAME PAUSE_SECONDS
"""

import sys
import time

import django


def main(run_id: str, username: str, pause: float) -> None:
    django.setup()
    from django.core.management import call_command

    from payments.services import runs

    pay = runs._pay

    def pay_one_by_one(run, items):
        for item in items:
            pay(run, [item])
            print(f"paid {item.pk}", flush=True)
            time.sleep(pause)

    runs._pay = pay_one_by_one
    call_command("payment_run", "execute", run_id, "--user", username)
    print("executed", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
