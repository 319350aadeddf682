#!/usr/bin/env bash
# Benchmarks the collaboration dashboard, the HTML page and its JSON twin, with 50 key results x 60
# monthly measurements each, on SQLite and then on PostgreSQL (issue 3, "Performance").
#
# For each engine: a release build of `concord serve --demo` on a fresh database (a temporary
# SQLite file; a PostgreSQL database created and dropped as scripts/test.sh does), then, through
# the API with a token from `concord token create --email carol@riverton.example`: a partners-only
# collaboration with 5 objectives x 10 key results, and the 3,000 measurements in one CSV upload
# (POST /api/v1/collaborations/{id}/measurements/import). Then `wrk -t2 -c64 -d<N>s --latency` on
#   GET /collaborations/{id}/dashboard           with Carol's session cookie (pages take no token)
#   GET /api/v1/collaborations/{id}/dashboard    with Carol's bearer token
# printing requests/s, p99 latency, non-2xx answers, the response size and the machine's idle share
# during each run (a busy machine halves these figures: run it on a quiet one).
#
# Usage: scripts/bench-dashboard.sh [duration-seconds] [engine...]   (default: 10 sqlite postgres)
# Environment: CONCORD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test): the
#              server on which a scratch database is created; CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
[ "$#" -gt 0 ] && shift
engines=("$@")
[ "${#engines[@]}" -eq 0 ] && engines=(sqlite postgres)
PG_URL="${CONCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
EMAIL=carol@riverton.example
PASSWORD=concord-demo

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p concord-cli -q
target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
binary="$target_dir/release/concord"

# postgres://user@host:port/db?params with another database name.
url_with_db() {
  local url="$1" db="$2" query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  [[ "${url#*://}" == */* ]] && url="${url%/*}"
  echo "$url/$db$query"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/concord-bench.XXXXXX")
server="" pg_db=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  server=""
}
drop_db() {
  if [ -n "$pg_db" ]; then
    psql "$(url_with_db "$PG_URL" postgres)" -X -q -w -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 \
      || echo "could not drop database $pg_db" >&2
    pg_db=""
  fi
}
trap 'stop_server; drop_db; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Creates the collaboration and its data through the API; prints the collaboration id.
cat >"$work/load.py" <<'PY'
import datetime, json, sys, urllib.request

base, token = sys.argv[1], sys.argv[2]

def call(method, path, body=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request) as response:
        return json.load(response)

def month(first, months):
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)

today = datetime.datetime.now(datetime.timezone.utc).date()
baseline = month(today.replace(day=1), -61)
collaboration = call("POST", "/api/v1/collaborations", {
    "title": "Benchmark: fifty indicators",
    "summary": "Fifty key results with five years of monthly measurements.",
    "visibility": "partners", "status": "active"})["collaboration"]["id"]
rows = ["key_result_id,date,value,source"]
for o in range(5):
    objective = call("POST", f"/api/v1/collaborations/{collaboration}/objectives",
                     {"title": f"Objective {o + 1}", "status": "active"})["objective"]["id"]
    for k in range(10):
        n = o * 10 + k
        key_result = call("POST", f"/api/v1/objectives/{objective}/key-results", {
            "name": f"Indicator {n + 1:02}", "unit": "%", "direction": "increase",
            "baseline_value": "10", "baseline_date": baseline.isoformat(),
            "target_value": "80", "target_date": (today + datetime.timedelta(days=365)).isoformat(),
            "cadence": "monthly"})["key_result"]["id"]
        slope = 0.4 + (n % 10) * 0.15  # from well behind to ahead of the target
        for m in range(1, 61):
            value = round(10 + slope * m + (m * 7 + n) % 5 - 2, 2)
            rows.append(f"{key_result},{month(baseline, m).isoformat()},{value},Monthly report {m}")
imported = call("POST", f"/api/v1/collaborations/{collaboration}/measurements/import",
                ("\n".join(rows) + "\n").encode(), "text/csv")["imported"]
assert imported == 3000, imported
print(collaboration)
PY

idle() { awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
run() {
  local name="$1" url="$2" header="$3"
  read -r idle0 total0 < <(idle)
  local out; out=$(wrk -t2 -c64 -d"${duration}s" --latency -H "$header" "$url")
  read -r idle1 total1 < <(idle)
  local rps; rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  local p99; p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $5}' <<<"$out")
  local bytes; bytes=$(curl -fs -H "$header" "$url" | wc -c)
  printf '%-9s %-40s %9s req/s   p99 %-9s non-2xx %-5s %7s KiB   (machine idle during run: %s%%)\n' \
    "$engine" "$name" "$rps" "$p99" "${non2xx:-0}" "$((bytes / 1024))" \
    "$(awk -v a="$idle0" -v b="$idle1" -v c="$total0" -v d="$total1" 'BEGIN{printf "%.0f", 100*(b-a)/(d-c)}')"
}

results=()
for engine in "${engines[@]}"; do
  case "$engine" in
    sqlite) database_url="sqlite://$work/concord.db" ;;
    postgres)
      pg_db="concord_bench_$(date +%s)_$RANDOM"
      psql "$(url_with_db "$PG_URL" postgres)" -X -q -w -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pg_db" >/dev/null
      database_url="$(url_with_db "$PG_URL" "$pg_db")"
      ;;
    *) echo "unknown engine: $engine (sqlite or postgres)" >&2; exit 2 ;;
  esac
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  CONCORD_LOG=warn "$binary" --database-url "$database_url" serve --demo --bind "127.0.0.1:$port" \
    >"$work/server-$engine.log" 2>&1 </dev/null &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$base/" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server-$engine.log" >&2; exit 1; }
    sleep 0.1
  done
  token=$("$binary" --database-url "$database_url" token create --email "$EMAIL" --name bench)
  id=$(python3 "$work/load.py" "$base" "$token")

  # A session cookie for the page, signing in through the form as a browser does.
  jar="$work/cookies-$engine"
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$base/sign-in")
  [ "$status" = 303 ] || { echo "sign-in answered $status" >&2; exit 1; }
  session=$(awk '$6=="concord_session"{print $7}' "$jar")
  [ -n "$session" ] || { echo "no session cookie" >&2; exit 1; }

  page="$base/collaborations/$id/dashboard"
  json="$base/api/v1/collaborations/$id/dashboard"
  charts=$(curl -fs -H "Cookie: concord_session=$session" "$page" | grep -o '<svg' | wc -l)
  total=$(curl -fs -H "Authorization: Bearer $token" "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["key_result_counts"]["total"], sum(len(k["measurements"]) for o in d["objectives"] for k in o["key_results"]))')
  [ "$charts" = 50 ] && [ "$total" = "50 3000" ] || { echo "unexpected dashboard: $charts charts, $total" >&2; exit 1; }

  echo "== $engine: 50 key results x 60 measurements; wrk -t2 -c64 -d${duration}s --latency, release build, $(nproc) cores"
  results+=("$(run "GET /collaborations/{id}/dashboard (page)" "$page" "Cookie: concord_session=$session")")
  echo "${results[-1]}"
  results+=("$(run "GET /api/v1/collaborations/{id}/dashboard" "$json" "Authorization: Bearer $token")")
  echo "${results[-1]}"
  stop_server
  drop_db
done

echo
echo "Summary"
printf '%s\n' "${results[@]}"
