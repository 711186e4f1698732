// The agent and admin console: a single-page app served by wsChat under /console/.
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/console",
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../../../wschat/static/console",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
  },
});
