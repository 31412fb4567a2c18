#!/usr/bin/env bash
# Install and start the app with demo data on the embedded SQLite database.
# Usage: scripts/run.sh   (PORT=8000, HOST=127.0.0.1, DEMO_PASSWORD=... optional)
# DEBUG is off and the server listens on this machine only; README ("Opening the demo to other machines").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_apt fonts-ipaexfont gettext
ensure_venv requirements.txt
. scripts/demo_env.sh
export DEMO_PASSWORD=${DEMO_PASSWORD:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')}

.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo

# Letters render in the background: one database-backed task worker beside the web server.
.venv/bin/python manage.py db_worker >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT

cat <<MSG

  Grant administration engine: http://$HOST:$PORT/   (API: /api/, OpenAPI: /api/openapi.json)
  Demo logins (password for all: $DEMO_PASSWORD)
    officer1     grants officer, all streams, all ten prefectures
    officer2     grants officer, community support grant, Saitama (11) and Chiba (12)
    supervisor1  supervisor (approves)      supervisor2  supervisor
    auditor1     auditor (read and export)  admin        administrator (/admin/)

MSG
scripts/serve.sh
