#!/usr/bin/env bash
# Benchmarks that print figures (not tests). Uses ../shared/bench's seeded corpus and nginx.
#   scripts/bench.sh [N]      N synthetic feeds (default 1000), 50 items each
#   SOAK=120 scripts/bench.sh also runs the daemon for 120 s polling every feed every 2 s (min_interval
#                             lowered for the run), and prints its RSS over time: it must stay flat
# Prints: parse throughput (MB per CPU-second), then cold / warm (all 304) / incremental poll
# cycles of `tributary poll` against nginx on 127.0.0.1: wall, CPU, peak RSS, requests, items.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
PORT="${PORT:-18187}"
scripts/install-deps.sh
command -v nginx >/dev/null || { apt-get install -y -qq nginx-light >/dev/null; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
QUIET_BUILD=1 scripts/build-release.sh --product tributary
QUIET_BUILD=1 scripts/build-release.sh --product tributary-bench
BIN="$PWD/.build/release/tributary"

. scripts/bench-corpus.sh

echo "== parse (one core, from memory)"
.build/release/tributary-bench parse "$corpus/feeds" 5

echo "== emit (rewrite a 500-entry output from a database of 1,000,000 items)"
[ -f "$work/emit.sqlite" ] || echo "(first run: loading 1,000,000 synthetic items, about a minute)"
.build/release/tributary-bench emit "$work/emit.sqlite" 1000000

start_corpus_server
trap stop_corpus_server EXIT

state="$work/state-n$N"
rm -rf "$state" && mkdir -p "$state"
{
    printf '[storage]\ndatabase = "db.sqlite"\n[output]\npath = "merged.atom"\ntitle = "bench"\nmax_entries = 500\n'
    printf '[poll]\nconcurrency = 8\nper_host = 8\ntimeout = "60s"\n[log]\nlevel = "warning"\n'
    corpus_feed_tables
} > "$state/feeds.toml"

cycle() {
    local label="$1"
    /usr/bin/time -f "%e %U %S %M" -o "$state/time.txt" "$BIN" poll --config "$state/feeds.toml" > "$state/poll-$label.txt" 2>"$state/log-$label.txt"
    read -r wall user sys rss < "$state/time.txt"
    local items
    items=$(tail -1 "$state/poll-$label.txt")
    printf '%-6s wall %6.2f s  cpu %6.2f s  peak rss %4d MB  | %s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$items"
}

echo "== poll cycles, N=$N (nginx on 127.0.0.1:$PORT, gzip, ETag/304)"
cycle cold
cycle warm
python3 "$work/bench/gen_feeds.py" advance --dir "$corpus" --percent 5 --items 3 >/dev/null
cycle incr
python3 - "$corpus/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print("expected unique stories %d, unique links %d (cold cycle; 'items stored' above is what Tributary kept)"
      % (m["expected_unique_stories"], m["expected_unique_links"]))
PY
ls -la "$state/db.sqlite" | awk '{printf "database %.1f MB\n", $5/1048576}'

if [ -n "${SOAK:-}" ]; then
    echo "== soak: tributary run for ${SOAK} s, every feed polled every 2 s"
    # Its own database: the first cycle is cold, the rest are 304s.
    rm -f "$state"/soak.sqlite* "$state"/soak.atom
    sed -e 's/^concurrency = 8$/concurrency = 8\ninterval = "2s"\nmin_interval = "1s"/' \
        -e 's/^database = .*/database = "soak.sqlite"/' -e 's/^path = .*/path = "soak.atom"/' \
        "$state/feeds.toml" > "$state/soak.toml"
    before=$(wc -l < "$work/bench/run/nginx-$PORT/access.log")
    "$BIN" run --config "$state/soak.toml" --log-level error 2>"$state/log-soak.txt" &
    pid=$!
    for t in $(seq 10 10 "$SOAK"); do
        sleep 10
        rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
        cpu=$(awk '{print ($14 + $15) / 100}' /proc/$pid/stat)
        requests=$(( $(wc -l < "$work/bench/run/nginx-$PORT/access.log") - before ))
        printf 'soak t=%4ds rss %6d KB  cpu %6.1f s  requests %d\n' "$t" "$rss" "$cpu" "$requests"
    done
    kill -TERM $pid
    wait $pid && echo "soak: daemon exited 0 on SIGTERM"
fi
