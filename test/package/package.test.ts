// The packages as a merchant gets them: every workspace package packed with `pnpm pack`, the
// tarballs installed with npm (one install; third-party dependencies from the registry) into a
// project in a temporary directory outside the workspace, then used there on plain Node, from a
// plain Vite app, and in Chromium. Needs `pnpm build` first; run with `pnpm test:package`
// (`pnpm test` runs both, after the other Node tests).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createScratchDatabase, type ScratchDatabase } from "@iamport-pay/server";
import { OrderView } from "@iamport-pay/shared";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickCheckout, launchChromium, recordEvents, waitForEvent } from "../e2e/browser.js";

const exec = promisify(execFile);
const workspace = fileURLToPath(new URL("../../", import.meta.url));
const require = createRequire(import.meta.url);
const packages = ["shared", "widget", "server", "sandbox"] as const;

/** pnpm runs this test with its own npm_* settings in the environment; npm must not see them. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(registry|cache|userconfig)$/i.test(key)) continue;
    if (/^(DATABASE_URL|IMP_|PORT$|HOST$|MIGRATE$|NODE_OPTIONS$|VITEST)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PUPPETEER_SKIP_DOWNLOAD: "1", PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1", ...extra };
}

async function run(command: string, args: string[], cwd: string, env = cleanEnv()) {
  try {
    return await exec(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

let scratch: string;
let shop: string;
const tarballs: Record<string, string> = {};
// biome-ignore lint/suspicious/noExplicitAny: the answers printed by merchant/mount.ts
let mounted: Promise<Record<string, any>>;

beforeAll(async () => {
  for (const name of packages) {
    if (!existsSync(join(workspace, name, "dist"))) {
      throw new Error(`${name}/dist is missing: run \`pnpm build\` first (\`pnpm test\` does)`);
    }
  }
  scratch = await mkdtemp(join(tmpdir(), "iamport-pay-package-"));
  shop = join(scratch, "shop");
  await cp(fileURLToPath(new URL("./merchant/", import.meta.url)), shop, { recursive: true });
  for (const name of packages) {
    const { stdout } = await run(
      "pnpm",
      ["pack", "--pack-destination", join(scratch, "tarballs")],
      join(workspace, name),
    );
    const tarball = stdout.trim().split("\n").pop() ?? "";
    expect(tarball).toMatch(/\.tgz$/);
    tarballs[name] = tarball;
  }
  const manifestPath = join(shop, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  for (const name of packages)
    manifest.dependencies[`@iamport-pay/${name}`] = `file:${tarballs[name]}`;
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], shop);
  // Type-checking the merchant's app is the slowest step: let it run while the bin is tested.
  mounted = run(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"],
    shop,
  )
    .then(() => run(process.execPath, ["build/mount.js"], shop))
    .then(({ stdout }) => JSON.parse(stdout.trim().split("\n").pop() ?? "{}"));
  // Awaited by its test; never an unhandled rejection in the meantime.
  mounted.catch(() => {});
}, 600_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function tarballFiles(name: string): Promise<string[]> {
  const { stdout } = await run("tar", ["tzf", tarballs[name] ?? ""], scratch);
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^package\//, ""));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("the tarballs", () => {
  it("carry built JavaScript, declarations and the MIT licence, and no tests, tsconfigs or sources", async () => {
    const licence = await readFile(join(workspace, "LICENSE"), "utf8");
    expect(licence).toMatch(/^MIT License/);
    for (const name of packages) {
      const files = await tarballFiles(name);
      expect(files, name).toContain("LICENSE");
      expect(files, name).toContain(name === "widget" ? "dist/lib/index.d.ts" : "dist/index.d.ts");
      expect(
        files.filter((f) => /\.test\.|tsconfig|(^|\/)src\/|(?<!\.d)\.ts$/.test(f)),
        name,
      ).toEqual([]);
      const manifest = JSON.parse(
        await readFile(join(shop, "node_modules/@iamport-pay", name, "package.json"), "utf8"),
      );
      expect(manifest.license, name).toBe("MIT");
      expect(manifest.engines?.node, name).toBe(">=20");
      expect(manifest.private, name).toBeUndefined();
      expect(JSON.stringify(manifest.exports), name).not.toContain("src/");
      expect(await readFile(join(shop, "node_modules/@iamport-pay", name, "LICENSE"), "utf8")).toBe(
        licence,
      );
    }
    const widget = await tarballFiles("widget");
    expect(widget).toEqual(
      expect.arrayContaining([
        "dist/iamport-pay-button.js",
        "dist/iamport-pay-button.iife.js",
        "dist/lib/index.js",
      ]),
    );
    const server = await tarballFiles("server");
    expect(server).toEqual(
      expect.arrayContaining([
        "dist/main.js",
        "dist/db/migrations/0000_init.sql",
        "demo/index.html",
      ]),
    );
    expect(server.some((f) => f.startsWith("dist/db/migrations/meta/"))).toBe(true);
    expect(await tarballFiles("sandbox")).toContain("dist/browser/iamport.payment.js");
  });

  it("refer to no file outside themselves", async () => {
    const specifier = /(?:from\s*|import\s*\(\s*|new URL\(\s*)["'](\.{1,2}\/[^"']*)["']/g;
    for (const name of packages) {
      const root = join(shop, "node_modules/@iamport-pay", name);
      for (const file of await filesUnder(root)) {
        if (![".js", ".ts", ".json", ".html", ".mjs"].includes(extname(file))) continue;
        const text = await readFile(file, "utf8");
        expect(text.includes(workspace), `${relative(root, file)} names the workspace`).toBe(false);
        for (const [, target] of text.matchAll(specifier)) {
          const resolved = resolve(dirname(file), target ?? "");
          expect(
            resolved === root || resolved.startsWith(root + sep),
            `${name}/${relative(root, file)} refers to ${target}`,
          ).toBe(true);
        }
      }
    }
  });
});

/** Starts a bin command and resolves once `ready` finds what it waits for in its output. */
function startBin(
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => string | undefined,
): Promise<{ child: ChildProcess; found: string; output: () => string }> {
  const bin = join(shop, "node_modules/.bin/iamport-pay-server");
  const child = spawn(bin, args, { cwd: shop, env: cleanEnv(env), stdio: "pipe" });
  let output = "";
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`iamport-pay-server ${args.join(" ")} did not start:\n${output}`));
    }, 120_000);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready(output);
      if (found !== undefined) {
        clearTimeout(timer);
        resolvePromise({ child, found, output: () => output });
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`iamport-pay-server ${args.join(" ")} exited (${code}):\n${output}`));
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once("exit", () => resolvePromise());
    child.kill("SIGTERM");
  });
}

