#!/usr/bin/env bash
# Make a PostgreSQL server answer on 127.0.0.1:5432 with two roles and a database for
# the test suite; install it with apt-get when the machine has none.
#   grants      the owner: migrations run as it, and it creates the test databases (CREATEDB)
#   grants_app  the application's role: owns nothing, no CREATEDB/CREATEROLE; `migrate` with
#               DATABASE_APP_ROLE=grants_app grants it DML, and only SELECT/INSERT on the history
#               (tests/test_postgres_roles.py proves it cannot rewrite the history)
# Prints the owner's DATABASE_URL on its last line.
set -euo pipefail
PGUSER_NAME=${PGUSER_NAME:-grants}
PGPASS=${PGPASS:-grants}
PGDB=${PGDB:-grants}
PGAPP_NAME=${PGAPP_NAME:-grants_app}
PGAPP_PASS=${PGAPP_PASS:-grants_app}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "Installing PostgreSQL (apt-get)..." >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q .; then
  as_root pg_createcluster "$version" main >&2
fi
cluster=$(pg_lsclusters -h | head -1)
read -r cver cname _ cstatus _ <<<"$cluster"
if [ "$cstatus" != "online" ]; then
  as_root pg_ctlcluster "$cver" "$cname" start >&2
fi
for _ in $(seq 1 30); do
  if as_root su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
as_root su postgres -c "psql -qtAc \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER_NAME') THEN
    CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGAPP_NAME') THEN
    CREATE ROLE $PGAPP_NAME LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$PGAPP_PASS';
  END IF; END \\\$\\\$;\"" >&2
if ! as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = '$PGDB'\"" | grep -q 1; then
  as_root su postgres -c "createdb -O $PGUSER_NAME $PGDB" >&2
fi
echo "postgres://$PGUSER_NAME:$PGPASS@127.0.0.1:5432/$PGDB"
