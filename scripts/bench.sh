#!/usr/bin/env bash
# Measures requests per second of the collaboration list API and of one collaboration page, on the
# embedded SQLite database with the demo data, release build, using wrk (-t2 -c64 -d10s).
# Prints the machine's idle share during each run, since a busy machine halves these figures.
# Usage: scripts/bench.sh [duration-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p concord-cli -q
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CONCORD_LOG=warn ./target/release/concord --database-url "sqlite://$work/concord.db" serve --demo --bind "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/v1/collaborations" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
id=$(curl -fs "$base/api/v1/collaborations" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

idle() { awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
run() {
  local name="$1" url="$2"
  read -r idle0 total0 < <(idle)
  local out; out=$(wrk -t2 -c64 -d"${duration}s" --latency "$url")
  read -r idle1 total1 < <(idle)
  local rps; rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  local p99; p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local non2xx; non2xx=$(awk '/Non-2xx/{print $5}' <<<"$out")
  printf '%-34s %10s req/s   p99 %-8s non-2xx %-4s (machine idle during run: %s%%)\n' "$name" "$rps" "$p99" "${non2xx:-0}" \
    "$(awk -v a="$idle0" -v b="$idle1" -v c="$total0" -v d="$total1" 'BEGIN{printf "%.0f", 100*(b-a)/(d-c)}')"
}
echo "wrk -t2 -c64 -d${duration}s, release build, SQLite with demo data, $(nproc) cores"
run "GET /api/v1/collaborations" "$base/api/v1/collaborations"
run "GET /collaborations/{id} (page)" "$base/collaborations/$id"
run "GET /static/concord.css (ceiling)" "$base/static/concord.css"
