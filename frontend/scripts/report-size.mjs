// Prints the gzipped size of the widget and the console bundles after a build.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const out = new URL("../../wschat/static/", import.meta.url).pathname;
const size = (path) => {
  const raw = readFileSync(path);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const widget = size(join(out, "widget.js"));
console.log(`widget.js: ${kb(widget.raw)} raw, ${kb(widget.gzip)} gzipped (budget 40 KB)`);
for (const name of readdirSync(join(out, "console", "assets"))) {
  const s = size(join(out, "console", "assets", name));
  console.log(`console/assets/${name}: ${kb(s.raw)} raw, ${kb(s.gzip)} gzipped`);
}
if (widget.gzip > 40 * 1024) {
  console.error("widget.js is over its 40 KB gzipped budget");
  process.exit(1);
}
