// What an operator relies on in production: refusals at start, /readyz, /metrics, LOG_LEVEL,
// security headers and the request deadline. Iamport is a standalone sandbox on a real port.
// Each server start opens a database (seconds on a loaded machine): the bounds are generous.
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSandbox, type Sandbox } from "@iamport-pay/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { demoCatalog } from "./catalog.js";
import { loadConfig } from "./config.js";
import { createIamportClient } from "./iamport-client.js";
import type { ScheduleTimer } from "./request-timeout.js";
import { mobileResultStyle } from "./routes/mobile-page.js";
import { startServer } from "./server.js";
import { createTestDatabase, startTestServer, type TestServer } from "./test-support.js";

let sandbox: Sandbox;
let sandboxUrl: string;
let stopSandbox: () => Promise<void>;

beforeAll(async () => {
  sandbox = createSandbox({ impKey: "live_key", impSecret: "live_secret" });
  const listener = serve({ fetch: sandbox.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => listener.once("listening", () => resolve()));
  sandboxUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  stopSandbox = () =>
    new Promise((resolve) => {
      listener.closeAllConnections();
      listener.close(() => resolve());
    });
});
afterAll(async () => {
  await sandbox?.close();
  await stopSandbox?.();
});

const keyed = (env: Record<string, string> = {}) => ({
  IMP_CODE: "imp00000001",
  IMP_KEY: "live_key",
  IMP_SECRET: "live_secret",
  IAMPORT_API_URL: sandboxUrl,
  ...env,
});

const tokenRequests = async () =>
  ((await (await fetch(`${sandboxUrl}/control/calls`)).json()) as { path: string }[]).filter(
    (call) => call.path.endsWith("/users/getToken"),
  ).length;

describe("starting with real keys", { timeout: 120_000 }, () => {
  it("refuses keys Iamport refuses, in one line, before listening or opening the database", async () => {
    const database = await createTestDatabase();
    try {
      const config = loadConfig({
        PORT: "0",
        DATABASE_URL: database.url,
        ...keyed({ IMP_SECRET: "not_the_secret" }),
      });
      const refusal = await startServer(config, { log: () => {} }).then(
        () => undefined,
        (error: Error) => error.message,
      );

      expect(refusal).toMatch(/^Iamport refused IMP_KEY\/IMP_SECRET \(HTTP 401\): [^\n]+$/);
      expect(refusal).not.toContain("not_the_secret");
    } finally {
      await database.drop();
    }
  });

  it("skips the check with IAMPORT_CHECK_KEYS=false, and then is not ready", async () => {
    sandbox.reset();
    const t = await startTestServer(
      keyed({ IMP_SECRET: "not_the_secret", IAMPORT_CHECK_KEYS: "false" }),
      { acceptSandboxPayments: true },
    );
    try {
      expect(await tokenRequests()).toBe(0);
      const ready = await t.api("GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: "error",
        code: "not_ready",
        database: "ok",
        iamport: "unavailable",
      });
      expect((await t.api("GET", "/healthz")).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("asks for one token at start and reuses it for readiness and payments", async () => {
    sandbox.reset();
    const t = await startTestServer(keyed(), { acceptSandboxPayments: true });
    try {
      expect(await tokenRequests()).toBe(1);
      const ready = await t.api("GET", "/readyz");
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: "ok", database: "ok", iamport: "ok" });
      expect(await tokenRequests()).toBe(1);
    } finally {
      await t.close();
    }
  });

  it("starts when Iamport cannot be reached, says so, and is not ready", async () => {
    // Port 9 (discard): nothing listens, so the connection is refused at once.
    const t = await startTestServer(keyed({ IAMPORT_API_URL: "http://127.0.0.1:9" }));
    try {
      expect(t.logs.some((entry) => entry.message.startsWith("could not reach Iamport"))).toBe(
        true,
      );
      const ready = await t.api("GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ iamport: "unavailable", database: "ok" });
    } finally {
      await t.close();
    }
  });
});

describe("metrics", { timeout: 120_000 }, () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ METRICS: "true" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("counts verifications, Iamport calls, tokens, webhooks, reconciliation and the outbox", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount); // its webhook verifies once
    await t.complete(payment.imp_uid, order.merchant_uid);
    await t.server.reconcile();

    const answer = await t.api("GET", "/metrics");

    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = answer.text.split("\n");
    const value = (series: string) =>
      Number(lines.find((line) => line.startsWith(`${series} `))?.split(" ")[1]);
    expect(value('iamport_pay_verifications_total{source="client",outcome="success"}')).toBe(1);
    expect(value('iamport_pay_verifications_total{source="webhook",outcome="success"}')).toBe(1);
    expect(value("iamport_pay_webhooks_received_total")).toBe(1);
    expect(value("iamport_pay_token_refreshes_total")).toBe(1);
    expect(
      value(
        'iamport_pay_iamport_request_duration_seconds_count{route="/payments/{imp_uid}",status="200"}',
      ),
    ).toBe(2);
    expect(value("iamport_pay_reconcile_rounds_total")).toBe(1);
    expect(value("iamport_pay_hook_outbox_depth")).toBe(0);
    expect(
      value('iamport_pay_http_request_duration_seconds_count{method="POST",status="201"}'),
    ).toBeGreaterThan(0);
    expect(answer.text).toContain("process_cpu_seconds_total");
    // No payment or order id ever becomes a label.
    expect(answer.text).not.toContain(payment.imp_uid);
    expect(answer.text).not.toContain(order.merchant_uid);
  });

  it("counts a forged payment's refund", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount - 1000, { webhook: false });
    await t.complete(payment.imp_uid, order.merchant_uid);

    const answer = await t.api("GET", "/metrics");

    expect(answer.text).toContain('iamport_pay_refunds_total{reason="forgery",outcome="ok"} 1');
    expect(answer.text).toContain(
      'iamport_pay_verifications_total{source="client",outcome="forgery"} 1',
    );
  });

  it("are not served unless METRICS=true", async () => {
    const plain = await startTestServer();
    try {
      const answer = await plain.api("GET", "/metrics");
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ status: "error", code: "not_found" });
    } finally {
      await plain.close();
    }
  });

  it("are served on a port of their own with METRICS_PORT, and not on the API's", async () => {
    const separate = await startTestServer({ METRICS: "true", METRICS_PORT: "0" });
    try {
      const metricsUrl = separate.server.metricsUrl ?? "";
      expect(new URL(metricsUrl).port).not.toBe(String(separate.server.port));
      const answer = await fetch(metricsUrl);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain("iamport_pay_verifications_total");
      expect((await separate.api("GET", "/metrics")).status).toBe(404);
    } finally {
      await separate.close();
    }
    await expect(fetch(separate.server.metricsUrl ?? "")).rejects.toThrow();
  });
});

