#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run the unit and integration tests,
# the parser conformance run against feedparser's frozen outputs, and the systemd unit check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test.log
executed=$(grep -Eo "Executed [0-9]+ tests?, with [0-9]+ failures?" .build/test.log | tail -1)
total=$(echo "$executed" | awk '{print $2}')
failures=$(echo "$executed" | awk '{print $5}')
skipped=$(grep -c "' skipped" .build/test.log || true)

shared=../shared
if [ -d "$shared/conformance/corpus" ]; then
    # Parser conformance against feedparser: at least 95% of files must agree field by field.
    python3 "$shared/conformance/compare.py" "$shared/conformance/corpus" --expected \
        --cmd '.build/debug/tributary parse --json {file} {base_opt}' --jobs 2 --min-pass 0.95 | tail -25
else
    echo "conformance: SKIP (no $shared/conformance)"
fi

unit=$(mktemp --suffix=.service)
sed "s#/usr/local/bin/tributary#$PWD/.build/debug/tributary#g" systemd/tributary.service > "$unit"
mv "$unit" "$(dirname "$unit")/tributary.service"
systemd-analyze verify "$(dirname "$unit")/tributary.service"
systemd-analyze security --offline=true --threshold=20 "$(dirname "$unit")/tributary.service" | tail -1
echo "systemd unit: verified"
echo "swift tests: $((total - failures - skipped)) passed, $failures failed, $skipped skipped"
[ "$failures" = 0 ] && [ "$total" -gt 0 ]
