// Which pages may call the API and get a shopper back after a mobile payment: the server's own
// origin plus ALLOWED_ORIGINS, loopback names as one host in sandbox mode, and an honest,
// readable 403 (with a log line saying what to set) for every other origin.
import { ErrorBody } from "@iamport-pay/shared";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orders } from "./db/schema.js";
import { createOriginPolicy } from "./origins.js";
import { startTestServer, type TestServer } from "./test-support.js";

describe("createOriginPolicy", () => {
  const request = "http://127.0.0.1:8787/orders";

  it("keeps the server's own origin when ALLOWED_ORIGINS is set", () => {
    const policy = createOriginPolicy({
      publicOrigin: "https://pay.example.com",
      allowedOrigins: ["https://shop.example.com"],
    });
    expect(policy.allows("https://pay.example.com", request)).toBe(true);
    expect(policy.allows("https://shop.example.com", request)).toBe(true);
    expect(policy.allows("https://evil.example", request)).toBe(false);
  });

  it("allows a page on the origin the request was addressed to", () => {
    const policy = createOriginPolicy({ publicOrigin: "https://pay.example.com" });
    expect(policy.allows("http://127.0.0.1:8787", request)).toBe(true);
  });

  it("treats localhost, 127.0.0.1 and [::1] on one port as one origin only in sandbox mode", () => {
    const sandbox = createOriginPolicy({
      publicOrigin: "http://127.0.0.1:8787",
      loopbackEquivalent: true,
    });
    const keyed = createOriginPolicy({ publicOrigin: "http://127.0.0.1:8787" });
    const elsewhere = "https://pay.example.com/orders";

    for (const origin of ["http://localhost:8787", "http://[::1]:8787", "http://127.0.0.1:8787"]) {
      expect(sandbox.allows(origin, elsewhere), origin).toBe(true);
    }
    expect(sandbox.allows("http://localhost:3000", elsewhere)).toBe(false);
    expect(sandbox.allows("https://localhost:8787", elsewhere)).toBe(false);
    expect(keyed.allows("http://localhost:8787", elsewhere)).toBe(false);
  });
});

describe("origins over HTTP (sandbox mode, ALLOWED_ORIGINS set)", () => {
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
  const cart = { items: [{ sku: "chair-001", quantity: 1 }] };

  it("refuses another origin's order with a readable 403 origin_not_allowed and stores nothing", async () => {
    const answer = await t.api("POST", "/orders", cart, { origin: "https://evil.example" });

    expect(answer.status).toBe(403);
    expect(ErrorBody.parse(answer.body).code).toBe("origin_not_allowed");
    // Readable by the refused page, so its button can say what is wrong.
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://evil.example");
    expect(await storedOrders()).toBe(0);
  });

  it("logs a warning naming the refused origin and the variable to set", async () => {
    await t.api("GET", "/config", undefined, { origin: "https://evil.example" });

    const warning = t.logs.find((entry) => entry.fields?.origin === "https://evil.example");
    expect(warning?.level).toBe("warn");
    expect(String(warning?.fields?.fix)).toContain("ALLOWED_ORIGINS");
  });

  it("answers every origin's preflight, so the refusal itself can be read", async () => {
    const answer = await t.api("OPTIONS", "/orders", undefined, {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });

    expect(answer.status).toBeLessThan(300);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://evil.example");
  });

  it("accepts the allowed origin and the server's own origin side by side", async () => {
    const shop = await t.api("POST", "/orders", cart, { origin: "https://shop.example.com" });
    const own = await t.api("POST", "/orders", cart, { origin: t.url });

    expect(shop.status).toBe(201);
    expect(shop.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(own.status).toBe(201);
  });

  it("accepts the server's page under another loopback name (localhost for 127.0.0.1)", async () => {
    const port = new URL(t.url).port;
    for (const origin of [`http://localhost:${port}`, `http://[::1]:${port}`]) {
      const answer = await t.api("POST", "/orders", cart, { origin });
      expect(answer.status, origin).toBe(201);
    }
    const otherPort = await t.api("POST", "/orders", cart, { origin: "http://localhost:1" });
    expect(otherPort.status).toBe(403);
  });

  it("sends a mobile shopper back to the server's own page under any loopback name", async () => {
    const port = new URL(t.url).port;
    for (const back of [`${t.url}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`]) {
      const order = await t.createOrder();
      const query = new URLSearchParams({
        merchant_uid: order.merchant_uid,
        imp_success: "false",
        return: back,
      });
      const answer = await t.api("GET", `/payments/complete/mobile?${query}`);
      expect(answer.status, back).toBe(303);
      expect(new URL(answer.headers.get("location")!).origin).toBe(new URL(back).origin);
    }
  });

  it("links the result page back to the shop when it cannot send the shopper there", async () => {
    const order = await t.createOrder();
    const answer = await t.api(
      "GET",
      `/payments/complete/mobile?merchant_uid=${order.merchant_uid}&return=${encodeURIComponent("https://evil.example/")}`,
    );

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('href="https://shop.example.com/"');
    expect(answer.text).not.toContain("evil");
  });
});
