// The three browser engines the widget is tested in, all from Debian's packages (nothing is
// downloaded): Chromium, Firefox ESR (driven over WebDriver BiDi by puppeteer-core) and WebKit
// (WebKitGTK's MiniBrowser behind WebKitWebDriver, on a virtual display when there is none).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/** @typedef {"chromium" | "firefox" | "webkit"} Engine */

/** @type {readonly Engine[]} */
export const allEngines = ["chromium", "firefox", "webkit"];

/**
 * Where each engine's binaries are, from the environment (CHROME_PATH, FIREFOX_PATH,
 * WEBKIT_DRIVER_PATH) or Debian's paths.
 * @param {NodeJS.ProcessEnv} env
 */
export function enginePaths(env = process.env) {
  return {
    chromium: env.CHROME_PATH ?? "/usr/bin/chromium",
    firefox: env.FIREFOX_PATH ?? "/usr/bin/firefox-esr",
    webkit: env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver",
    xvfbRun: env.XVFB_RUN_PATH ?? "/usr/bin/xvfb-run",
  };
}

// We run as root on a closed network: no sandbox, nothing phoning home.
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

/** Firefox preferences for a quiet test profile on a closed network. */
export const firefoxPrefs = {
  "app.update.enabled": false,
  "browser.shell.checkDefaultBrowser": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "toolkit.telemetry.reporting.enabled": false,
  "network.captive-portal-service.enabled": false,
  "extensions.update.enabled": false,
};

/** What to install when an engine is missing. */
export const enginePackages = {
  chromium: "chromium",
  firefox: "firefox-esr",
  webkit: "webkit2gtk-driver xvfb",
};

/**
 * Why an engine cannot run here, or undefined when it can.
 * @param {Engine} engine
 * @param {NodeJS.ProcessEnv} env
 */
export function missing(engine, env = process.env) {
  const paths = enginePaths(env);
  if (!existsSync(paths[engine])) return `no ${paths[engine]}`;
  if (engine === "webkit" && !env.DISPLAY && !existsSync(paths.xvfbRun)) {
    return `no display and no ${paths.xvfbRun}`;
  }
  return undefined;
}

/**
 * The engines to test in: ENGINES (comma-separated) when set, else every engine. Missing ones are
 * left out here and named in `skipped`; the engine check decides whether that is an error.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ engines: Engine[], skipped: { engine: Engine, reason: string }[] }}
 */
export function selectEngines(env = process.env) {
  const wanted = env.ENGINES
    ? env.ENGINES.split(",")
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean)
    : [...allEngines];
  for (const name of wanted) {
    if (!allEngines.includes(/** @type {Engine} */ (name))) {
      throw new Error(
        `ENGINES names an unknown engine "${name}" (known: ${allEngines.join(", ")})`,
      );
    }
  }
  const engines = [];
  const skipped = [];
  for (const engine of /** @type {Engine[]} */ (wanted)) {
    const reason = missing(engine, env);
    if (reason === undefined) engines.push(engine);
    else skipped.push({ engine, reason });
  }
  return { engines, skipped };
}

/** Capabilities for a MiniBrowser session; `args` are MiniBrowser options such as --user-agent. */
export function webkitCapabilities(args = []) {
  return {
    browserName: "MiniBrowser",
    "webkitgtk:browserOptions": { args: ["--automation", ...args] },
  };
}

/**
 * Starts WebKitWebDriver on a free port (under xvfb-run when there is no DISPLAY) and waits until
 * it answers. The driver holds one session at a time, so each user starts its own.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startWebKitDriver(env = process.env) {
  const paths = enginePaths(env);
  const port = await freePort();
  const driver = [paths.webkit, `--port=${port}`, "--host=127.0.0.1"];
  const [command, ...args] = env.DISPLAY ? driver : [paths.xvfbRun, "-a", ...driver];
  // Its own process group, so stopping it also stops Xvfb and every MiniBrowser it started.
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // Detached, so it would outlive a test process that dies or is killed: take it down on exit.
  const killOnExit = () => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), "SIGTERM");
    } catch {}
  };
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-(/** @type {number} */ (child.pid)), "SIGTERM");
    } catch {
      return;
    }
    await exited;
  };
  // A generous bound: only a driver that never comes up fails here.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/status`);
      const body = await response.json();
      if (body?.value?.ready) return { url, port, stop };
    } catch {
      // not listening yet
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  await stop();
  throw new Error(`WebKitWebDriver did not start on port ${port}: ${stderr.trim()}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
