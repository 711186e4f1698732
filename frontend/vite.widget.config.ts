// The embeddable widget: one self-contained IIFE file, served by wsChat as /widget.js.
import { defineConfig } from "vite";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "../wschat/static",
    emptyOutDir: false,
    target: "es2020",
    sourcemap: false,
    lib: {
      entry: "src/widget/main.tsx",
      name: "wsChatWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
