#!/usr/bin/env node
// Extract static offline assets for the MTM Dashboard from installed npm packages.
//
// Installs nothing. Expects plotly.js@4.1.1 and bootstrap@5 to already be installed:
//   npm install --prefix /tmp/mtm-npm plotly.js@4.1.1 bootstrap@5
//
// Env vars:
//   MTM_NODE_MODULES  node_modules dir to read from (default /tmp/mtm-npm/node_modules)
//   MTM_ASSETS_DIR    output assets dir (default <repo>/assets)
//
// Writes:
//   assets/topojson/world_110m.json, assets/topojson/world_50m.json
//   assets/bootstrap.min.css  (sourceMappingURL comment stripped)

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.MTM_NODE_MODULES || "/tmp/mtm-npm/node_modules";
const assetsDir = process.env.MTM_ASSETS_DIR || path.resolve(here, "..", "assets");
const TOPOJSON_NAMES = ["world_110m", "world_50m"];

function fail(msg) {
  console.error(`extract_assets: ${msg}`);
  process.exit(1);
}

function pkgVersion(name) {
  const p = path.join(nodeModules, name, "package.json");
  if (!fs.existsSync(p)) fail(`${p} not found (run the npm install first)`);
  return JSON.parse(fs.readFileSync(p, "utf8")).version;
}

// --- topojson from plotly.js dist/plotly-geo-assets.js ----------------------
const plotlyVersion = pkgVersion("plotly.js");
const geoAssetsPath = path.join(nodeModules, "plotly.js", "dist", "plotly-geo-assets.js");
if (!fs.existsSync(geoAssetsPath)) fail(`${geoAssetsPath} not found`);

// The UMD bundle takes the CommonJS branch when `module` exists and also does
// `window.Plotly = ...`, so evaluate it in a sandbox providing both.
const sandbox = { module: { exports: {} }, window: {} };
vm.runInNewContext(fs.readFileSync(geoAssetsPath, "utf8"), sandbox, { filename: geoAssetsPath });
const geoAssets = sandbox.module.exports;
if (!geoAssets || typeof geoAssets.topojson !== "object") fail("no `topojson` export in plotly-geo-assets.js");

const topoDir = path.join(assetsDir, "topojson");
fs.mkdirSync(topoDir, { recursive: true });
for (const name of TOPOJSON_NAMES) {
  const topo = geoAssets.topojson[name];
  if (!topo) fail(`topojson.${name} missing (available: ${Object.keys(geoAssets.topojson).join(", ")})`);
  if (topo.type !== "Topology" || !topo.objects || !topo.objects.countries) {
    fail(`topojson.${name} is not a Topology with objects.countries`);
  }
  const out = path.join(topoDir, `${name}.json`);
  fs.writeFileSync(out, JSON.stringify(topo));
  const n = topo.objects.countries.geometries.length;
  console.log(`wrote ${out} (${fs.statSync(out).size} bytes, ${n} country geometries, plotly.js ${plotlyVersion})`);
}

// --- bootstrap CSS ------------------------------------------------------------
const bootstrapVersion = pkgVersion("bootstrap");
if (!bootstrapVersion.startsWith("5.")) fail(`expected bootstrap 5.x, found ${bootstrapVersion}`);
const cssSrc = path.join(nodeModules, "bootstrap", "dist", "css", "bootstrap.min.css");
if (!fs.existsSync(cssSrc)) fail(`${cssSrc} not found`);
let css = fs.readFileSync(cssSrc, "utf8");
css = css.replace(/\s*\/\*#\s*sourceMappingURL=[^*]*\*\/\s*$/, "\n");
if (css.includes("sourceMappingURL")) fail("sourceMappingURL comment still present in bootstrap.min.css");
fs.mkdirSync(assetsDir, { recursive: true });
const cssOut = path.join(assetsDir, "bootstrap.min.css");
fs.writeFileSync(cssOut, css);
console.log(`wrote ${cssOut} (${fs.statSync(cssOut).size} bytes, bootstrap ${bootstrapVersion})`);
