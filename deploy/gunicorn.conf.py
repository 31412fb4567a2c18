"""gunicorn settings for the app servers; ``systemd/grants-web@.service`` adds ``--bind 127.0.0.1:<port>``.

Sync workers: each request holds one worker and one database connection for
its length, and transitions are short. ``GUNICORN_WORKERS`` (from the
environment file) sets how many; the default suits a machine that runs
nothing else: two per core, plus one.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# Bulk requests, history exports and batch PDFs are the longest requests; the proxy waits as long (proxy_read_timeout).
timeout = 300
graceful_timeout = 30  # SIGTERM and HUP let requests in hand finish for this long
max_requests = 2000  # a worker is replaced now and then, so a slow leak never grows
max_requests_jitter = 200
preload_app = False  # HUP (systemctl reload) then starts workers on the new code
accesslog = "-"  # to the journal
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"  # only the local proxy's X-Forwarded-* headers count
limit_request_line = 8190
limit_request_fields = 100
