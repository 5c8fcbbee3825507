// What a merchant relies on when the server is an installed package rather than this repository:
// mounting under a prefix, the optional sandbox, the widget files found through the widget
// package, and migrations they may choose to run separately.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sandboxDefaults } from "@iamport-pay/sandbox";
import { ErrorBody } from "@iamport-pay/shared";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, defaultWidgetDir } from "./app.js";
import { demoCatalog } from "./catalog.js";
import { loadConfig, SANDBOX_IMP_CODE } from "./config.js";
import { type Db, openDb } from "./db/open.js";
import { createIamportClient } from "./iamport-client.js";
import { silentLogger } from "./logger.js";
import { loadSandbox } from "./sandbox-loader.js";
import { createTestDatabase, type TestDatabase } from "./test-support.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDb(database.url);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("createApp mounted in a merchant's Hono app", () => {
  const shop = () => {
    const app = new Hono();
    app.get("/", (c) => c.text("shop"));
    app.route(
      "/pay",
      createApp({
        db,
        iamport: createIamportClient({ baseUrl: "http://127.0.0.1:9", key: "k", secret: "s" }),
        catalog: demoCatalog,
        impCode: "imp12345678",
        sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
        log: silentLogger,
      }),
    );
    return app;
  };

  it("answers under the prefix", async () => {
    const answer = await shop().request("/pay/healthz");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
  });

  it("answers an unknown path under the prefix with a JSON 404", async () => {
    const answer = await shop().request("/pay/no-such-route");
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toContain("application/json");
    expect(ErrorBody.parse(await answer.json()).code).toBe("not_found");
  });

  it("leaves the merchant's own routes alone", async () => {
    const answer = await shop().request("/");
    expect(await answer.text()).toBe("shop");
  });
});

describe("the optional sandbox", () => {
  it("is loaded on demand", async () => {
    const sandbox = await loadSandbox();
    expect(typeof sandbox.createSandbox).toBe("function");
  });

  it("is named, with what to do, when it is not installed", async () => {
    const missing = Object.assign(
      new Error("Cannot find package '@iamport-pay/sandbox' imported from /app/dist/server.js"),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    await expect(loadSandbox(() => Promise.reject(missing))).rejects.toThrow(
      /optional package @iamport-pay\/sandbox.*install it.*or set IMP_KEY and IMP_SECRET/,
    );
  });

  it("lets any other failure through unchanged", async () => {
    const broken = Object.assign(new Error("Cannot find package 'zod'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    await expect(loadSandbox(() => Promise.reject(broken))).rejects.toBe(broken);
  });

  it("has the merchant code the server assumes in sandbox mode", () => {
    expect(SANDBOX_IMP_CODE).toBe(sandboxDefaults.impCode);
    expect(loadConfig({}).impCode).toBe(sandboxDefaults.impCode);
  });
});

describe("the widget's files", () => {
  it("are looked for in the installed @iamport-pay/widget package", () => {
    expect(fileURLToPath(defaultWidgetDir)).toMatch(/widget[\\/]dist[\\/]$/);
    expect(existsSync(new URL("../package.json", defaultWidgetDir))).toBe(true);
  });
});

describe("migrations", () => {
  it("run at start unless MIGRATE=false", () => {
    expect(loadConfig({}).migrate).toBe(true);
    expect(loadConfig({ MIGRATE: "false" }).migrate).toBe(false);
    expect(() => loadConfig({ MIGRATE: "later" })).toThrow(/MIGRATE/);
  });

  it("are applied by openDb unless told not to", async () => {
    // A database of its own: PostgreSQL when DATABASE_URL says so, else PGlite in a directory
    // (an in-memory PGlite would not outlive the first handle).
    const fresh = await createTestDatabase();
    const url = fresh.url === "memory://" ? await mkdtemp(join(tmpdir(), "pglite-")) : fresh.url;
    const ordersTable = async (handle: Db) =>
      (await handle.query("select to_regclass('orders')::text as t", []))[0]?.t ?? null;
    try {
      const untouched = await openDb(url, { migrate: false });
      const before = await ordersTable(untouched).finally(() => untouched.close());
      const migrated = await openDb(url);
      const after = await ordersTable(migrated).finally(() => migrated.close());
      expect({ before, after }).toEqual({ before: null, after: "orders" });
    } finally {
      await fresh.drop();
      if (url !== fresh.url) await rm(url, { recursive: true, force: true });
    }
    // Two PGlite start-ups on disk: slow on a busy machine.
  }, 300_000);
});
