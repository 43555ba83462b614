#!/usr/bin/env bash
# Runs the unit and integration tests once more with the library, the tests and the binary they start
# built under a sanitizer:  scripts/sanitize.sh address|thread
# Each sanitizer gets its own build folder (.build-asan, .build-tsan). Leak checking is left to the
# fuzzers (scripts/fuzz.sh): Foundation keeps caches alive until exit, which LeakSanitizer would report.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?address or thread}
case $kind in address) dir=.build-asan ;; thread) dir=.build-tsan ;; *) echo "address or thread" >&2; exit 2 ;; esac
swift build --build-tests --scratch-path "$dir" -Xswiftc -sanitize="$kind" 2>&1 | grep -v "Cannot export" | tail -1
bin=$(swift build --scratch-path "$dir" -Xswiftc -sanitize="$kind" --show-bin-path)
log="$dir/test.log"
# halt_on_error: the first report fails the run, in the test process and in every tributary it starts.
TRIBUTARY_BIN="$bin/tributary" ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    swift test --skip-build --scratch-path "$dir" -Xswiftc -sanitize="$kind" 2>&1 | tee "$log" | grep -E "error:|Executed .* tests|SUMMARY: .*Sanitizer" | tail -6
executed=$(grep -E "Executed [0-9]+ tests?," "$log" | tail -1)
failures=$(echo "$executed" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
if grep -q "SUMMARY: .*Sanitizer" "$log" || [ "${failures:-1}" != 0 ]; then
    echo "sanitizer ($kind): FAILED"; exit 1
fi
echo "sanitizer ($kind): ${executed# *}"
