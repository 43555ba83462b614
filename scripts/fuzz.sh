#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (AddressSanitizer + libFuzzer) and runs each for SECONDS,
# seeded from ../shared/conformance/corpus and the project's own fixtures.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]     targets: feed-parser html-sanitizer config opml serve-request zone-table
# Crashes, hangs (over 10 s per input) and leaks stop a target; the input lands in Fuzz/artifacts/.
# Prints, per target, the executions, coverage and exit status; exits non-zero if any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(feed-parser html-sanitizer config opml serve-request zone-table)
(cd Fuzz && swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | grep -v "Cannot export" | tail -1)
shared=../shared/conformance/corpus
mkdir -p Fuzz/artifacts
seed() {  # target -> seed folder
    local dir=Fuzz/corpus/$1
    [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && return
    mkdir -p "$dir"
    case $1 in
        feed-parser)
            find "$shared" -type f ! -path '*/expected/*' -size -200k 2>/dev/null | head -600 | while read -r f; do cp "$f" "$dir/"; done ;;
        html-sanitizer)
            # Item bodies as the parser sees them: the text of description/content elements in the corpus.
            python3 - "$shared" "$dir" <<'PY'
import sys, os, re, html, hashlib
src, out = sys.argv[1], sys.argv[2]
n = 0
for root, _, files in os.walk(src):
    if 'expected' in root: continue
    for f in files:
        try: text = open(os.path.join(root, f), encoding='utf-8', errors='replace').read()
        except OSError: continue
        for m in re.finditer(r'<(description|content|summary|content:encoded)[^>]*>(.*?)</\1>', text, re.S):
            body = m.group(2)
            body = body[9:-3] if body.startswith('<![CDATA[') else html.unescape(body)
            if 0 < len(body) < 20000:
                open(os.path.join(out, hashlib.sha1(body.encode()).hexdigest()), 'w').write(body)
                n += 1
        if n > 800: sys.exit(0)
PY
            ;;
        config)
            cp feeds.toml "$dir/"
            printf '[poll]\ninterval = "15m"\nmax_body_size = "10MB"\n[[feed]]\nurl = "https://a.example/"\n' > "$dir/minimal.toml" ;;
        opml)
            cp Tests/TributaryTests/Fixtures/*.opml "$dir/" ;;
        serve-request)  # method, path, If-None-Match, If-Modified-Since, Accept-Encoding, one a line
            printf 'GET\n/merged.atom\n"x"\nMon, 01 Dec 2025 00:00:00 GMT\ngzip;q=0.5, br\n' > "$dir/get"
            printf 'HEAD\n/\n*\n\n*;q=0\n' > "$dir/head"
            printf 'BREW\n/../etc/passwd\n' > "$dir/brew" ;;
        zone-table)
            for z in UTC Asia/Karachi Europe/London America/St_Johns Asia/Kolkata; do
                [ -f "/usr/share/zoneinfo/$z" ] && cp "/usr/share/zoneinfo/$z" "$dir/${z//\//-}"
            done ;;
    esac
}
status=0
for t in "${targets[@]}"; do
    seed "$t"
    log=Fuzz/artifacts/$t.log
    FUZZ_TARGET=$t LSAN_OPTIONS=suppressions=Fuzz/lsan.supp ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        Fuzz/.build/debug/TributaryFuzz Fuzz/corpus/$t \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
        -artifact_prefix=Fuzz/artifacts/$t- -print_final_stats=1 > "$log" 2>&1
    rc=$?
    execs=$(grep -E "stat::number_of_executed_units" "$log" | grep -Eo "[0-9]+$")
    cov=$(grep -Eo "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1)
    echo "$t: exit $rc, ${execs:-?} executions, ${cov:-no coverage line}, corpus $(ls Fuzz/corpus/$t | wc -l) inputs"
    if [ $rc -ne 0 ]; then status=1; grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5; fi
done
exit $status
