#!/usr/bin/env bash
# The main job: install what is missing, build, and start the daemon on the shipped feeds.toml, which
# serves the river at http://127.0.0.1:8080/ and the merged feed at /merged.atom
# (state goes to state/ next to it). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-release.sh
.build/release/tributary check --config feeds.toml
exec .build/release/tributary run --config feeds.toml "$@"
