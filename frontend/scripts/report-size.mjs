// After a build: the gzipped size of every file of the widget and the console, and the widget's first load —
// widget.js and every module it loads at once (the widget proper and what that imports statically), as
// widget-manifest.json lists them. Fails when the first load is over its budget; the chunks loaded on first
// use (panel, call, contact form) do not count (docs/widget.md, "Size").
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 30 * 1024;
const out = new URL("../../wschat/static/", import.meta.url).pathname;
const gzipped = (file) => gzipSync(readFileSync(join(out, file)), { level: 9 }).length;
const raw = (file) => readFileSync(join(out, file)).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const manifest = JSON.parse(readFileSync(join(out, "widget-manifest.json"), "utf8"));
/** The files a page loads before the launcher shows: the entries and their static imports, transitively. */
function firstLoad() {
  const files = new Set();
  const visit = (key) => {
    const entry = manifest[key];
    if (!entry || files.has(entry.file)) return;
    files.add(entry.file);
    for (const next of entry.imports ?? []) visit(next);
  };
  for (const [key, entry] of Object.entries(manifest)) if (entry.isEntry) visit(key);
  // widget.js loads the widget proper by a dynamic import (loader.ts), at once.
  return files;
}

const eager = firstLoad();
const widgetFiles = ["widget.js", ...readdirSync(join(out, "widget")).map((name) => `widget/${name}`)];
for (const file of widgetFiles) {
  const when = eager.has(file) ? "first load" : "on first use";
  console.log(`${file}: ${kb(raw(file))} raw, ${kb(gzipped(file))} gzipped (${when})`);
}
for (const name of readdirSync(join(out, "console", "assets"))) {
  const file = join("console", "assets", name);
  console.log(`${file}: ${kb(raw(file))} raw, ${kb(gzipped(file))} gzipped`);
}
const total = [...eager].reduce((sum, file) => sum + gzipped(file), 0);
console.log(`widget first load: ${kb(total)} gzipped (${eager.size} files; budget ${kb(BUDGET)})`);
if (!eager.has("widget.js") || eager.size < 2) {
  console.error("widget-manifest.json does not list widget.js and the widget module as entries");
  process.exit(1);
}
if (total > BUDGET) {
  console.error(`the widget's first load is over its ${kb(BUDGET)} gzipped budget`);
  process.exit(1);
}
