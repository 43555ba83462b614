#!/usr/bin/env bash
# The release build every script and the Makefile use: `scripts/build-release.sh [swift build options]`
# (QUIET_BUILD=1: silent unless it fails).
#   --static-swift-stdlib  the Swift runtime and Foundation linked in: binding them as shared libraries
#                          cost every run about 10 ms of CPU
#   -disable-concrete-type-metadata-mangled-name-accessors
#                          type metadata reached through accessors, not mangled names, in every module:
#                          resolving a mangled name scans every protocol conformance in the program, and
#                          in a statically linked binary that was a third of a short command's CPU
set -euo pipefail
cd "$(dirname "$0")/.."
build() {
    swift build -c release --static-swift-stdlib \
        -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors "$@"
}
# QUIET_BUILD=1: print nothing unless the build fails, then everything (compiler errors go to stdout).
if [ -n "${QUIET_BUILD:-}" ]; then
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    build "$@" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
    exit 0
fi
build "$@"
