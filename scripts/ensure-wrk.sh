#!/usr/bin/env bash
# Install Debian's wrk (the HTTP load generator `make bench` drives) only when it is missing;
# a no-op when `wrk` is already on PATH. `python -m bench` calls it before measuring.
set -euo pipefail

say() { printf 'ensure-wrk: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        say "need root (or sudo) to run: $*"
        exit 1
    fi
}

if command -v wrk >/dev/null 2>&1; then
    exit 0
fi

say "installing Debian's wrk"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
command -v wrk >/dev/null 2>&1 || { say "apt-get installed wrk but it is not on PATH"; exit 1; }
