import { defineConfig } from "vitest/config";

// Every package's Node tests join `pnpm test` by being written: `*.test.ts` runs here,
// `*.browser.test.ts` runs in Chromium through each package's web-test-runner config, and
// test/package/ (packs and installs the packages) runs after these, on its own.
const packages = ["shared", "sandbox", "server", "test"].map((dir) => ({
  test: {
    name: dir,
    root: dir,
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/*.browser.test.ts", "package/**"],
    // Bounds for a hung test, not speed targets: CI machines are shared and can be very slow
    // (whole servers and a browser start in some tests), so they are generous.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
}));

// The server's HTTP-level verify tests run again with the sandbox answering in its other
// PAYMENT_SHAPEs (the "server" project above uses the full shape), so a reader that only copes
// with one tidy shape fails here.
const shapes = (["legacy", "sparse"] as const).map((shape) => ({
  test: {
    name: `server-${shape}`,
    root: "server",
    include: ["src/verify.test.ts", "src/http.test.ts"],
    env: { PAYMENT_SHAPE: shape },
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
}));

export default defineConfig({ test: { projects: [...packages, ...shapes] } });
