#!/usr/bin/env bash
# Installs the Debian packages Tributary needs, only those missing.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the test suite's checks use
set -euo pipefail
packages=(pkg-config libxml2-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev libmicrohttpd-dev zlib1g-dev libzstd-dev libdeflate-dev python3)
if [ "${1:-}" = "--test" ]; then
    packages+=(libxml2-utils jing newsboat python3-lxml python3-feedparser python3-html5lib systemd time chromium apache2-utils curl)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
