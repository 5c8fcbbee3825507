import { defineConfig } from "vitest/config";

// Every package's Node tests join `pnpm test` by being written: `*.test.ts` runs here,
// `*.browser.test.ts` runs in Chromium through each package's web-test-runner config.
export default defineConfig({
  test: {
    projects: ["shared", "sandbox", "server", "test"].map((dir) => ({
      test: {
        name: dir,
        root: dir,
        include: ["**/*.test.ts"],
        exclude: ["**/node_modules/**", "**/dist/**", "**/*.browser.test.ts"],
        // Bounds for a hung test, not speed targets: CI machines are shared and can be very slow
        // (whole servers and a browser start in some tests), so they are generous.
        testTimeout: 60_000,
        hookTimeout: 180_000,
      },
    })),
  },
});