describe("headers, log level and the request deadline", { timeout: 120_000 }, () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ LOG_LEVEL: "warn" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("writes no info lines at LOG_LEVEL=warn, and still writes warnings", async () => {
    await t.api("GET", "/healthz");
    expect(t.logs.some((entry) => entry.level === "info")).toBe(false);
    // The sandbox-mode banner is a warning.
    expect(t.logs.some((entry) => entry.level === "warn")).toBe(true);
  });

  it("marks JSON answers nosniff", async () => {
    for (const path of ["/config", "/healthz", "/no-such-route"]) {
      const answer = await t.api("GET", path);
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("gives the demo shop and the console a CSP of scripts from this server only", async () => {
    for (const path of ["/", "/sandbox-console/"]) {
      const answer = await t.api("GET", path);
      const csp = answer.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("object-src 'none'");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("gives the mobile result page a CSP that allows its one style block and no script", async () => {
    const answer = await t.api("GET", "/payments/complete/mobile?merchant_uid=nope");
    const csp = answer.headers.get("content-security-policy") ?? "";
    const style = /<style>([^<]*)<\/style>/.exec(answer.text)?.[1];

    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    expect(style).toBe(mobileResultStyle);
    const hash = createHash("sha256")
      .update(style ?? "")
      .digest("base64");
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(answer.text).not.toMatch(/<script|style="/);
  });

  it("answers 504 JSON when a request outlives its deadline, instead of hanging", async () => {
    const timers: { fire: () => void; ms: number }[] = [];
    const manual: ScheduleTimer = (fire, ms) => {
      timers.push({ fire, ms });
      return () => {};
    };
    const app = createApp({
      db: t.server.db,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        // Never times out by itself: only the request deadline can end this request.
        timeoutSignal: () => new AbortController().signal,
      }),
      catalog: demoCatalog,
      impCode: "imp12345678",
      sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
      refuseSandboxPayments: false,
      log: () => {},
      requestTimeoutMs: 20_000,
      scheduleTimer: manual,
    });
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    await t.control("POST", "/faults", { target: "payments", mode: "hang" });

    const pending = app.request("/payments/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid }),
    });
    await until(() => timers.length === 1);
    timers[0]?.fire();
    const answer = await pending;
    await t.control("DELETE", "/faults");

    expect(timers[0]?.ms).toBe(20_000);
    expect(answer.status).toBe(504);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await answer.json()).toMatchObject({ status: "error", code: "timeout" });
  });
});

/** Waits for a condition the test cannot await directly, with a generous bound. */
async function until(condition: () => boolean, boundMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > boundMs) throw new Error("condition never held");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
