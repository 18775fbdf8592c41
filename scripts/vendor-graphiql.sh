#!/usr/bin/env bash
# Refresh the GraphiQL assets vendored in web/static/graphiql/ from the npm registry.
#
# Syncline serves GraphiQL with no internet access, so these files are committed and shipped in
# the Python package; nothing is fetched at run time. Run this only to change a version, then
# update web/static/graphiql/README.md (this script prints the sizes and SRI hashes for it).
#
# Usage: scripts/vendor-graphiql.sh
set -euo pipefail

GRAPHIQL=graphiql@3.8.3
REACT=react@18.2.0
REACT_DOM=react-dom@18.2.0
EXPLORER=@graphiql/plugin-explorer@1.0.2

repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/web/static/graphiql"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
# `npm pack` downloads the exact published tarballs (no install scripts run).
# It prints one tarball name per package, in argument order.
mapfile -t tarballs < <(npm pack --silent "$GRAPHIQL" "$REACT" "$REACT_DOM" "$EXPLORER")
[ "${#tarballs[@]}" -eq 4 ] || { echo "npm pack gave ${#tarballs[@]} tarballs, not 4" >&2; exit 1; }
unpack() { mkdir -p "$2" && tar -xzf "$1" -C "$2" --strip-components=1; }
unpack "${tarballs[0]}" graphiql
unpack "${tarballs[1]}" react
unpack "${tarballs[2]}" react-dom
unpack "${tarballs[3]}" explorer

mkdir -p "$dest/licenses"
install -m 0644 graphiql/graphiql.min.js graphiql/graphiql.min.css "$dest/"
install -m 0644 react/umd/react.production.min.js "$dest/"
install -m 0644 react-dom/umd/react-dom.production.min.js "$dest/"
install -m 0644 explorer/dist/index.umd.js "$dest/plugin-explorer.umd.js"
install -m 0644 explorer/dist/style.css "$dest/plugin-explorer.css"
install -m 0644 graphiql/LICENSE "$dest/licenses/graphiql.LICENSE"
install -m 0644 react/LICENSE "$dest/licenses/react.LICENSE"
install -m 0644 react-dom/LICENSE "$dest/licenses/react-dom.LICENSE"

cd "$dest"
for f in graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js \
    plugin-explorer.umd.js plugin-explorer.css; do
    printf '%-30s %9d bytes  sha384-%s\n' "$f" "$(wc -c <"$f")" \
        "$(openssl dgst -sha384 -binary "$f" | openssl base64 -A)"
done
du -sh "$dest"
