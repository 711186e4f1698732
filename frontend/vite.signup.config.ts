// The demo sign-up pages' script, served by wsChat as /signup/signup.js (the pages are rendered on the server:
// wschat/signup/page.py). One ES module, its schema library included.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "../wschat/static/signup",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    lib: { entry: "src/signup/main.ts", formats: ["es"], fileName: () => "signup.js" },
    rolldownOptions: { output: { minify: true, comments: false } },
  },
});
