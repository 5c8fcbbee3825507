import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The pack-and-install test runs on its own (`pnpm test:package`, after `pnpm test:node`): it
// packs, installs, type-checks and builds, and would otherwise compete for the CPU with the
// end-to-end tests that run beside it.
export default defineConfig({
  test: {
    name: "package",
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "merchant/**"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
