#!/usr/bin/env bash
# Install everything the tests need and run the whole suite on SQLite and on PostgreSQL.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_apt fonts-ipaexfont poppler-utils gettext chromium postgresql
# npm may come with a Node.js that is not Debian's (NodeSource's nodejs ships its own npm, and Debian's
# npm package then cannot be installed beside it): take Debian's only when there is no npm at all.
command -v npm >/dev/null 2>&1 || ensure_apt npm
ensure_venv requirements-dev.txt
echo "==> installing package.json's test tools (axe-core)"
npm ci --no-audit --no-fund --silent
export DJANGO_DEBUG=1
.venv/bin/python manage.py compilemessages -v0 --ignore=.venv
PG_URL=$(scripts/ensure_postgres.sh)
# The suite runs as the owner role (it creates its test database, and its tampering tests lift
# triggers as an attacker would); tests/test_postgres_roles.py migrates a database of its own as the
# owner and runs the application in it as this restricted role.
export PGAPP_NAME=${PGAPP_NAME:-grants_app} PGAPP_PASS=${PGAPP_PASS:-grants_app}

# One worker per CPU, at most four (pytest-xdist), each with a test database of its own that it migrates; a
# file's tests stay on one worker, so a module's app server is started once. All workers share the one PostgreSQL
# server. `scripts/test.sh -n 0` runs in one process.
workers=(--numprocesses=auto --maxprocesses=4 --dist=loadfile)
status=0
echo "==> test suite on SQLite"
.venv/bin/python -m pytest -q "${workers[@]}" "$@" || status=$?
if [ "$status" -eq 0 ]; then
  echo "==> test suite on PostgreSQL"
  DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -q "${workers[@]}" "$@" || status=$?
fi
# pytest exits 5 when it collected no tests: that is a failure here.
exit "$status"
