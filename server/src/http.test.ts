// The HTTP surface: orders, bad input on every route, the mobile return and its redirect rules,
// CORS, /config, /healthz, the widget files, and secrets kept out of logs and answers.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createSandbox } from "@iamport-pay/sandbox";
import { ConfigResponse, CreateOrderResponse, ErrorBody, OrderView } from "@iamport-pay/shared";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { demoCatalog } from "./catalog.js";
import { orders } from "./db/schema.js";
import { createIamportClient } from "./iamport-client.js";
import { startTestServer, type TestServer } from "./test-support.js";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ ALLOWED_ORIGINS: "https://shop.example.com" });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

async function storedOrders(): Promise<number> {
  const [row] = await t.server.db.drizzle.select({ n: count() }).from(orders);
  return row!.n;
}

describe("POST /orders", () => {
  it("prices the cart from the catalog and ignores any amount the browser sends", async () => {
    const answer = await t.api("POST", "/orders", {
      items: [
        { sku: "chair-001", quantity: 2 },
        { sku: "mug-002", quantity: 1 },
      ],
      amount: 1,
    });

    expect(answer.status).toBe(201);
    const order = CreateOrderResponse.parse(answer.body);
    expect(order).toMatchObject({
      amount: 2 * 64_900 + 12_000,
      currency: "KRW",
      status: "pending",
    });
    expect(order.name).toBe("원목 의자 외 1건");
    expect(order.merchant_uid).toMatch(/^ord_[0-9a-f]{32}$/);
  });

  it("makes a different unguessable merchant_uid for every order", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => t.createOrder()));
    expect(new Set(ids.map((o) => o.merchant_uid)).size).toBe(20);
  });

  it.each([
    ["an unknown SKU", { items: [{ sku: "nope", quantity: 1 }] }, 422, "unknown_sku"],
    ["a zero quantity", { items: [{ sku: "chair-001", quantity: 0 }] }, 400, "bad_request"],
    ["a fractional quantity", { items: [{ sku: "chair-001", quantity: 1.5 }] }, 400, "bad_request"],
    ["a huge quantity", { items: [{ sku: "chair-001", quantity: 1000 }] }, 400, "bad_request"],
    [
      "a quantity over the bound split across lines",
      {
        items: [
          { sku: "chair-001", quantity: 600 },
          { sku: "chair-001", quantity: 600 },
        ],
      },
      422,
      "order_rejected",
    ],
    ["an empty cart", { items: [] }, 400, "bad_request"],
    ["no items", {}, 400, "bad_request"],
    ["a JSON array", [], 400, "bad_request"],
  ])("refuses %s without storing anything", async (_name, body, status, code) => {
    const answer = await t.api("POST", "/orders", body);
    expect(answer.status).toBe(status);
    expect(ErrorBody.parse(answer.body).code).toBe(code);
    expect(await storedOrders()).toBe(0);
  });

  it("refuses malformed JSON, a wrong content type and an oversized body", async () => {
    const malformed = await t.api("POST", "/orders", "{items:", {
      "content-type": "application/json",
    });
    const form = await t.api("POST", "/orders", "items=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    const huge = await t.api("POST", "/orders", {
      items: [{ sku: "chair-001", quantity: 1 }],
      pad: "x".repeat(100_000),
    });

    expect([malformed.status, form.status, huge.status]).toEqual([400, 415, 413]);
    // The unread body leaves the socket unusable: a keep-alive client must be told.
    expect(huge.headers.get("connection")).toBe("close");
    expect([malformed, form, huge].map((a) => ErrorBody.parse(a.body).code)).toEqual([
      "bad_request",
      "unsupported_media_type",
      "payload_too_large",
    ]);
    expect(await storedOrders()).toBe(0);
  });

  it("counts a chunked body (no Content-Length) as it arrives: reads one under the limit, refuses one over it", async () => {
    const chunked = (chunks: string[]) =>
      fetch(`${t.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);

    const small = await chunked(['{"items":[{"sku":"mug-002",', '"quantity":1}]}']);
    const huge = await chunked(['{"pad":"', "x".repeat(40_000), "x".repeat(40_000), '"}']);

    expect(small.status).toBe(201);
    expect(CreateOrderResponse.parse(await small.json()).amount).toBe(12_000);
    expect(huge.status).toBe(413);
    expect(ErrorBody.parse(await huge.json()).code).toBe("payload_too_large");
    expect(await storedOrders()).toBe(1);
  });
});

describe("GET /orders/:merchant_uid", () => {
  it("shows the public view without buyer details", async () => {
    const created = await t.api("POST", "/orders", {
      items: [{ sku: "mug-002", quantity: 1 }],
      buyer: { name: "홍길동", email: "gildong@example.com", tel: "010-1234-5678" },
    });
    const answer = await t.api("GET", `/orders/${created.body.merchant_uid}`);

    expect(answer.status).toBe(200);
    expect(OrderView.parse(answer.body).status).toBe("pending");
    expect(answer.text).not.toContain("gildong");
    expect(answer.text).not.toContain("010-1234");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    for (const id of [
      "ord_00000000000000000000000000000000",
      "%27%20or%201%3D1",
      "a".repeat(300),
    ]) {
      const answer = await t.api("GET", `/orders/${id}`);
      expect(answer.status).toBe(404);
      expect(ErrorBody.parse(answer.body).code).toBe("order_not_found");
    }
  });
});

describe("bad input on the payment routes", () => {
  it("answers 400 to a completion without ids, and 415 to one that is not JSON", async () => {
    const empty = await t.api("POST", "/payments/complete", {});
    const text = await t.api("POST", "/payments/complete", "imp_uid=x", {
      "content-type": "text/plain",
    });
    expect(empty.status).toBe(400);
    expect(ErrorBody.parse(empty.body).code).toBe("bad_request");
    expect(text.status).toBe(415);
  });

  it("answers 400 to a webhook without imp_uid and 415 to an unknown body type", async () => {
    const missing = await t.webhook({ merchant_uid: "x" });
    const xml = await t.api("POST", "/iamport-webhook", "<x/>", {
      "content-type": "application/xml",
    });
    expect(missing.status).toBe(400);
    expect(xml.status).toBe(415);
  });

  it("answers unknown routes and methods with the JSON error shape", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["DELETE", "/orders"],
      ["GET", "/payments/complete"],
    ] as const) {
      const answer = await t.api(method, path);
      expect(answer.status).toBe(404);
      expect(ErrorBody.parse(answer.body).code).toBe("not_found");
    }
  });
});

describe("GET /payments/complete/mobile", () => {
  async function paidOrder() {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    return { order, payment };
  }

  it("verifies, then sends the shopper back with merchant_uid and the verdict", async () => {
    const { order, payment } = await paidOrder();
    const back = "https://shop.example.com/checkout?step=done";

    const answer = await t.api(
      "GET",
      `/payments/complete/mobile?imp_uid=${payment.imp_uid}&merchant_uid=${order.merchant_uid}&imp_success=true&return=${encodeURIComponent(back)}`,
    );

    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get("location")!);
    expect(location.origin).toBe("https://shop.example.com");
    expect(location.searchParams.get("step")).toBe("done");
    expect(location.searchParams.get("merchant_uid")).toBe(order.merchant_uid);
    expect(location.searchParams.get("iamport_pay")).toBe("success");
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
  });

  it("trusts the payment, not imp_success or success", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, {
      status: "failed",
      webhook: false,
    });

    const answer = await t.api(
      "GET",
      `/payments/complete/mobile?imp_uid=${payment.imp_uid}&merchant_uid=${order.merchant_uid}&success=true&return=https://shop.example.com/`,
    );

    expect(new URL(answer.headers.get("location")!).searchParams.get("iamport_pay")).toBe("failed");
  });

  it("hands on the error of a shopper who closed the window, with the order still pending", async () => {
    const order = await t.createOrder();
    const query = new URLSearchParams({
      merchant_uid: order.merchant_uid,
      imp_success: "false",
      error_code: "F400",
      error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
      return: "https://shop.example.com/cart",
    });

    const answer = await t.api("GET", `/payments/complete/mobile?${query}`);

    const location = new URL(answer.headers.get("location")!);
    expect(location.searchParams.get("iamport_pay")).toBe("pending");
    expect(location.searchParams.get("error_code")).toBe("F400");
  });

  it.each([
    "https://evil.example/steal",
    "//evil.example/steal",
    "https://shop.example.com.evil.example/",
    "https://shop.example.com@evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://shop.example.com/",
  ])("never redirects to %s: it shows its own page instead", async (target) => {
    const { order, payment } = await paidOrder();

    const answer = await t.api(
      "GET",
      `/payments/complete/mobile?imp_uid=${payment.imp_uid}&merchant_uid=${order.merchant_uid}&return=${encodeURIComponent(target)}`,
    );

    expect(answer.status).toBe(400);
    expect(answer.headers.get("location")).toBeNull();
    expect(answer.headers.get("content-type")).toContain("text/html");
    expect(answer.text).not.toContain("evil");
    expect(answer.text).not.toContain("script>alert");
    // The payment was still verified.
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
  });

  it("shows its own page when no return is given, and 400 for a query without merchant_uid", async () => {
    const { order, payment } = await paidOrder();
    const page = await t.api(
      "GET",
      `/payments/complete/mobile?imp_uid=${payment.imp_uid}&merchant_uid=${order.merchant_uid}`,
    );
    const bad = await t.api("GET", `/payments/complete/mobile?imp_uid=${payment.imp_uid}`);

    expect(page.status).toBe(200);
    expect(page.text).toContain("결제가 완료되었습니다");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("location")).toBeNull();
  });
});

