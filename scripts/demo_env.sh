# Shared by run.sh and serve.sh: the demo runs as a user meets it, with DEBUG off, on plain HTTP on this machine.
# Every variable keeps a value already set in the environment.
mkdir -p var
if [ ! -s var/secret_key ]; then  # one random key per install, so sessions survive a restart
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n=' >var/secret_key)
fi
# The demo's own key to sign the history's checkpoints (docs/operations.md, "The signing key"): without one,
# every checkpoint falls due unsigned and the worker logs why.
if [ -z "${HISTORY_SIGNING_KEY:-}${HISTORY_SIGNING_KEY_FILE:-}" ]; then
  if [ ! -s var/history-signing-key.pem ] && command -v openssl >/dev/null; then
    (umask 077; openssl genpkey -algorithm ed25519 -out var/history-signing-key.pem 2>/dev/null)
  fi
  [ -s var/history-signing-key.pem ] && export HISTORY_SIGNING_KEY_FILE="$PWD/var/history-signing-key.pem"
fi
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(cat var/secret_key)}
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8000}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}
# Plain HTTP: no redirect to HTTPS, no HSTS, cookies sent without TLS. Behind a TLS proxy set all three back (README).
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-0}
export DJANGO_HSTS_SECONDS=${DJANGO_HSTS_SECONDS:-0}
export DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-0}
