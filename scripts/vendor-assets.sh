#!/usr/bin/env bash
# Fetch the bundled browser assets again from the npm registry at their pinned versions
# (src/ipgraph/web/static/vendor/README.md lists them). Needs npm; the service itself never fetches them.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=src/ipgraph/web/static/vendor
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent leaflet@1.9.4 >/dev/null )
echo "84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77  $work/leaflet-1.9.4.tgz" | sha256sum -c -
tar -xzf "$work/leaflet-1.9.4.tgz" -C "$work"
mkdir -p "$vendor/leaflet"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$vendor/leaflet/"
cp -r "$work/package/dist/images" "$vendor/leaflet/"
echo "vendored leaflet 1.9.4 into $vendor/leaflet"
