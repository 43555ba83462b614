#!/usr/bin/env bash
# What the near-duplicate layer costs and decides (figures, not tests):
#   scripts/neardup-bench.sh [N] [ROUNDS]   cold poll cycles of the N-feed bench corpus (default 1000, 2 rounds)
# with [identity] near_duplicates off, on (the default 48 h window), and on with a 365-day window (every item
# compared and indexed: the worst case). The harness dates its corpus around 2024-06-03, which a 48-hour
# window would leave out; this script generates the same seeded corpus dated up to the current hour, so that
# it is the last days' news, as on a real first poll. The stored counts must not change: the corpus's
# stories are distinct or exact copies. Then the scores of `tributary same-story` on the labelled pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
ROUNDS="${2:-2}"
PORT="${PORT:-18189}"
scripts/install-deps.sh
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
QUIET_BUILD=1 scripts/build-release.sh --product tributary
BIN="$PWD/.build/release/tributary"

. scripts/bench-corpus.sh
# The same corpus, dated up to now.
corpus="$work/corpus-recent-n$N"
rm -rf "$corpus"
sed 's/^T_REF = .*/T_REF = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)/' \
    "$work/bench/gen_feeds.py" > "$work/bench/gen_recent.py"
python3 "$work/bench/gen_recent.py" gen --out "$corpus" --n "$N" --k 50 --seed 42 >/dev/null
start_corpus_server
trap stop_corpus_server EXIT

cold() {
    local label="$1" identity="$2"
    local state="$work/neardup-$label"
    rm -rf "$state" && mkdir -p "$state"
    {
        printf '[storage]\ndatabase = "db.sqlite"\n[output]\npath = "merged.atom"\ntitle = "bench"\nmax_entries = 500\n'
        printf '[poll]\nconcurrency = 8\nper_host = 8\ntimeout = "60s"\n[log]\nlevel = "warning"\n%b\n' "$identity"
        corpus_feed_tables
    } > "$state/feeds.toml"
    /usr/bin/time -f "%e %U %S %M" -o "$state/time.txt" "$BIN" poll --config "$state/feeds.toml" > "$state/poll.txt" 2>"$state/log.txt"
    read -r wall user sys rss < "$state/time.txt"
    local sketches
    sketches=$(sqlite3 "$state/db.sqlite" "SELECT count(*) FROM story_sketches" 2>/dev/null || echo "?")
    printf '%-12s cpu %6.2f s  wall %6.2f s  peak rss %4d MB  sketches %6s | %s\n' "$label" "$(echo "$user + $sys" | bc)" \
        "$wall" $((rss / 1024)) "$sketches" "$(tail -1 "$state/poll.txt")"
}

echo "== cold cycles, N=$N (nginx on 127.0.0.1:$PORT), corpus dated up to $(date -u +%Y-%m-%dT%H:00Z)"
for round in $(seq "$ROUNDS"); do
    cold off '[identity]\nnear_duplicates = false'
    cold on ''
    cold on-365d '[identity]\nwindow = "365d"'
done
python3 - "$corpus/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print("expected unique stories %d, unique links %d" % (m["expected_unique_stories"], m["expected_unique_links"]))
PY

echo "== same-story on labelled pairs (WD recall, false merges; full texts and first 40 words)"
python3 ../shared/neardup/score.py ../shared/neardup/pairs.jsonl --cmd "$BIN same-story {pairs}"
python3 ../shared/neardup/score.py Tests/TributaryTests/Fixtures/neardup/english-pairs.jsonl --cmd "$BIN same-story {pairs}"
