#!/usr/bin/env bash
# Two gunicorn app servers and two db_worker task workers on one PostgreSQL database, load through both,
# then count duplicates (see scripts/two_servers.py). Everything binds to 127.0.0.1 and stops by itself.
# Usage: scripts/two_servers.sh [--cases 40] [--races 200] [--reminders 20] [--seconds 300] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_apt fonts-ipaexfont postgresql
# Install only into a missing or incomplete virtualenv (a shared one may be in use by others).
.venv/bin/python -c 'import django, gunicorn, jpholiday, psycopg' 2>/dev/null || ensure_venv requirements.txt
OPS_PG_URL=$(scripts/ensure_postgres.sh) exec .venv/bin/python scripts/two_servers.py "$@"
