#!/usr/bin/env bash
# Serve the app with DEBUG off: gunicorn on $HOST:$PORT (127.0.0.1:8000 unless set), static files
# collected and served by whitenoise, the app's own 404 and 500 pages. run.sh calls it after loading the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/demo_env.sh

.venv/bin/python manage.py collectstatic --noinput -v0
exec .venv/bin/gunicorn config.wsgi --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" --access-logfile -
