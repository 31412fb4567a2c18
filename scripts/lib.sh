# Shared by run.sh and test.sh: find Python >= 3.12, build the virtualenv, install system packages.

find_python() {
  local candidate version
  for candidate in python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then
      version=$("$candidate" -c 'import sys; print(sys.version_info >= (3, 12))' 2>/dev/null || true)
      if [ "$version" = "True" ]; then command -v "$candidate"; return 0; fi
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(ls -d "$(pyenv root)"/versions/3.1[2-9]* 2>/dev/null | sort -V); do
      if [ -x "$candidate/bin/python3" ]; then echo "$candidate/bin/python3"; return 0; fi
    done
  fi
  echo "error: Python 3.12 or newer is required (Django 6 needs it) and none was found on PATH or through pyenv." >&2
  echo "       Install it (e.g. 'pyenv install 3.12') and run this command again." >&2
  return 1
}

ensure_venv() {  # ensure_venv REQUIREMENTS_FILE
  local python
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    python=$(find_python) || exit 1
    echo "==> creating .venv with $python"
    rm -rf .venv
    "$python" -m venv .venv
  fi
  echo "==> installing $1"
  # This machine's pip configuration names local index folders (/opt/pypi, /opt/pypi-more) that may be absent;
  # pip warns once per package for each, which is noise.
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$1" 2>&1 \
    | { grep -v "^WARNING: Location 'file://[^']*' is ignored: it is neither a file nor a directory\.$" || true; }
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=""
ensure_apt() {  # ensure_apt PACKAGE... : installs the Debian packages that are missing
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> apt-get install ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}
