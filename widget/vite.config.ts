import { defineConfig } from "vite";

// One ES module and one classic script, Lit bundled into each: a merchant's page needs no build.
export default defineConfig({
  build: {
    target: "es2022",
    minify: true,
    sourcemap: false,
    // Vite keeps whitespace in ES library builds (for re-bundling); ours is loaded as is.
    rolldownOptions: { output: { minify: true } },
    // `pnpm build` empties dist first; `size` and the browser tests rebuild only these two
    // files and must leave the compiled module (dist/lib) in place.
    emptyOutDir: false,
    lib: {
      entry: "src/index.ts",
      name: "IamportPayButton",
      formats: ["es", "iife"],
      fileName: (format) =>
        format === "es" ? "iamport-pay-button.js" : `iamport-pay-button.${format}.js`,
    },
  },
});
