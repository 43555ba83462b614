#!/usr/bin/env bash
# Benchmark of the built-in HTTP server (prints figures; not a test).
#   scripts/serve-bench.sh [N]   N synthetic feeds (default 1000) from ../shared/bench, served by nginx
# The daemon runs on one core (taskset -c 0) and polls every feed every 5 s the whole time (the first
# cycle cold, the rest 304s); the load generators run on the other core. Prints:
#   - conditional GETs answered 304 per second, and latency percentiles, at 50 connections (ab and wrk);
#   - peak and current RSS of the daemon with serving off and on, the same feeds and database;
#   - a reader polling every 5 minutes for a day (288 conditional GETs) while nothing changes;
#   - with SOAK=SECONDS, the daemon's memory every 30 s while wrk keeps 50 connections busy with a mix of
#     conditional GETs, full gzip GETs, the river and the status page: it must stay flat.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
PORT="${PORT:-18187}"
HTTP_PORT="${HTTP_PORT:-18188}"
scripts/install-deps.sh --test
command -v nginx >/dev/null || { apt-get install -y -qq nginx-light >/dev/null; }
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
QUIET_BUILD=1 scripts/build-release.sh --product tributary
BIN="$PWD/.build/release/tributary"

. scripts/bench-corpus.sh
start_corpus_server
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    stop_corpus_server
}
trap cleanup EXIT

state="$work/serve-n$N"
rm -rf "$state" && mkdir -p "$state"
config() {  # $1: with or without [serve]
    printf '[storage]\ndatabase = "db.sqlite"\n[output]\npath = "merged.atom"\ntitle = "bench"\nmax_entries = 500\n'
    printf '[poll]\ninterval = "5s"\nmin_interval = "1s"\nconcurrency = 8\nper_host = 8\ntimeout = "60s"\n[log]\nlevel = "info"\n'
    [ "$1" = serve ] && printf '[serve]\nlisten = "127.0.0.1:%s"\n' "$HTTP_PORT"
    corpus_feed_tables
}
config plain > "$state/plain.toml"
config serve > "$state/serve.toml"

memory() { awk '/VmHWM|VmRSS/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$1/status"; echo; }
start() {  # $1: config; waits for the first (cold) cycle to be written
    : > "$state/log-$1.txt"
    taskset -c 0 "$BIN" run --config "$state/$1.toml" 2>"$state/log-$1.txt" &
    pid=$!
    for _ in $(seq 1 600); do grep -q "output written entries=500" "$state/log-$1.txt" && break; sleep 0.5; done
    sleep 12  # two more cycles (all 304) so the steady state is measured
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }

echo "== N=$N feeds, every feed polled every 5 s; daemon on core 0"
start plain
printf 'serving off: '; memory "$pid"
stop
start serve
printf 'serving on:  '; memory "$pid"
url="http://127.0.0.1:$HTTP_PORT/merged.atom"
etag=$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$url" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
polls_before=$(grep -c "polled" "$state/log-serve.txt" || true)

echo "== ab: 100,000 conditional GETs (If-None-Match, gzip accepted), 50 connections, keep-alive, core 1"
taskset -c 1 ab -q -k -c 50 -n 100000 -H "If-None-Match: $etag" -H 'Accept-Encoding: gzip' "$url" > "$state/ab.txt" 2>&1
grep -E "Complete requests|Non-2xx|Failed requests|Requests per second" "$state/ab.txt"
grep -E "^ +(50|90|99|100)%" "$state/ab.txt" | sed 's/^/latency /'
echo "== wrk: 10 s, 50 connections, one thread, core 1"
taskset -c 1 wrk -t1 -c50 -d10s --latency -H "If-None-Match: $etag" -H 'Accept-Encoding: gzip' "$url" > "$state/wrk.txt" 2>&1
grep -E "Requests/sec|Non-2xx| 50%| 90%| 99%" "$state/wrk.txt"
polls_after=$(grep -c "polled" "$state/log-serve.txt" || true)
echo "feeds polled during the load: $((polls_after - polls_before)) (polling went on)"
printf 'serving on, after the load: '; memory "$pid"

echo "== a reader polling every 5 minutes for a day: 288 conditional GETs while no feed changes"
codes=$(for _ in $(seq 1 288); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "If-None-Match: $etag" -H 'Accept-Encoding: gzip' "$url"
    sleep 0.05
done | sort | uniq -c | tr '\n' ' ')
echo "answers: $codes"

if [ -n "${SOAK:-}" ]; then
    echo "== soak: ${SOAK} s of mixed requests while polling; memory every 30 s"
    cat > "$state/mix.lua" <<LUA
local paths = {"/merged.atom", "/merged.atom", "/", "/status", "/status.json", "/sources.opml", "/missing"}
local n = 0
request = function()
    n = n + 1
    local headers = {["Accept-Encoding"] = "gzip"}
    if n % 2 == 0 then headers["If-None-Match"] = '$etag' end
    return wrk.format("GET", paths[(n % #paths) + 1], headers)
end
LUA
    taskset -c 1 wrk -t1 -c50 -d"${SOAK}s" -s "$state/mix.lua" "http://127.0.0.1:$HTTP_PORT" > "$state/soak.txt" 2>&1 &
    load=$!
    for t in $(seq 30 30 "$SOAK"); do
        sleep 30
        printf 'soak t=%4ds ' "$t"; memory "$pid"
    done
    wait "$load" || true
    grep -E "requests in|Requests/sec" "$state/soak.txt"
fi
stop
