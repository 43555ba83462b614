# Sourced by scripts/bench.sh and scripts/serve-bench.sh: the seeded corpus of ../shared/bench, its nginx
# server, and [[feed]] tables for it. Expects N and PORT; sets `work` and `corpus`.
work="${BENCH_DIR:-/tmp/tributary-bench}"
mkdir -p "$work"
rm -rf "$work/bench" && cp -r ../shared/bench "$work/bench" && chmod -R u+w "$work/bench"
corpus="$work/corpus-n$N"
# An advanced corpus no longer matches its manifest's expected counts: start from a fresh one.
[ -f "$corpus/advance_state.json" ] && rm -rf "$corpus"
if [ ! -f "$corpus/manifest.json" ]; then
    python3 "$work/bench/gen_feeds.py" gen --out "$corpus" --n "$N" --k 50 --seed 42 >/dev/null
fi

# nginx on 127.0.0.1:$PORT serving the corpus (gzip, ETag/304), restarted if left running.
start_corpus_server() {
    "$work/bench/server.sh" stop "$PORT" >/dev/null 2>&1 || true
    "$work/bench/server.sh" start "$corpus/feeds" "$PORT" >/dev/null
}
stop_corpus_server() { "$work/bench/server.sh" stop "$PORT" >/dev/null 2>&1 || true; }

# One [[feed]] table for each feed of the corpus.
corpus_feed_tables() {
    while read -r name; do
        printf '[[feed]]\nname = "%s"\nurl = "http://127.0.0.1:%s/%s"\n' "$name" "$PORT" "$name"
    done < "$corpus/names.txt"
}
