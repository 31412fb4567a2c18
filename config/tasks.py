"""The task queue: django-tasks-db, its enqueue made cheap enough to run inside every act.

Letters are drawn by a task that the act enqueues in its own transaction (a
transactional outbox), so every request and notice inserts one task row. The
stock backend builds that row through the ORM, compiling the INSERT each time;
this one inserts the same row with a prepared statement
(``tests/letters/test_letter_outbox.py`` runs the library's own worker on
such a row). Everything else is the library's.

``bench/transitions.py --db sqlite --tasks-backend django_tasks_db.DatabaseBackend``
runs the library's own enqueue instead: back to back on the project's VM,
request took 1.57 and 1.44 ms with it against 1.45 and 1.26 ms with this one,
and notify 1.99 and 1.81 against 1.85 and 1.60 ms (about 0.15 ms a letter).
"""

from django_tasks_db import DatabaseBackend as _LibraryBackend
from django_tasks_db.compat import normalize_json

from web.rows import row_insert


class DatabaseBackend(_LibraryBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult, get_date_max

        return row_insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after or get_date_max(),  # the library's pre_save signal, which row_insert skips
                backend_name=self.alias,
            )
        )
