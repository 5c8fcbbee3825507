import { afterEach, describe, expect, it } from "vitest";
import type { SandboxOptions } from "./index.js";
import { type RunningSandbox, startReceiver, startSandbox } from "./test-support.js";
import type { WebhookAttempt } from "./webhooks.js";

describe("webhook delivery", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(statuses: number[] = [200], options: SandboxOptions = {}) {
    const receiver = await startReceiver(statuses);
    cleanups.push(receiver.close);
    const s = await startSandbox({ noticeUrl: receiver.url, ...options });
    cleanups.push(s.close);
    return { receiver, s };
  }
  const create = (s: RunningSandbox, body: Record<string, unknown>) => s.createPayment(body);
  async function attempts(s: RunningSandbox) {
    await s.sandbox.settled();
    return (await s.call("GET", "/control/webhooks")).body as unknown as WebhookAttempt[];
  }

  it("posts { imp_uid, merchant_uid, status } as JSON when a payment is paid", async () => {
    const { receiver, s } = await setup();
    const paid = await create(s, { merchant_uid: "w1", amount: 1000 });
    await s.sandbox.settled();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.contentType).toBe("application/json");
    expect(JSON.parse(receiver.received[0]!.text)).toEqual({
      imp_uid: paid.imp_uid,
      merchant_uid: "w1",
      status: "paid",
    });
    const [attempt] = await attempts(s);
    expect(attempt).toMatchObject({
      url: receiver.url,
      attempt: 1,
      response_status: 200,
      error: null,
    });
  });

  it("posts a form body when the console says so", async () => {
    const { receiver, s } = await setup([200], {
      webhookContentType: "application/x-www-form-urlencoded",
    });
    const paid = await create(s, { merchant_uid: "w2", amount: 1000 });
    await s.sandbox.settled();
    expect(receiver.received[0]!.contentType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(receiver.received[0]!.text))).toEqual({
      imp_uid: paid.imp_uid,
      merchant_uid: "w2",
      status: "paid",
    });
  });

  it("sends once by default, even when the merchant answers 500", async () => {
    const { receiver, s } = await setup([500]);
    await create(s, { merchant_uid: "w3", amount: 1000 });
    expect(await attempts(s)).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a 5xx as configured and records every attempt", async () => {
    const { receiver, s } = await setup([500, 503, 200], {
      webhookRetries: 4,
      webhookRetryDelayMs: 5,
    });
    await create(s, { merchant_uid: "w4", amount: 1000 });
    const log = await attempts(s);
    expect(log.map((a) => [a.attempt, a.response_status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(receiver.received).toHaveLength(3);
  });

  it("does not retry a 4xx answer", async () => {
    const { s } = await setup([404], { webhookRetries: 3, webhookRetryDelayMs: 5 });
    await create(s, { merchant_uid: "w5", amount: 1000 });
    expect(await attempts(s)).toHaveLength(1);
  });

  it("records a network error and retries it", async () => {
    const s = await startSandbox({
      noticeUrl: "http://127.0.0.1:9/unreachable",
      webhookRetries: 1,
      webhookRetryDelayMs: 5,
    });
    cleanups.push(s.close);
    await create(s, { merchant_uid: "w6", amount: 1000 });
    const log = await attempts(s);
    expect(log).toHaveLength(2);
    expect(log.every((a) => a.response_status === null && a.error !== null)).toBe(true);
  });

  it("does not notify a failed payment", async () => {
    const { receiver, s } = await setup();
    await create(s, { merchant_uid: "w7", amount: 1000, status: "failed" });
    expect(await attempts(s)).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);
  });

  it("notifies a virtual account's issue (ready), its deposit (paid) and a console refund (cancelled)", async () => {
    const { receiver, s } = await setup();
    const ready = await create(s, { merchant_uid: "w8", amount: 1000, status: "ready" });
    await s.call("POST", `/control/payments/${ready.imp_uid}/deposit`);
    await s.sandbox.settled();
    await s.call("POST", `/control/payments/${ready.imp_uid}/cancel`, { body: {} });
    await s.sandbox.settled();
    const bodies = receiver.received.map((r) => JSON.parse(r.text) as Record<string, string>);
    expect(bodies.map((b) => b.status)).toEqual(["ready", "paid", "cancelled"]);
    expect(bodies[2]!.cancellation_id).toBeTruthy();
  });

  it("notifies an API cancel only when enable_webhook is set", async () => {
    const { receiver, s } = await setup();
    const token = await s.token();
    const a = await create(s, { merchant_uid: "w9", amount: 1000 });
    const b = await create(s, { merchant_uid: "w10", amount: 1000 });
    await s.call("POST", "/payments/cancel", { body: { imp_uid: a.imp_uid }, token });
    await s.call("POST", "/payments/cancel", {
      body: { imp_uid: b.imp_uid, enable_webhook: true },
      token,
    });
    await s.sandbox.settled();
    const cancelled = receiver.received
      .map((r) => JSON.parse(r.text) as Record<string, string>)
      .filter((body) => body.status === "cancelled");
    expect(cancelled.map((body) => body.merchant_uid)).toEqual(["w10"]);
  });

  it("sends to a payment's own notice_url instead of the console's", async () => {
    const { receiver, s } = await setup();
    const other = await startReceiver();
    cleanups.push(other.close);
    await create(s, { merchant_uid: "w11", amount: 1000, notice_url: other.url });
    await s.sandbox.settled();
    expect(receiver.received).toHaveLength(0);
    expect(other.received).toHaveLength(1);
  });

  it("forgets deliveries on reset", async () => {
    const { s } = await setup();
    await create(s, { merchant_uid: "w12", amount: 1000 });
    await s.sandbox.settled();
    await s.call("POST", "/control/reset");
    expect(await attempts(s)).toHaveLength(0);
  });
});
