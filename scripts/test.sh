#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run the unit and integration tests,
# the parser conformance run against feedparser's frozen outputs, and the systemd unit check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test.log
# XCTest's last line: "Executed 78 tests, with 2 tests skipped and 0 failures (0 unexpected) ..."
executed=$(grep -E "Executed [0-9]+ tests?," .build/test.log | tail -1)
total=$(echo "$executed" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failures=$(echo "$executed" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
skipped=$(echo "$executed" | grep -Eo "[0-9]+ tests? skipped" | grep -Eo "^[0-9]+" || echo 0)
total=${total:-0}; failures=${failures:-1}

shared=../shared
if [ -d "$shared/conformance/corpus" ]; then
    # Parser conformance against feedparser: at least 97% of files must agree field by field.
    python3 "$shared/conformance/compare.py" "$shared/conformance/corpus" --expected \
        --cmd '.build/debug/tributary parse --json {file} {base_opt}' --jobs 2 --min-pass 0.97 | tail -25
else
    echo "conformance: SKIP (no $shared/conformance)"
fi

# Shape: no cycle between stage folders, no source file over 500 lines.
python3 scripts/stage-deps.py | tail -1
long=$(find Sources Benchmarks -name '*.swift' -exec awk 'END { if (NR > 500) print FILENAME ": " NR " lines" }' {} \;)
if [ -n "$long" ]; then echo "files over 500 lines:"; echo "$long"; exit 1; fi

# Endurance: 100 seeded kill -9s with integrity, counts and output checked after each; a full disk
# under the database and the output (skipped with a message where a tmpfs cannot be mounted).
TRIBUTARY_BIN=.build/debug/tributary python3 scripts/kill-test.py 100 | tail -3
TRIBUTARY_BIN=.build/debug/tributary python3 scripts/disk-full-test.py | tail -8

# The unit and integration tests again under AddressSanitizer and ThreadSanitizer.
scripts/sanitize.sh address
scripts/sanitize.sh thread

unitdir=$(mktemp -d)
sed "s#/usr/local/bin/tributary#$PWD/.build/debug/tributary#g" systemd/tributary.service > "$unitdir/tributary.service"
cp systemd/tributary.socket "$unitdir/tributary.socket"
systemd-analyze verify "$unitdir/tributary.service" "$unitdir/tributary.socket"
# The socket unit binds for the service: the service's exposure must not grow with it.
systemd-analyze security --offline=true --threshold=20 "$unitdir/tributary.service" | tail -1
rm -rf "$unitdir"
echo "systemd units: verified"
echo "swift tests: $((total - failures - skipped)) passed, $failures failed, $skipped skipped"
[ "$failures" = 0 ] && [ "$total" -gt 0 ]
