#!/usr/bin/env bash
# Benchmarks a long discussion thread (issue 5, "Performance") with 10,000 messages, on SQLite and
# then on PostgreSQL: live delivery of a new message to 20 open streams, and the thread page
# under load.
#
# For each engine: a release build of `concord serve --demo` on a fresh database (a temporary
# SQLite file; a PostgreSQL database created and dropped as scripts/test.sh does), then, through
# the API with a token from `concord token create --email carol@riverton.example`: a thread on the
# demo's "Safe Routes to School" and 10,000 Markdown messages posted to it
# (POST /api/v1/threads/{id}/messages) by a few keep-alive connections in parallel.
# Then:
#   live delivery  20 readers hold GET /api/v1/threads/{id}/events (Server-Sent Events) open;
#                  one more message at a time is posted and the time from sending the POST until
#                  each reader has the event is taken (BENCH_LIVE_MESSAGES, default 200, each sent
#                  once all 20 had the previous one); p50/p99/max per delivery and until the last
#                  of the 20 has it.
#   wrk -t2 -c64 -d<N>s --timeout 10s --latency on
#     GET /threads/{id}                    the thread page (newest 50 messages), Carol's session
#     GET /api/v1/threads/{id}             the same as JSON, Carol's bearer token
#     GET /threads/{id}?before=<cursor>    a page in the middle of the thread (5,000 messages back)
#   printing requests/s, p99 latency, non-2xx answers, timeouts, the response size, one request's
#   latency alone (after the run) and the machine's idle share during each run.
#
# Usage: scripts/bench-threads.sh [duration-seconds] [engine...]   (default: 10 sqlite postgres)
# Environment: CONCORD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test);
#              CARGO_TARGET_DIR is honoured; BENCH_MESSAGES (10000) changes the thread's length;
#              BENCH_LIVE_READERS (20) and BENCH_LIVE_MESSAGES (200) the live measurement.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
[ "$#" -gt 0 ] && shift
engines=("$@")
[ "${#engines[@]}" -eq 0 ] && engines=(sqlite postgres)
PG_URL="${CONCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
EMAIL=carol@riverton.example
PASSWORD=concord-demo
MESSAGES="${BENCH_MESSAGES:-10000}"
LIVE_READERS="${BENCH_LIVE_READERS:-20}"
LIVE_MESSAGES="${BENCH_LIVE_MESSAGES:-200}"

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

# Starts the thread and posts the messages through the API; prints the thread id and the cursor
# of a page halfway back. Progress and timings go to stderr.
cat >"$work/load.py" <<'PY'
import base64, http.client, json, sys, threading, time, urllib.parse

base, token, message_count = sys.argv[1], sys.argv[2], int(sys.argv[3])
THREADS = 4
url = urllib.parse.urlsplit(base)

def connect():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)

def call(conn, method, path, body=None, expect=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + token}
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status not in expect:
        raise SystemExit(f"{method} {path} answered {response.status}: {payload[:500]!r}")
    return json.loads(payload) if payload else None

conn = connect()
collaborations = call(conn, "GET", "/api/v1/collaborations?limit=100")["items"]
safe = next(c["id"] for c in collaborations if c["title"] == "Safe Routes to School")
thread = call(conn, "POST", f"/api/v1/collaborations/{safe}/threads", {
    "title": "Benchmark: a long thread", "body": "The first of many messages."})["thread"]["id"]
conn.close()

started = time.monotonic()
errors = []
def worker(first, count):
    c = connect()
    try:
        for n in range(first, first + count):
            call(c, "POST", f"/api/v1/threads/{thread}/messages", {
                "body": f"Message {n}: **agreed** the crossing times with the school; see the [map](https://example.org/map/{n}).\n\n- one\n- two"},
                expect=(201,))
    except BaseException as e:
        errors.append(e)
    finally:
        c.close()
share = (message_count - 1) // THREADS
workers = [threading.Thread(target=worker, args=(1 + i * share, share if i < THREADS - 1 else message_count - 1 - share * (THREADS - 1))) for i in range(THREADS)]
for w in workers: w.start()
for w in workers: w.join()
if errors:
    raise SystemExit(f"posting failed: {errors[0]}")
elapsed = time.monotonic() - started
print(f"  {message_count - 1} messages posted in {elapsed:.1f} s ({(message_count - 1) / elapsed:.0f}/s, {THREADS} connections)", file=sys.stderr)

