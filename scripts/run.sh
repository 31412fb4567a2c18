#!/usr/bin/env bash
# Install and start the app with demo data on the embedded SQLite database.
# Usage: scripts/run.sh   (PORT=8000, DEMO_PASSWORD=... optional)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_apt fonts-ipaexfont gettext
ensure_venv requirements.txt
export DJANGO_DEBUG=${DJANGO_DEBUG:-1}
export DEMO_PASSWORD=${DEMO_PASSWORD:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')}
PORT=${PORT:-8000}

.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo

# Letters render in the background: one database-backed task worker beside the web server.
.venv/bin/python manage.py db_worker >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT

cat <<MSG

  Grant administration engine: http://127.0.0.1:$PORT/   (API: /api/, OpenAPI: /api/openapi.json)
  Demo logins (password for all: $DEMO_PASSWORD)
    officer1     grants officer, all streams, all ten prefectures
    officer2     grants officer, community support grant, Saitama (11) and Chiba (12)
    supervisor1  supervisor (approves)      supervisor2  supervisor
    auditor1     auditor (read and export)  admin        administrator (/admin/)

MSG
.venv/bin/python manage.py runserver "0.0.0.0:$PORT"
