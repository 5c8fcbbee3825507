// Shared web-test-runner settings: Debian's Chromium, headless, no browser download.
import { existsSync } from "node:fs";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { chromeLauncher } from "@web/test-runner-chrome";

export const chromePath = process.env.CHROME_PATH ?? "/usr/bin/chromium";

// Flags from docs/development.md: we run as root on a closed network.
export const chromeFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** @param {{ tsconfig: string, files: string[] | string, [key: string]: unknown }} options */
export function browserTestConfig({ tsconfig, files, ...rest }) {
  if (!existsSync(chromePath)) {
    throw new Error(`No Chromium at ${chromePath}: set CHROME_PATH, or install Debian's chromium.`);
  }
  return {
    files,
    nodeResolve: { exportConditions: ["browser", "development"] },
    concurrency: 1,
    testsFinishTimeout: 120_000,
    plugins: [esbuildPlugin({ ts: true, tsconfig, target: "es2022" })],
    browsers: [
      chromeLauncher({
        launchOptions: { executablePath: chromePath, headless: true, args: chromeFlags },
      }),
    ],
    ...rest,
  };
}