# A cursor halfway back: follow earlier_cursor through the JSON.
conn = connect()
view = call(conn, "GET", f"/api/v1/threads/{thread}")
assert view["thread"]["message_count"] == message_count, view["thread"]["message_count"]
middle = ""
for _ in range(message_count // 2 // 50):
    middle = view["earlier_cursor"]
    view = call(conn, "GET", f"/api/v1/threads/{thread}?before={middle}")
print(thread, middle)
PY

# Live delivery: readers on the API's event stream, one message posted at a time, the time from
# sending each POST until every reader has its event. Prints one summary line.
cat >"$work/live.py" <<'PY'
import asyncio, http.client, json, statistics, sys, time, urllib.parse

base, token, thread, readers, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = urllib.parse.urlsplit(base)
arrivals = {}          # message id -> list of monotonic arrival times, one per reader
wanted = {}            # message id -> event set when every reader has it

def arrived(reader, message):
    times = arrivals.setdefault(message, [])
    times.append(time.monotonic())
    if len(times) == readers and message in wanted:
        wanted[message].set()

async def read_stream(reader_index, ready):
    r, w = await asyncio.open_connection(url.hostname, url.port)
    w.write((f"GET /api/v1/threads/{thread}/events HTTP/1.1\r\nHost: {url.netloc}\r\n"
             f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
    await w.drain()
    status = await r.readline()
    if b" 200 " not in status:
        raise SystemExit(f"stream answered {status!r}")
    ready.set()
    while True:
        line = await r.readline()
        if not line:
            raise SystemExit("a stream ended early")
        if line.startswith(b"id:"):
            arrived(reader_index, line[3:].strip().decode())

def post(conn, body):
    conn.request("POST", f"/api/v1/threads/{thread}/messages", body=json.dumps({"body": body}),
                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status != 201:
        raise SystemExit(f"posting answered {response.status}: {payload[:300]!r}")
    return json.loads(payload)["message"]["id"]

async def main():
    loop = asyncio.get_running_loop()
    readies = [asyncio.Event() for _ in range(readers)]
    tasks = [asyncio.create_task(read_stream(i, readies[i])) for i in range(readers)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in readies)), 30)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    one, last = [], []
    for n in range(rounds + 1):
        sent = time.monotonic()
        message = await loop.run_in_executor(None, post, conn, f"Live {n}: the crossing on Station Road opens on Monday.")
        done = wanted.setdefault(message, asyncio.Event())
        if len(arrivals.get(message, [])) == readers:
            done.set()
        await asyncio.wait_for(done.wait(), 30)
        if n == 0:
            continue  # the first one warms the connections up
        times = [t - sent for t in arrivals[message]]
        one.extend(times)
        last.append(max(times))
    for t in tasks:
        t.cancel()
    ms = lambda xs, q: 1000 * statistics.quantiles(xs, n=100, method="inclusive")[q - 1]
    print(f"{readers} readers, {rounds} messages: each delivery p50 {ms(one, 50):.1f} ms, p99 {ms(one, 99):.1f} ms, "
          f"max {1000 * max(one):.1f} ms; all {readers} delivered p50 {ms(last, 50):.1f} ms, p99 {ms(last, 99):.1f} ms "
          f"(from sending the POST; its own answer included)")

asyncio.run(main())
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
  echo "== $engine: posting $MESSAGES messages"
  read -r thread middle < <(python3 "$work/load.py" "$base" "$token" "$MESSAGES")

  # A session cookie for the pages, signing in through the form as a browser does.
  jar="$work/cookies-$engine"
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$base/sign-in")
  [ "$status" = 303 ] || { echo "sign-in answered $status" >&2; exit 1; }
  session=$(awk '$6=="concord_session"{print $7}' "$jar")
  [ -n "$session" ] || { echo "no session cookie" >&2; exit 1; }

  echo "== $engine: live delivery on the thread of $MESSAGES messages"
  results+=("$(printf '%-9s live: %s' "$engine" "$(python3 "$work/live.py" "$base" "$token" "$thread" "$LIVE_READERS" "$LIVE_MESSAGES")")")
  echo "${results[-1]}"

  page="$base/threads/$thread"
  json="$base/api/v1/threads/$thread"
  middle_page="$base/threads/$thread?before=$middle"
  for address in "$page" "$middle_page"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: concord_session=$session" "$address")
    [ "$status" = 200 ] || { echo "$address answered $status" >&2; exit 1; }
  done

  echo "== $engine: one thread of $MESSAGES messages; wrk -t2 -c64 -d${duration}s --timeout 10s --latency, release build, $(nproc) cores"
  results+=("$(run "GET /threads/{id} (page, newest 50)" "$page" "Cookie: concord_session=$session")")
  echo "${results[-1]}"
  results+=("$(run "GET /api/v1/threads/{id}" "$json" "Authorization: Bearer $token")")
  echo "${results[-1]}"
  results+=("$(run "GET /threads/{id}?before= (5,000 back)" "$middle_page" "Cookie: concord_session=$session")")
  echo "${results[-1]}"
  stop_server
  drop_db
done

echo
echo "Summary"
printf '%s\n' "${results[@]}"
