import { defineConfig, type Plugin } from "vite";
import { litTrim } from "./scripts/lit-trim.ts";
import { ownProperties } from "./scripts/own-properties.ts";

/**
 * Lit's production build keeps long messages for errors only a misuse of `css` or of templates
 * can raise (this bundle has neither: its only styles and templates are literals). Shortened,
 * they save about 0.1 KB gzip; when Lit changes them, nothing matches and nothing changes.
 */
function shortLitErrors(): Plugin {
  return {
    name: "short-lit-errors",
    transform(code, id) {
      if (!/(@lit\/reactive-element\/css-tag|lit-html\/lit-html)\.js$/.test(id)) return null;
      return code.replace(/Error\("[^"]*"(\+\w+\+"[^"]*")?\)/g, 'Error("lit")');
    },
  };
}

/**
 * The stylesheet's line breaks ship as they are (Lit's `css` keeps its text): drop them. Every
 * line of src/styles.ts ends between two rules or declarations, where CSS needs no space.
 */
function compactCss(): Plugin {
  return {
    name: "compact-css",
    transform(code, id) {
      if (!id.endsWith("/src/styles.ts")) return null;
      return code.replace(/css`([^`]*)`/, (_, text: string) => `css\`${text.replace(/\n/g, "")}\``);
    },
  };
}

// One ES module and one classic script, Lit bundled into each: a merchant's page needs no build.
export default defineConfig({
  plugins: [shortLitErrors(), litTrim(new URL("./src/", import.meta.url)), compactCss()],
  build: {
    target: "es2022",
    minify: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Vite keeps whitespace in ES library builds (for re-bundling); ours is loaded as is.
        minify: {
          compress: true,
          mangle: true,
          codegen: { removeWhitespace: true },
          mangleProps: { include: new RegExp(`^(${ownProperties.join("|")})$`) },
        },
        // No Symbol.toStringTag on the IIFE's exports object: nothing reads it.
        generatedCode: { symbols: false },
      },
    },
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