function listeningUrl(output: string): string | undefined {
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { message?: string; url?: string };
    if (entry.message === "listening") return entry.url;
  }
  return undefined;
}

describe("the iamport-pay-server bin on plain Node", () => {
  let database: ScratchDatabase | undefined;
  let databaseUrl: string;
  let server: ChildProcess | undefined;
  let serverUrl: string;
  let appServer: Server;
  let appOrigin: string;
  let browser: Browser | undefined;
  const appDir = () => join(shop, "app");

  beforeAll(async () => {
    if (process.env.DATABASE_URL?.startsWith("postgres")) {
      database = await createScratchDatabase(process.env.DATABASE_URL, "package_test");
      databaseUrl = database.url;
    } else {
      console.log(
        "DATABASE_URL unset: the packaged server runs on PGlite here (CI uses PostgreSQL)",
      );
      databaseUrl = join(scratch, "pglite");
    }
    // The Vite app's own origin, known before the server starts so the server can allow it.
    appServer = createServer(async (request, response) => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      const file = join(appDir(), "dist", path === "/" ? "index.html" : path);
      const type = file.endsWith(".html") ? "text/html" : "text/javascript";
      const body = await readFile(file).catch(() => undefined);
      if (body === undefined) response.writeHead(404).end();
      else response.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
    });
    await new Promise<void>((done) => appServer.listen(0, "127.0.0.1", done));
    appOrigin = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop(server);
    await new Promise((done) => appServer?.close(done));
    await database?.drop();
  });

  it("migrates and exits, then starts without migrating and answers /healthz, the widget and POST /orders", async () => {
    const migrate = await run(
      join(shop, "node_modules/.bin/iamport-pay-server"),
      ["migrate"],
      shop,
      cleanEnv({ DATABASE_URL: databaseUrl }),
    );
    expect(migrate.stdout).toContain("Migrations applied");

    const started = await startBin(
      ["start"],
      {
        DATABASE_URL: databaseUrl,
        MIGRATE: "false",
        PORT: "0",
        ALLOWED_ORIGINS: appOrigin,
        RECONCILE_INTERVAL_MS: "0",
      },
      listeningUrl,
    );
    server = started.child;
    serverUrl = started.found;
    expect(started.output()).toContain("SANDBOX MODE");

    const health = await fetch(`${serverUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    for (const file of ["iamport-pay-button.js", "iamport-pay-button.iife.js"]) {
      const answer = await fetch(`${serverUrl}/${file}`);
      expect(answer.status, file).toBe(200);
      expect(await answer.text(), file).toContain("iamport-pay-button");
    }
    const sdk = await fetch(`${serverUrl}/sandbox/iamport.payment.js`);
    expect(sdk.status).toBe(200);

    const created = await fetch(`${serverUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: appOrigin },
      body: JSON.stringify({ items: [{ sku: "lamp-003", quantity: 1 }] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe(appOrigin);
    const order = (await created.json()) as { merchant_uid: string; amount: number };
    expect(order.amount).toBe(38_500);

    // Paid in the packaged sandbox (as if by a shopper), then verified by the server.
    const payment = await fetch(`${serverUrl}/sandbox/control/payments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ merchant_uid: order.merchant_uid, amount: order.amount }),
    });
    expect(payment.status).toBe(201);
    const { imp_uid } = (await payment.json()) as { imp_uid: string };
    const complete = await fetch(`${serverUrl}/payments/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid, merchant_uid: order.merchant_uid }),
    });
    expect(await complete.json()).toMatchObject({ status: "success" });
    const stored = await fetch(`${serverUrl}/orders/${encodeURIComponent(order.merchant_uid)}`);
    expect(OrderView.parse(await stored.json()).status).toBe("paid");
  }, 300_000);

  it("builds a plain Vite app that imports the widget, and pays in it in Chromium", async () => {
    expect(serverUrl, "the server of the previous test").toBeDefined();
    const html = await readFile(join(appDir(), "index.html"), "utf8");
    await writeFile(join(appDir(), "index.html"), html.replace("%SERVER%", serverUrl));
    // Vite as a merchant runs it: its CLI in the app's folder, no config file.
    const vite = join(dirname(require.resolve("vite/package.json")), "bin/vite.js");
    await run(process.execPath, [vite, "build", "--logLevel", "warn"], appDir());
    // esbuild, the other common bundler, with no settings either.
    const esbuild = await import("esbuild");
    const bundled = await esbuild.build({
      entryPoints: [join(appDir(), "main.js")],
      bundle: true,
      write: false,
      format: "esm",
      logLevel: "silent",
    });
    expect(bundled.errors).toEqual([]);
    expect(bundled.outputFiles[0]?.text).not.toMatch(/^\s*@property\(/m);

    browser = await launchChromium();
    const page = await browser.newPage();
    await recordEvents(page);
    await page.goto(`${appOrigin}/`);
    const button = page.getByRole("button", { name: "결제하기" });
    await button.waitFor();
    expect(
      await page.evaluate(() => (window as { payButtonDefined?: boolean }).payButtonDefined),
    ).toBe(true);
    // Properties reflect to attributes as documented (`disabled`, `state`).
    const reflected = await page.evaluate(async () => {
      const element = document.querySelector("iamport-pay-button") as HTMLElement & {
        disabled: boolean;
        updateComplete: Promise<unknown>;
      };
      element.disabled = true;
      await element.updateComplete;
      const disabled = element.hasAttribute("disabled");
      element.disabled = false;
      await element.updateComplete;
      return {
        disabled,
        enabled: !element.hasAttribute("disabled"),
        state: element.getAttribute("state"),
      };
    });
    expect(reflected).toEqual({ disabled: true, enabled: true, state: "idle" });

    await button.click();
    await clickCheckout(page, "Approve");
    const result = await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
    expect(result.type).toBe("iamport-pay-success");
    expect(await page.locator("iamport-pay-button").getAttribute("state")).toBe("success");
    const merchantUid = String(result.detail.merchant_uid);
    const stored = await fetch(`${serverUrl}/orders/${encodeURIComponent(merchantUid)}`);
    expect(OrderView.parse(await stored.json())).toMatchObject({ status: "paid", amount: 12_000 });
  }, 300_000);

  it("runs the standalone sandbox", async () => {
    const started = await startBin(
      ["sandbox"],
      { PORT: "0" },
      (output) => output.match(/Iamport sandbox at (http:\/\/\S+)/)?.[1],
    );
    try {
      const sdk = await fetch(`${started.found}/iamport.payment.js`);
      expect(sdk.status).toBe(200);
      const token = await fetch(`${started.found}/users/getToken`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ imp_key: "sandbox_key", imp_secret: "sandbox_secret" }),
      });
      expect(await token.json()).toMatchObject({ code: 0 });
    } finally {
      await stop(started.child);
    }
  }, 180_000);
});

describe("a merchant's Hono app on plain Node", () => {
  it("type-checks createApp mounted under /pay, and answers there, JSON 404 included", async () => {
    const answers = await mounted;
    expect(answers.home).toMatchObject({ status: 200, body: "the shop's home page" });
    expect(answers.healthz).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(answers.config).toMatchObject({ status: 200, body: { impCode: "imp12345678" } });
    expect(answers.unknown.status).toBe(404);
    expect(answers.unknown.type).toContain("application/json");
    expect(answers.unknown.body).toMatchObject({ status: "error", code: "not_found" });
    expect(answers.widget.status).toBe(200);
    expect(answers.widget.type).toContain("javascript");
    expect(answers.order).toMatchObject({ status: 201, body: { amount: 24_000 } });
    expect(answers.payment.status).toBe(201);
    expect(answers.complete).toMatchObject({ status: 200, body: { status: "success" } });
    expect(answers.paid).toMatchObject({ status: 200, body: { status: "paid", amount: 24_000 } });
  }, 300_000);
});
