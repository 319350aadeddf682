#!/usr/bin/env bash
# Runs every test of Concord, on both database engines:
#   1. scripts/setup.sh            installs/starts what the tests need (Chromium, PostgreSQL, npm packages)
#   2. cargo build                 the whole workspace, all targets, once
#   3. cargo test on SQLite        CONCORD_TEST_ENGINE=sqlite
#   4. cargo test on PostgreSQL    CONCORD_TEST_ENGINE=postgres (a fresh schema per test)
#   5. browser tests on SQLite     `concord serve --demo` on a fresh temporary SQLite file
#   6. browser tests on PostgreSQL `concord serve --demo` on a fresh database, dropped afterwards
# A failing test stage does not hide the others: all run, then the script exits non-zero if any
# failed. A failing setup or build stops at once. The last line is a plain summary.
#
# Usage: scripts/test.sh [STAGE...]   STAGE: sqlite postgres e2e-sqlite e2e-postgres (default: all)
# Environment: CONCORD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
#              CARGO_TARGET_DIR (honoured; the binary is looked up through cargo metadata).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export CONCORD_TEST_POSTGRES_URL="${CONCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

ALL_STAGES=(sqlite postgres e2e-sqlite e2e-postgres)
if [ "$#" -gt 0 ]; then STAGES=("$@"); else STAGES=("${ALL_STAGES[@]}"); fi
for stage in "${STAGES[@]}"; do
  case " ${ALL_STAGES[*]} " in *" $stage "*) ;; *) echo "unknown stage: $stage (choose from: ${ALL_STAGES[*]})" >&2; exit 2 ;; esac
done

START=$SECONDS
PASSED=()
FAILED=()
TIMINGS=()

banner() {
  printf '\n==============================================================================\n'
  printf '== %s\n' "$*"
  printf '==============================================================================\n'
}
elapsed() { local s=$(( SECONDS - $1 )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

# Runs a stage in a subshell with errexit on, records its result and time, never exits.
run_stage() {
  local name="$1"; shift
  local t0=$SECONDS rc
  banner "$name"
  set +e
  ( set -euo pipefail; "$@" )
  rc=$?
  set -e
  TIMINGS+=("$(printf '%-34s %s  %s' "$name" "$(elapsed "$t0")" "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  if [ "$rc" -eq 0 ]; then PASSED+=("$name"); else FAILED+=("$name"); fi
  return 0
}

summary() {
  banner "Summary"
  printf '%s\n' "${TIMINGS[@]}"
  printf '%-34s %s\n' "total" "$(elapsed "$START")"
  if [ "${#FAILED[@]}" -gt 0 ]; then
    printf 'FAILED stages: %s\n' "${FAILED[*]}"
  fi
  # Stages, counted as a plain closing line.
  printf 'Summary: %d passed, %d failed\n' "${#PASSED[@]}" "${#FAILED[@]}"
}

# --- stages -------------------------------------------------------------------------------------

stage_setup() { bash "$ROOT/scripts/setup.sh"; }

stage_build() { cargo build --workspace --all-targets; }

stage_cargo_test() {
  local engine="$1"
  echo "CONCORD_TEST_ENGINE=$engine"
  [ "$engine" = postgres ] && echo "CONCORD_TEST_POSTGRES_URL=$CONCORD_TEST_POSTGRES_URL"
  CONCORD_TEST_ENGINE="$engine" cargo test --workspace
}

target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))'
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# postgres://user@host:port/db?params with another database name.
url_with_db() {
  local url="$1" db="$2" query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  [[ "${url#*://}" == */* ]] && url="${url%/*}"
  echo "$url/$db$query"
}

# Browser tests against a real `concord serve --demo` on a fresh database of the given engine.
stage_e2e() {
  local engine="$1"
  local binary port base_url database_url
  # Not local: the EXIT trap reads them after this function has returned (the stage's subshell
  # keeps them from leaking anywhere else).
  work="" pg_db="" server_pid=""
  binary="$(target_dir)/debug/concord"
  [ -x "$binary" ] || { echo "no binary at $binary: did the build stage run?" >&2; return 1; }
  work="$(mktemp -d "${TMPDIR:-/tmp}/concord-e2e.XXXXXX")"

  cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
      kill "$server_pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_db" ]; then
      psql "$(url_with_db "$CONCORD_TEST_POSTGRES_URL" postgres)" -X -q -w \
        -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 \
        && echo "dropped database $pg_db" || echo "could not drop database $pg_db" >&2
    fi
    rm -rf "$work"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  case "$engine" in
    sqlite) database_url="sqlite://$work/concord.db" ;;
    postgres)
      pg_db="concord_e2e_$(date +%s)_$RANDOM"
      psql "$(url_with_db "$CONCORD_TEST_POSTGRES_URL" postgres)" -X -q -w -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE $pg_db" >/dev/null
      database_url="$(url_with_db "$CONCORD_TEST_POSTGRES_URL" "$pg_db")"
      echo "created database $pg_db"
      ;;
  esac

  port="$(free_port)"
  base_url="http://127.0.0.1:$port"
  echo "starting concord serve --demo on $base_url ($engine)"
  CONCORD_LOG="${CONCORD_LOG:-info,sqlx=warn}" "$binary" serve --demo --bind "127.0.0.1:$port" \
    --database-url "$database_url" >"$work/server.log" 2>&1 </dev/null &
  server_pid=$!

  # Ready when the home page answers; give up after 60 s or as soon as the server dies.
  local ready=0
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    if curl -fs -o /dev/null --max-time 2 "$base_url/"; then ready=1; break; fi
    sleep 0.2
  done
  if [ "$ready" -ne 1 ]; then
    echo "the server did not become ready; its log:" >&2
    cat "$work/server.log" >&2
    return 1
  fi
  echo "server ready (pid $server_pid)"

  local rc=0
  (cd "$ROOT/e2e" && CONCORD_E2E_URL="$base_url" CONCORD_E2E_LABEL="$engine" npm test --silent) || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "--- last lines of the server log ---"
    tail -n 40 "$work/server.log"
  fi
  return "$rc"
}

# --- main ---------------------------------------------------------------------------------------

trap 'echo; echo "interrupted"; exit 130' INT TERM

run_stage "setup" stage_setup
run_stage "cargo build (all targets)" stage_build
if [ "${#FAILED[@]}" -gt 0 ]; then
  summary
  exit 1
fi

for stage in "${STAGES[@]}"; do
  case "$stage" in
    sqlite) run_stage "cargo test on SQLite" stage_cargo_test sqlite ;;
    postgres) run_stage "cargo test on PostgreSQL" stage_cargo_test postgres ;;
    e2e-sqlite) run_stage "browser tests on SQLite" stage_e2e sqlite ;;
    e2e-postgres) run_stage "browser tests on PostgreSQL" stage_e2e postgres ;;
  esac
done

summary
[ "${#FAILED[@]}" -eq 0 ]
