// The embeddable widget, served by wsChat (docs/widget.md, "Size"):
// - /widget.js, the classic script sites embed (src/widget/loader.ts): it imports the widget proper;
// - /widget/<name>-<hash>.js, ES modules: the widget proper (main.tsx, with everything it imports statically)
//   and the chunks it imports on first use (the panel, the call, the contact form). A dynamic import()
//   resolves against the importing module's own URL, so on a tenant's site they, too, come from wsChat.
// widget-manifest.json tells scripts/report-size.mjs which files a page loads at once.
import { rmSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

const STATIC = new URL("../wschat/static/", import.meta.url).pathname;
/** Stands for the widget module's file name in widget.js until the bundle knows it. */
const MAIN = "@WSCHAT_WIDGET_MAIN@";

/** Writes the hashed name of the widget module into widget.js, and drops the files of earlier builds. */
function widgetLoader(): Plugin {
  return {
    name: "wschat-widget-loader",
    buildStart() {
      rmSync(STATIC + "widget", { recursive: true, force: true });
    },
    generateBundle(_options, bundle) {
      const loader = bundle["widget.js"];
      const main = Object.values(bundle).find((file) => file.type === "chunk" && file.isEntry && file.name === "main");
      if (loader?.type !== "chunk" || !main) return this.error("the widget build lacks widget.js or its module");
      // The minifier may have put the placeholder in any quotes.
      const placeholder = new RegExp(`(["'\`])${MAIN}\\1`, "g");
      if (loader.code.match(placeholder)?.length !== 1) return this.error("widget.js must name its module once");
      if (loader.imports.length || /\bexport\b|import\.meta/.test(loader.code))
        return this.error("widget.js must stay a classic script: no import, export or import.meta");
      loader.code = loader.code.replace(placeholder, JSON.stringify(main.fileName));
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  define: { "process.env.NODE_ENV": JSON.stringify("production"), WIDGET_MAIN: JSON.stringify(MAIN) },
  plugins: [widgetLoader()],
  build: {
    outDir: "../wschat/static",
    emptyOutDir: false,
    target: "es2020",
    sourcemap: false,
    manifest: "widget-manifest.json",
    lib: {
      entry: { widget: "src/widget/loader.ts", main: "src/widget/main.tsx" },
      formats: ["es"],
    },
    rolldownOptions: {
      // The chunks import what they share with the widget proper from it, which has loaded already.
      preserveEntrySignatures: "allow-extension",
      output: {
        entryFileNames: (chunk) => (chunk.name === "widget" ? "widget.js" : "widget/[name]-[hash].js"),
        chunkFileNames: "widget/[name]-[hash].js",
        // Everything main.tsx imports statically (Preact included) in its one file, not in a shared chunk
        // that would cost another round trip before the launcher shows; loader.ts stays on its own.
        codeSplitting: { groups: [{ name: "main", tags: ["$initial"], test: (id: string) => !id.endsWith("/loader.ts") }] },
        // A library build keeps whitespace and annotations for a later bundler; this one is what browsers load.
        minify: true,
        comments: false,
      },
    },
  },
});
