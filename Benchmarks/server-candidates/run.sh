#!/usr/bin/env bash
# The HTTP server candidates of issue 13, measured as the README reports them: a clean release build of a
# hello server that answers 304 to a matching If-None-Match, then wrk -t1 -c50 on the other core.
# Not part of the test suite (the Hummingbird build alone takes minutes).
set -euo pipefail
cd "$(dirname "$0")"
for candidate in flyingfox:18081 hummingbird:18082; do
    name=${candidate%%:*}; port=${candidate##*:}
    rm -rf "$name/.build"
    start=$(date +%s)
    (cd "$name" && swift build -c release >/dev/null)
    echo "$name: clean release build $(( $(date +%s) - start )) s"
    binary=$(cd "$name" && swift build -c release --show-bin-path)/$( [ "$name" = flyingfox ] && echo ff || echo hb )
    taskset -c 0 "$binary" >/dev/null 2>&1 &
    pid=$!
    sleep 2
    taskset -c 1 wrk -t1 -c50 -d8s --latency -H 'If-None-Match: "abc"' "http://127.0.0.1:$port/feed" | grep -E "Requests/sec| 99%"
    echo "$name: resident $(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 )) MB"
    kill "$pid"
done
