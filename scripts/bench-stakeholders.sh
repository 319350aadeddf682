#!/usr/bin/env bash
# Benchmarks the stakeholder register and the flagged list (issue 4, "Performance") with 2,000
# stakeholders and 20,000 engagements, on SQLite and then on PostgreSQL.
#
# For each engine: a release build of `concord serve --demo` on a fresh database (a temporary
# SQLite file; a PostgreSQL database created and dropped as scripts/test.sh does), then, through
# the API with a token from `concord token create --email carol@riverton.example`: a partners-only
# collaboration, 2,000 stakeholders in one CSV upload
# (POST /api/v1/collaborations/{id}/stakeholders/import; owner Carol; all kinds, scores,
# attitudes and frequencies), and 20,000 engagements (POST /api/v1/collaborations/{id}/engagements,
# each with 1-3 stakeholders, dated over the past two years, never after today) sent by a few
# keep-alive connections in parallel. About 10% of the key stakeholders (influence >= 3) are never
# engaged. (They raise no early-involvement flag yet: the window runs from the day a stakeholder
# was added, which is today; the flagged list is made of overdue relationships.)
# Then `wrk -t2 -c64 -d<N>s --timeout 10s --latency` on
#   GET /collaborations/{id}/stakeholders               register page (grid + first 100), Carol's session cookie
#   GET /api/v1/collaborations/{id}/stakeholders/flags  flagged list as JSON, Carol's bearer token
#   GET /collaborations/{id}/stakeholders/flags         flagged list page, Carol's session cookie
# printing requests/s, p99 latency, non-2xx answers, timeouts, the response size, one request's
# latency alone (after the run) and the machine's idle share during each run (a busy machine halves
# these figures: run it on a quiet one).
#
# Usage: scripts/bench-stakeholders.sh [duration-seconds] [engine...]   (default: 10 sqlite postgres)
# Environment: CONCORD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test): the
#              server on which a scratch database is created; CARGO_TARGET_DIR is honoured;
#              BENCH_STAKEHOLDERS (2000) and BENCH_ENGAGEMENTS (20000) change the data's size.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
[ "$#" -gt 0 ] && shift
engines=("$@")
[ "${#engines[@]}" -eq 0 ] && engines=(sqlite postgres)
PG_URL="${CONCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
EMAIL=carol@riverton.example
PASSWORD=concord-demo
STAKEHOLDERS="${BENCH_STAKEHOLDERS:-2000}"
ENGAGEMENTS="${BENCH_ENGAGEMENTS:-20000}"

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

# Creates the collaboration, imports the stakeholders and records the engagements through the API;
# prints the collaboration id. Progress and timings go to stderr.
cat >"$work/load.py" <<'PY'
import datetime, http.client, json, random, sys, threading, time, urllib.parse

base, token, stakeholder_count, engagement_count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
THREADS = 4
url = urllib.parse.urlsplit(base)

def connect():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)

def call(conn, method, path, body=None, content_type="application/json", expect=(200, 201)):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Authorization": "Bearer " + token}
    if data is not None:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status not in expect:
        raise SystemExit(f"{method} {path} answered {response.status}: {payload[:500]!r}")
    return json.loads(payload) if payload else None

rng = random.Random(4)
today = datetime.datetime.now(datetime.timezone.utc).date()
conn = connect()
started = time.monotonic()
collaboration = call(conn, "POST", "/api/v1/collaborations", {
    "title": "Benchmark: two thousand stakeholders",
    "summary": "A national consultation with 2,000 stakeholders and two years of engagements.",
    "visibility": "partners", "status": "active",
    "start_date": (today - datetime.timedelta(days=730)).isoformat()})["collaboration"]["id"]

kinds = ["external_organisation", "group", "person", "external_organisation", "group"]
attitudes = ["champion", "supporter", "neutral", "neutral", "sceptic", "opponent"]
frequencies = ["weekly", "fortnightly", "monthly", "monthly", "quarterly", "half_yearly", "yearly", "as_needed"]
rows = ["name,kind,stake,influence,interest,attitude,frequency,owner_email"]
for n in range(stakeholder_count):
    kind = kinds[n % len(kinds)]
    name = {"person": f"Person {n + 1:04}", "group": f"Residents' group {n + 1:04}"}.get(kind, f"Organisation {n + 1:04}")
    rows.append(",".join([
        name, kind, f"\"Stake {n + 1}: affected by the programme, with views on its second phase\"",
        str(rng.randint(1, 5)), str(rng.randint(1, 5)), rng.choice(attitudes), rng.choice(frequencies), "carol@riverton.example"]))
imported = call(conn, "POST", f"/api/v1/collaborations/{collaboration}/stakeholders/import",
                ("\n".join(rows) + "\n").encode(), "text/csv")["imported"]
assert imported == stakeholder_count, imported
print(f"  {imported} stakeholders imported in {time.monotonic() - started:.1f} s", file=sys.stderr)

