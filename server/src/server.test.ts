// startServer as `pnpm start` composes it: sandbox mode with the demo shop, production mode with
// real keys (here pointed at a standalone sandbox), and a graceful close.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSandbox, type Sandbox } from "@iamport-pay/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { demoCatalog } from "./catalog.js";
import { createIamportClient } from "./iamport-client.js";
import { startTestServer, type TestServer } from "./test-support.js";

describe("sandbox mode", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("says so in the log, mounts the sandbox and serves the demo shop", async () => {
    const banner = t.logs.find((entry) => entry.message.startsWith("SANDBOX MODE"));
    const shop = await t.api("GET", "/");
    const sdk = await t.api("GET", "/sandbox/iamport.payment.js");
    const catalog = await t.api("GET", "/demo/catalog.json");

    expect(banner).toBeDefined();
    expect(shop.status).toBe(200);
    expect(shop.text).toContain("<iamport-pay-button");
    expect(sdk.status).toBe(200);
    expect(catalog.body.map((p: { sku: string }) => p.sku)).toContain("chair-001");
  });

  it("tells clients it keeps idle connections longer than a proxy's usual 60 s", async () => {
    // Node's default of 5 s made the server close connections a client was about to reuse.
    const response = await fetch(`${t.url}/healthz`);
    await response.arrayBuffer();
    expect(response.headers.get("keep-alive")).toBe("timeout=65");
  });

  it("lists orders with their verify history for the sandbox console", async () => {
    const order = await t.createOrder();
    await t.pay(order.merchant_uid, order.amount);

    const answer = await t.api("GET", "/sandbox-console/orders.json");

    expect(answer.body[0].order).toMatchObject({
      merchant_uid: order.merchant_uid,
      status: "paid",
    });
    expect(answer.body[0].events[0]).toMatchObject({
      source: "webhook",
      iamport_status: "paid",
      decision: "paid",
    });
  });

  it("finishes a request in flight when closed, then stops listening", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    // Iamport holds the next lookup until the fault is cleared (a long latency, released early).
    await t.control("POST", "/faults", {
      target: "payments",
      mode: "latency",
      ms: 600_000,
      count: 1,
    });
    const sandbox = t.server.sandbox;
    if (!sandbox) throw new Error("sandbox mode has a sandbox");
    const faults = async () =>
      (await (await sandbox.app.request("/control/faults")).json()) as unknown[];

    const inFlight = t.complete(payment.imp_uid, order.merchant_uid);
    // The fault is used up once the lookup reached Iamport: the request is in flight.
    while ((await faults()).length > 0) await new Promise((resolve) => setImmediate(resolve));
    const closed = t.close();
    let closedYet = false;
    void closed.then(() => {
      closedYet = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closedYet).toBe(false);
    // In-process, not over the closing listener.
    await sandbox.app.request("/control/faults", { method: "DELETE" });
    const answer = await inFlight;
    await closed;

    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("success");
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});

describe("production mode (keys given)", () => {
  let sandbox: Sandbox;
  let sandboxUrl: string;
  let stopSandbox: () => Promise<void>;
  let t: TestServer;

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
    t = await startTestServer({
      IMP_KEY: "live_key",
      IMP_SECRET: "live_secret",
      IAMPORT_API_URL: sandboxUrl,
      IMP_CODE: "imp00000001",
    });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
    await stopSandbox?.();
  });

  it("mounts no sandbox, no demo, and points widgets at Iamport's SDK", async () => {
    const config = await t.api("GET", "/config");
    expect(config.body).toEqual({
      impCode: "imp00000001",
      sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
      sandbox: false,
    });
    expect((await t.api("GET", "/sandbox/iamport.payment.js")).status).toBe(404);
    expect((await t.api("GET", "/sandbox-console/orders.json")).status).toBe(404);
    expect(t.logs.some((entry) => entry.message.startsWith("SANDBOX MODE"))).toBe(false);
  });

  it("never sees a test-channel payment, which Iamport leaves out without include_sandbox", async () => {
    const order = await t.createOrder();
    const made = await fetch(`${sandboxUrl}/control/payments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ merchant_uid: order.merchant_uid, amount: order.amount }),
    });
    const payment = (await made.json()) as { imp_uid: string; sandbox: boolean };

    const answer = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(payment.sandbox).toBe(true);
    expect(answer.status).toBe(404);
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
  });
  it("refuses sandbox payments in an app made with createApp unless told otherwise", async () => {
    const order = await t.createOrder();
    const made = await fetch(`${sandboxUrl}/control/payments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ merchant_uid: order.merchant_uid, amount: order.amount }),
    });
    const payment = (await made.json()) as { imp_uid: string };
    const library = createApp({
      db: t.server.db,
      // Asking with include_sandbox=true, so the refusal is the app's own.
      iamport: createIamportClient({
        baseUrl: sandboxUrl,
        key: "live_key",
        secret: "live_secret",
        includeSandbox: true,
      }),
      catalog: demoCatalog,
      impCode: "imp00000001",
      sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
      log: () => {},
    });

    const answer = await library.request("/payments/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid }),
    });

    expect(answer.status).toBe(400);
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
  });
});