describe("CORS", () => {
  it("answers the allowed origin's preflight, and refuses another origin's request itself", async () => {
    const preflight = await t.api("OPTIONS", "/orders", undefined, {
      origin: "https://shop.example.com",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    const other = await t.api(
      "POST",
      "/orders",
      { items: [{ sku: "chair-001", quantity: 1 }] },
      {
        origin: "https://evil.example",
      },
    );

    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(other.status).toBe(403);
    expect(ErrorBody.parse(other.body).code).toBe("origin_not_allowed");
    expect(await storedOrders()).toBe(0);
  });

  it("lets the allowed origin read the answer itself, and marks API answers Vary: Origin", async () => {
    const body = { items: [{ sku: "chair-001", quantity: 1 }] };
    const fromShop = await t.api("POST", "/orders", body, { origin: "https://shop.example.com" });
    const serverToServer = await t.api("POST", "/orders", body);
    const config = await t.api("GET", "/config", undefined, { origin: "https://shop.example.com" });

    expect([fromShop.status, serverToServer.status, config.status]).toEqual([201, 201, 200]);
    expect(fromShop.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(config.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(serverToServer.headers.get("access-control-allow-origin")).toBeNull();
    for (const answer of [fromShop, serverToServer, config]) {
      expect(answer.headers.get("vary")).toMatch(/\bOrigin\b/);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-request-id")).toMatch(/.+/);
    }
  });
});

describe("GET /config and /healthz", () => {
  it("gives the widget the merchant code and the sandbox SDK, and no secret", async () => {
    const answer = await t.api("GET", "/config");
    const config = ConfigResponse.parse(answer.body);
    expect(config).toMatchObject({
      impCode: "imp12345678",
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      sandbox: true,
    });
    expect(answer.text).not.toContain("sandbox_secret");
  });

  it("reports a healthy database and carries a request id", async () => {
    const answer = await t.api("GET", "/healthz");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-request-id")).toMatch(/.+/);
  });
});

describe("the widget's files", () => {
  const appWith = (widgetDir: URL) =>
    createApp({
      db: t.server.db,
      iamport: createIamportClient({ baseUrl: "http://127.0.0.1:9", key: "k", secret: "s" }),
      catalog: demoCatalog,
      impCode: "imp12345678",
      sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
      widgetDir,
      log: () => {},
    });

  it("are served as JavaScript from widgetDir", async () => {
    const dir = await mkdtemp(join(tmpdir(), "widget-"));
    await writeFile(join(dir, "iamport-pay-button.js"), "export const ok = 1;");
    const answer = await appWith(pathToFileURL(`${dir}/`)).request("/iamport-pay-button.js");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/javascript");
    expect(await answer.text()).toBe("export const ok = 1;");
  });

  it("answer 404 with a hint to build when missing", async () => {
    const answer = await appWith(pathToFileURL("/nonexistent-widget-dir/")).request(
      "/iamport-pay-button.iife.js",
    );
    expect(answer.status).toBe(404);
    expect(ErrorBody.parse(await answer.json()).message).toContain("pnpm build");
  });
});

describe("secrets", () => {
  it("never appear in logs or answers, whatever happens", async () => {
    const secret = "top-secret-7f3a9c1d";
    const sandbox = createSandbox({ impKey: "merchant_key", impSecret: secret });
    const viaSandbox = (input: string | URL | Request, init?: RequestInit) =>
      Promise.resolve(sandbox.app.request(String(input), init));
    const lines: string[] = [];
    const build = (clientSecret: string) =>
      createApp({
        db: t.server.db,
        iamport: createIamportClient({
          baseUrl: "http://iamport.test",
          key: "merchant_key",
          secret: clientSecret,
          fetch: viaSandbox,
          includeSandbox: true,
        }),
        catalog: demoCatalog,
        impCode: "imp12345678",
        sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
        log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })),
      });
    const app = build(secret);
    const wrong = build(`${secret}-wrong`);
    const answers: string[] = [];
    const call = async (target: typeof app, path: string, body?: unknown) => {
      const response = await target.request(path, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, text };
    };

    const created = JSON.parse(
      (await call(app, "/orders", { items: [{ sku: "mug-002", quantity: 1 }] })).text,
    );
    const made = await sandbox.app.request("/control/payments", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ merchant_uid: created.merchant_uid, amount: 12_000 }),
    });
    const payment = (await made.json()) as { imp_uid: string };
    await call(app, "/payments/complete", {
      imp_uid: payment.imp_uid,
      merchant_uid: created.merchant_uid,
    });
    const refused = await call(wrong, "/payments/complete", {
      imp_uid: payment.imp_uid,
      merchant_uid: created.merchant_uid,
    });
    await call(app, "/config");
    await call(app, "/payments/complete", {
      imp_uid: "imp_unknown",
      merchant_uid: created.merchant_uid,
    });

    expect(refused.status).toBe(502);
    expect(answers.length).toBe(5);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...answers, ...lines]) expect(text).not.toContain(secret);
    await sandbox.close();
  });
});

