// Shared web-test-runner settings: every suite runs in each engine present (scripts/engines.mjs),
// all from Debian's packages; nothing downloads a browser.
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { defaultReporter } from "@web/test-runner";
import { chromeLauncher } from "@web/test-runner-chrome";
import * as puppeteer from "puppeteer-core";
import { chromeFlags, enginePaths, firefoxPrefs, selectEngines } from "./scripts/engines.mjs";
import { tallyReporter } from "./scripts/tally-reporter.mjs";
import { webkitLauncher } from "./scripts/webkit-launcher.mjs";

export { chromeFlags, firefoxPrefs } from "./scripts/engines.mjs";

export const chromePath = enginePaths().chromium;
export const firefoxPath = enginePaths().firefox;

const launchers = {
  chromium: () =>
    chromeLauncher({
      launchOptions: { executablePath: chromePath, headless: true, args: chromeFlags },
    }),
  // web-test-runner's puppeteer launcher, given puppeteer-core: Firefox over WebDriver BiDi.
  firefox: () =>
    chromeLauncher({
      puppeteer,
      launchOptions: {
        browser: "firefox",
        executablePath: firefoxPath,
        headless: true,
        extraPrefsFirefox: firefoxPrefs,
      },
    }),
  webkit: () => webkitLauncher(),
};

/** @param {{ tsconfig: string, files: string[] | string, [key: string]: unknown }} options */
export function browserTestConfig({ tsconfig, files, ...rest }) {
  // Missing engines were reported (or failed CI) by scripts/check-engines.mjs before this runs.
  const { engines } = selectEngines();
  if (engines.length === 0) {
    throw new Error("No browser engine to test in: run node scripts/check-engines.mjs");
  }
  return {
    files,
    nodeResolve: { exportConditions: ["browser", "development"] },
    concurrency: 1,
    // One engine at a time: suites that share one server (the sandbox, the real server) must not
    // race each other across engines, and on 2 shared cores three browsers at once starve the
    // one under test until its hang bounds fire.
    concurrentBrowsers: 1,
    testsFinishTimeout: 600_000,
    // Three browsers start on 2 shared cores: give each a generous bound to come up.
    browserStartTimeout: 120_000,
    plugins: [esbuildPlugin({ ts: true, tsconfig, target: "es2022" })],
    browsers: engines.map((engine) => launchers[engine]()),
    reporters: [defaultReporter(), tallyReporter()],
    ...rest,
  };
}