# The ids, from the export (every column the import read, plus the id).
export = call(conn, "GET", f"/api/v1/collaborations/{collaboration}/stakeholders/export/stakeholders.json")
assert len(export) == stakeholder_count, len(export)
key = [s["id"] for s in export if int(s["influence"]) >= 3]
left_out = set(rng.sample(key, len(key) // 10))
pool = [s["id"] for s in export if s["id"] not in left_out]
conn.close()

channels = ["meeting", "workshop", "consultation", "email", "call", "site_visit", "survey"]
bodies = []
for n in range(engagement_count):
    engaged_on = today - datetime.timedelta(days=rng.randint(0, 729))
    body = {"engaged_on": engaged_on.isoformat(), "channel": rng.choice(channels),
            "summary": f"Engagement {n + 1}: discussed the draft proposals and the next steps for the consultation.",
            "stakeholder_ids": rng.sample(pool, rng.randint(1, 3))}
    if n % 5 == 0:
        body["outcome"] = "Broad support, with concerns about the timetable."
    bodies.append(json.dumps(body).encode())

started = time.monotonic()
errors = []
def worker(part):
    c = connect()
    try:
        for body in part:
            call(c, "POST", f"/api/v1/collaborations/{collaboration}/engagements", body, expect=(201,))
    except BaseException as e:  # reported by the main thread
        errors.append(e)
    finally:
        c.close()
threads = [threading.Thread(target=worker, args=(bodies[i::THREADS],)) for i in range(THREADS)]
for t in threads: t.start()
for t in threads: t.join()
if errors:
    raise SystemExit(f"loading engagements failed: {errors[0]}")
elapsed = time.monotonic() - started
print(f"  {engagement_count} engagements recorded in {elapsed:.1f} s ({engagement_count / elapsed:.0f}/s, {THREADS} connections); "
      f"{len(left_out)} of {len(key)} key stakeholders never engaged", file=sys.stderr)
print(collaboration)
PY

idle() { awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
run() {
  local name="$1" url="$2" header="$3"
  read -r idle0 total0 < <(idle)
  # wrk's default 2 s timeout would cap p99 at 2 s and hide slow answers: allow 10 s.
  local out; out=$(wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -H "$header" "$url")
  read -r idle1 total1 < <(idle)
  local rps; rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  local p99; p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $5}' <<<"$out")
  local timeouts; timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' <<<"$out")
  local bytes; bytes=$(curl -fs -H "$header" "$url" | wc -c)
  # One request alone, after the run: the latency without queueing.
  local single; single=$(curl -fs -o /dev/null -w '%{time_total}' -H "$header" "$url" | awk '{printf "%.0f ms", $1 * 1000}')
  printf '%-9s %-50s %9s req/s   p99 %-9s non-2xx %-5s timeouts %-4s %7s KiB   alone %-8s (machine idle during run: %s%%)\n' \
    "$engine" "$name" "$rps" "$p99" "${non2xx:-0}" "${timeouts:-0}" "$((bytes / 1024))" "$single" \
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
  echo "== $engine: loading $STAKEHOLDERS stakeholders and $ENGAGEMENTS engagements"
  id=$(python3 "$work/load.py" "$base" "$token" "$STAKEHOLDERS" "$ENGAGEMENTS")

  # A session cookie for the pages, signing in through the form as a browser does.
  jar="$work/cookies-$engine"
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$base/sign-in")
  [ "$status" = 303 ] || { echo "sign-in answered $status" >&2; exit 1; }
  session=$(awk '$6=="concord_session"{print $7}' "$jar")
  [ -n "$session" ] || { echo "no session cookie" >&2; exit 1; }

  register="$base/collaborations/$id/stakeholders"
  flags_json="$base/api/v1/collaborations/$id/stakeholders/flags"
  flags_page="$base/collaborations/$id/stakeholders/flags"
  # What the runs will read: the register's size and the flagged list's, so a broken load shows.
  counts=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/collaborations/$id/stakeholders" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], d["flagged"], len(d["items"]))')
  flagged=$(curl -fs -H "Authorization: Bearer $token" "$flags_json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  read -r total register_flagged listed <<<"$counts"
  [ "$total" = "$STAKEHOLDERS" ] && [ "$flagged" = "$register_flagged" ] && [ "$flagged" -gt 0 ] \
    || { echo "unexpected register: $total stakeholders, $register_flagged flagged, flags list $flagged" >&2; exit 1; }
  for page in "$register" "$flags_page"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: concord_session=$session" "$page")
    [ "$status" = 200 ] || { echo "$page answered $status" >&2; exit 1; }
  done

  echo "== $engine: $total stakeholders ($listed on the register's first page), $ENGAGEMENTS engagements, $flagged flagged;" \
    "wrk -t2 -c64 -d${duration}s --timeout 10s --latency, release build, $(nproc) cores"
  results+=("$(run "GET /collaborations/{id}/stakeholders (page)" "$register" "Cookie: concord_session=$session")")
  echo "${results[-1]}"
  results+=("$(run "GET /api/v1/collaborations/{id}/stakeholders/flags" "$flags_json" "Authorization: Bearer $token")")
  echo "${results[-1]}"
  results+=("$(run "GET /collaborations/{id}/stakeholders/flags (page)" "$flags_page" "Cookie: concord_session=$session")")
  echo "${results[-1]}"
  stop_server
  drop_db
done

echo
echo "Summary"
printf '%s\n' "${results[@]}"
