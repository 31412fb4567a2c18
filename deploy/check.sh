#!/usr/bin/env bash
# Check the files in deploy/ with the tools that read them: `systemd-analyze verify` for the units and
# `nginx -t` for the proxy configuration. The copies checked point at this checkout instead of /opt/grants,
# run as the current user, and use a throw-away self-signed certificate; nothing is installed or started.
# Usage: deploy/check.sh          (needs systemd-analyze; nginx, openssl for the nginx part)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/units" "$work/grants"
  touch "$work/grants/grants.env"
  for unit in deploy/systemd/*; do
    sed -e "s#/opt/grants#$root#g" -e "s#/etc/grants/grants.env#$work/grants/grants.env#" \
        -e "s#^User=grants#User=$(id -un)#" -e "s#^Group=grants#Group=$(id -gn)#" \
        "$unit" >"$work/units/$(basename "$unit")"
  done
  # Templates are verified through an instance of each.
  cp "$work/units/grants-web@.service" "$work/units/grants-web@8001.service"
  cp "$work/units/grants-worker@.service" "$work/units/grants-worker@1.service"
  # verify warns about unknown keys and bad values without failing: any message is a failure here.
  if messages=$(cd "$work/units" && systemd-analyze verify --man=no grants-web@8001.service \
        grants-worker@1.service grants-reminders.service grants-reminders.timer grants-checkpoint.service \
        grants-checkpoint.timer 2>&1) && [ -z "$messages" ]; then
    echo "systemd units: ok"
  else
    echo "$messages"; echo "systemd units: FAILED"; status=1
  fi
else
  echo "systemd-analyze not found: units not checked"
fi

if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  mkdir -p "$work/nginx/ssl" "$work/nginx/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=grants.example.go.jp \
    -keyout "$work/nginx/ssl/privkey.pem" -out "$work/nginx/ssl/fullchain.pem" 2>/dev/null
  sed -e "s#/etc/ssl/grants#$work/nginx/ssl#g" -e "s#/var/log/nginx#$work/nginx/logs#g" \
      -e "s#/opt/grants#$root#g" deploy/nginx/grants.conf >"$work/nginx/grants.conf"
  cat >"$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $work/nginx/logs/access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    include $work/nginx/grants.conf;
}
CONF
  # A warning (a duplicate MIME type, a directive nginx ignores) counts as a failure too.
  if messages=$(nginx -t -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>&1) && ! grep -q '\[warn\]' <<<"$messages"; then
    echo "nginx configuration: ok"
  else
    echo "$messages"; echo "nginx configuration: FAILED"; status=1
  fi
else
  echo "nginx or openssl not found: proxy configuration not checked (apt-get install nginx-light openssl)"
fi
exit $status
