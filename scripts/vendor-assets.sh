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
( cd "$work" && npm pack --silent swagger-ui-dist@5.35.0 >/dev/null )
echo "1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6  $work/swagger-ui-dist-5.35.0.tgz" | sha256sum -c -
mkdir -p "$work/swagger" && tar -xzf "$work/swagger-ui-dist-5.35.0.tgz" -C "$work/swagger"
mkdir -p "$vendor/swagger-ui"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE favicon-32x32.png; do
  cp "$work/swagger/package/$f" "$vendor/swagger-ui/"
done
echo "vendored swagger-ui-dist 5.35.0 into $vendor/swagger-ui"
( cd "$work" && npm pack --silent echarts@4.9.0 >/dev/null )
echo "d2bdf8af1b218d3885a518072788a3b7f0c2d3f8925ec8585a36be5ee5add3f2  $work/echarts-4.9.0.tgz" | sha256sum -c -
mkdir -p "$work/echarts" && tar -xzf "$work/echarts-4.9.0.tgz" -C "$work/echarts" package/map/json/province/heilongjiang.json package/LICENSE
mkdir -p "$vendor/regions"
python3 scripts/region_outlines.py "$work/echarts/package/map/json/province/heilongjiang.json" "$vendor/regions/heilongjiang-prefectures.geojson"
cp "$work/echarts/package/LICENSE" "$vendor/regions/LICENSE-echarts"
echo "vendored the Heilongjiang prefecture outlines of echarts 4.9.0 into $vendor/regions"