describe("options of createApp", () => {
  // The same database and sandbox as the server under test, through another app.
  const appWith = (options: { prepare?: boolean; cancelForged?: boolean }) =>
    createApp({
      db: t.server.db,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        includeSandbox: true,
      }),
      catalog: demoCatalog,
      impCode: "imp12345678",
      sdkUrl: "https://cdn.iamport.kr/v1/iamport.js",
      refuseSandboxPayments: false,
      log: () => {},
      hooks: { onForgery: (event) => void forgeries.push(event.cancelled) },
      ...options,
    });
  const forgeries: boolean[] = [];
  const post = (app: ReturnType<typeof createApp>, path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("registers each order's amount with Iamport when prepare is on", async () => {
    const created = await post(appWith({ prepare: true }), "/orders", {
      items: [{ sku: "lamp-003", quantity: 2 }],
    });
    const order = (await created.json()) as { merchant_uid: string };

    const token = await createIamportClient({
      baseUrl: `${t.url}/sandbox`,
      key: "sandbox_key",
      secret: "sandbox_secret",
    }).getToken();
    const prepared = await fetch(`${t.url}/sandbox/payments/prepare/${order.merchant_uid}`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(created.status).toBe(201);
    expect(((await prepared.json()) as { response: unknown }).response).toMatchObject({
      merchant_uid: order.merchant_uid,
      amount: 77_000,
    });
  });

  it("stores no order when Iamport cannot register the amount", async () => {
    await t.control("POST", "/faults", { target: "prepare", mode: "error" });
    const created = await post(appWith({ prepare: true }), "/orders", {
      items: [{ sku: "lamp-003", quantity: 1 }],
    });
    await t.control("DELETE", "/faults");

    expect(created.status).toBe(503);
    expect(await storedOrders()).toBe(0);
  });

  it("marks a forgery but leaves the payment alone when cancelForged is off", async () => {
    forgeries.length = 0;
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, 10, { webhook: false });

    const answer = await post(appWith({ cancelForged: false }), "/payments/complete", {
      imp_uid: payment.imp_uid,
      merchant_uid: order.merchant_uid,
    });

    expect(answer.status).toBe(400);
    expect((await t.order(order.merchant_uid)).status).toBe("forged");
    const payments = (await t.control("GET", "/payments")).body as {
      imp_uid: string;
      status: string;
    }[];
    expect(payments.find((p) => p.imp_uid === payment.imp_uid)!.status).toBe("paid");
    expect(forgeries).toEqual([false]);
  });
});
