"""Operations: processes killed part-way, officers racing from separate processes, two app servers on one database.

Everything here drives the application from outside, as an operator's machines
would: app servers (gunicorn) and commands (``manage.py ...``) in processes of
their own with production settings, bound to 127.0.0.1, reached through the
HTTP API and checked through it (``checks.py``). The same trials serve the
test suite (a few, bounded) and the soak commands in ``bench/`` and
``scripts/`` (hundreds). Nothing here imports the application's modules, so
they work whatever app holds which model.
"""
