#!/usr/bin/env bash
# Installs and starts what Concord's tests need, and nothing else. Idempotent: a second run only
# checks. Written for the project's Debian machines, run as root (sudo is used when not root):
#   - Debian's Chromium at /usr/bin/chromium for the browser tests (never a downloaded browser);
#   - a PostgreSQL server at CONCORD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
#     with its database, started from the local cluster when nothing answers;
#   - Python's aiosmtpd (an SMTP server on loopback for the notification tests) and icalendar
#     (the independent parser the meeting tests check .ics files with);
#   - the e2e/ npm packages (playwright-core, @axe-core/playwright) from the lock file.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_URL="${CONCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO=(sudo) || say "not root and no sudo: installs will fail if anything is missing"
fi

APT_UPDATED=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- URL helpers (postgres://user@host:port/db?params) -------------------------------------------
url_host() { local rest="${1#*://}"; rest="${rest%%[/?]*}"; rest="${rest##*@}"; rest="${rest%:*}"; echo "${rest:-127.0.0.1}"; }
url_port() { local rest="${1#*://}"; rest="${rest%%[/?]*}"; rest="${rest##*@}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo 5432; }
url_db() { local rest="${1#*://}"; rest="${rest%%\?*}"; [[ "$rest" == */* ]] && echo "${rest#*/}" || echo ""; }
url_with_db() {
  local url="$1" db="$2" query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  local rest="${url#*://}"
  [[ "$rest" == */* ]] && url="${url%/*}"
  echo "$url/$db$query"
}

# --- Tools the scripts use ----------------------------------------------------------------------
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing after installing chromium"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  # The machines carry Node.js 20; Debian's is a fallback that the tests also run on.
  apt_install nodejs npm
fi

# --- Python's aiosmtpd and icalendar: the real SMTP server the notification tests send to, and ---
# --- the independent RFC 5545 parser the meeting tests check .ics files with -------------------
for module in aiosmtpd icalendar; do
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    command -v pip3 >/dev/null 2>&1 || apt_install python3-pip
    say "pip install $module"
    # Debian marks its Python as externally managed; this is a test machine.
    pip3 install --quiet "$module" 2>/dev/null || pip3 install --quiet --break-system-packages "$module"
  fi
  python3 -c "import $module" || die "python3 cannot import $module after installing it"
done

# --- PostgreSQL -------------------------------------------------------------------------------
PG_HOST="$(url_host "$PG_URL")"
PG_PORT="$(url_port "$PG_URL")"
PG_DB="$(url_db "$PG_URL")"
PG_ADMIN_URL="$(url_with_db "$PG_URL" postgres)"

pg_answers() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2; }

if ! pg_answers; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | head -1 || true)"
  [ -n "$version" ] || die "no PostgreSQL cluster under /etc/postgresql"
  # A fresh install may ask for passwords on TCP; the tests connect as postgres without one.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if [ -f "$hba" ] && ! grep -qE '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    say "allowing trust authentication from 127.0.0.1 in $hba (test machine)"
    "${SUDO[@]}" sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  say "starting PostgreSQL $version"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    pg_answers && break
    sleep 0.5
  done
  pg_answers || die "PostgreSQL did not answer on $PG_HOST:$PG_PORT within 30 s"
fi
command -v psql >/dev/null 2>&1 || apt_install postgresql-client

psql_admin() { psql "$PG_ADMIN_URL" -X -q -w -v ON_ERROR_STOP=1 "$@"; }
psql_admin -tAc 'SELECT 1' >/dev/null || die "cannot connect to $PG_ADMIN_URL without a password"
if [ -n "$PG_DB" ] && [ "$PG_DB" != postgres ]; then
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
    say "creating database $PG_DB"
    psql_admin -c "CREATE DATABASE \"$PG_DB\""
  fi
fi
say "PostgreSQL ready at $PG_HOST:$PG_PORT (database ${PG_DB:-postgres})"

# --- npm packages for the browser tests ---------------------------------------------------------
cd "$ROOT/e2e"
if [ -f package-lock.json ]; then
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
    && [ node_modules/.package-lock.json -nt package.json ]; then
    say "e2e npm packages up to date"
  else
    say "npm ci in e2e/"
    npm ci --no-audit --no-fund --loglevel=error
  fi
else
  say "npm install in e2e/ (no lock file yet)"
  npm install --no-audit --no-fund --loglevel=error
fi
say "done"
