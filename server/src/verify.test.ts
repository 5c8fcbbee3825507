// The verify rules, end to end: a whole server in sandbox mode on a real database, payments made
// through the sandbox's control API, our answers read over HTTP.
import type { IamportPayment } from "@iamport-pay/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { demoCatalog } from "./catalog.js";
import { type Db, openDb } from "./db/open.js";
import { deliverOwedHooks } from "./hook-outbox.js";
import { createIamportClient, type IamportClient } from "./iamport-client.js";
import { manualTimeouts, startTestServer, type TestServer } from "./test-support.js";
import { type HookEvent, type Hooks, verifyPayment } from "./verify.js";

let t: TestServer;
const isPostgres = () => /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");

beforeAll(async () => {
  // A generous Iamport timeout: hundreds of concurrent calls on a loaded 2-core machine must
  // not read as an outage (the outage tests use clients and faults of their own).
  t = await startTestServer({}, { iamportTimeoutMs: 120_000 });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

async function sandboxPayment(impUid: string): Promise<IamportPayment> {
  const answer = await t.control("GET", "/payments");
  return (answer.body as IamportPayment[]).find((p) => p.imp_uid === impUid)!;
}

const hooks = async (name: string) => (await t.settledHooks()).filter((call) => call.name === name);

describe("completion by the client", () => {
  it("marks a correctly paid order paid and calls onPaid once", async () => {
    const order = await t.createOrder([{ sku: "chair-001", quantity: 2 }]);
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    const answer = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("success");
    expect(answer.body.order).toMatchObject({
      status: "paid",
      amount: 129_800,
      imp_uid: payment.imp_uid,
    });
    expect(await hooks("onPaid")).toHaveLength(1);
  });

  it("answers a replayed completion with the same verdict and no second transition", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    await t.complete(payment.imp_uid, order.merchant_uid);

    const again = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(again.body.status).toBe("success");
    expect(await hooks("onPaid")).toHaveLength(1);
  });

  it("reports a failed payment as failed and lets a later payment for the order succeed", async () => {
    const order = await t.createOrder();
    const failed = await t.pay(order.merchant_uid, order.amount, {
      status: "failed",
      webhook: false,
    });

    expect((await t.complete(failed.imp_uid, order.merchant_uid)).body.status).toBe("failed");

    const retry = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    const answer = await t.complete(retry.imp_uid, order.merchant_uid);
    expect(answer.body.status).toBe("success");
    expect(answer.body.order.imp_uid).toBe(retry.imp_uid);
  });

  it("answers 404 payment_not_found for an imp_uid Iamport does not know", async () => {
    const order = await t.createOrder();
    const answer = await t.complete("imp_000000000000", order.merchant_uid);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ status: "error", code: "payment_not_found" });
  });
});

describe("forgery", () => {
  it("cancels a payment of the wrong amount, marks the order forged and answers 400 forgery", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, 100, { webhook: false });

    const answer = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(answer.status).toBe(400);
    expect(answer.body.status).toBe("forgery");
    expect((await t.order(order.merchant_uid)).status).toBe("forged");
    expect((await sandboxPayment(payment.imp_uid)).status).toBe("cancelled");
    expect(await hooks("onForgery")).toHaveLength(1);
    expect((await hooks("onForgery"))[0]!.event).toMatchObject({ cancelled: true });
    expect(await hooks("onPaid")).toHaveLength(0);
  });

  it("treats the right number in another currency as forgery", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, {
      currency: "JPY",
      webhook: false,
    });

    const answer = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(answer.status).toBe(400);
    expect(answer.body.status).toBe("forgery");
    expect((await sandboxPayment(payment.imp_uid)).status).toBe("cancelled");
  });

  it("refuses a cheap payment claimed for an expensive order and leaves that order pending", async () => {
    const cheap = await t.createOrder([{ sku: "mug-002", quantity: 1 }]);
    const expensive = await t.createOrder([{ sku: "chair-001", quantity: 3 }]);
    const payment = await t.pay(cheap.merchant_uid, cheap.amount, { webhook: false });

    const answer = await t.complete(payment.imp_uid, expensive.merchant_uid);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: "error", code: "order_mismatch" });
    expect((await t.order(expensive.merchant_uid)).status).toBe("pending");
    // The payment still counts for the order it really paid.
    expect((await t.order(cheap.merchant_uid)).status).toBe("paid");
  });

  it("cancels the forged payment once however many calls report it", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, 1, { webhook: false });

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? t.complete(payment.imp_uid, order.merchant_uid)
          : t.webhook({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid }),
      ),
    );

    expect(answers.every((a) => a.status === 400 || a.status === 200)).toBe(true);
    const calls = (await t.control("GET", "/calls")).body as { path: string }[];
    expect(calls.filter((call) => call.path.endsWith("/payments/cancel"))).toHaveLength(1);
    expect(await hooks("onForgery")).toHaveLength(1);
  });
});

describe("webhooks", () => {
  it("settle an order on their own, sent as JSON", async () => {
    const order = await t.createOrder();
    await t.pay(order.merchant_uid, order.amount);

    expect((await t.order(order.merchant_uid)).status).toBe("paid");
    const deliveries = (await t.control("GET", "/webhooks")).body as { response_status: number }[];
    expect(deliveries.map((d) => d.response_status)).toEqual([200]);
  });

  it("accept a form-encoded body and take nothing from it but imp_uid", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, {
      status: "failed",
      webhook: false,
    });

    // The body claims "paid"; Iamport says failed.
    const answer = await t.webhook(
      { imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid, status: "paid" },
      true,
    );

    expect(answer.status).toBe(200);
    expect((await t.order(order.merchant_uid)).status).toBe("failed");
  });

  it("answer 200 for a payment that is not ours, so Iamport's console test succeeds", async () => {
    const payment = await t.pay("someone-elses-order", 1000, { webhook: false });

    const answer = await t.webhook({
      imp_uid: payment.imp_uid,
      merchant_uid: "someone-elses-order",
      status: "paid",
    });

    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("ignored");
  });

  it("never move an order backwards when a stale or replayed one arrives", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, {
      pay_method: "vbank",
      status: "ready",
    });
    await t.control("POST", `/payments/${payment.imp_uid}/deposit`);
    await t.server.sandbox!.settled();
    expect((await t.order(order.merchant_uid)).status).toBe("paid");

    const replay = await t.webhook({
      imp_uid: payment.imp_uid,
      merchant_uid: order.merchant_uid,
      status: "ready",
    });

    expect(replay.status).toBe(200);
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
    expect(await hooks("onVbankIssued")).toHaveLength(1);
    expect(await hooks("onPaid")).toHaveLength(1);
  });
});

describe("virtual accounts", () => {
  it("store the issued account, then turn paid when the deposit lands", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, {
      pay_method: "vbank",
      status: "ready",
      webhook: false,
    });

    const issued = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(issued.body.status).toBe("vbankIssued");
    expect(issued.body.order.vbank).toMatchObject({
      number: payment.vbank_num,
      bank_name: payment.vbank_name,
    });
    expect(issued.body.order.vbank.due).toBe(new Date(payment.vbank_date! * 1000).toISOString());

    await t.control("POST", `/payments/${payment.imp_uid}/deposit`);
    await t.webhook({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid, status: "paid" });

    expect((await t.order(order.merchant_uid)).status).toBe("paid");
    expect(await hooks("onVbankIssued")).toHaveLength(1);
    expect(await hooks("onPaid")).toHaveLength(1);
  });
});

describe("refunds from Iamport's console", () => {
  it("mark the order cancelled on a full refund", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount);

    await t.control("POST", `/payments/${payment.imp_uid}/cancel`, {});
    await t.server.sandbox!.settled();

    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "cancelled",
      cancel_amount: order.amount,
    });
    expect(await hooks("onCancelled")).toHaveLength(1);
  });

  it("keep the refunded amount of each partial cancel", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount);

    await t.control("POST", `/payments/${payment.imp_uid}/cancel`, { amount: 10_000 });
    await t.server.sandbox!.settled();
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      cancel_amount: 10_000,
    });

    await t.control("POST", `/payments/${payment.imp_uid}/cancel`, { amount: 5_000 });
    await t.server.sandbox!.settled();
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      cancel_amount: 15_000,
    });
    expect((await hooks("onCancelled")).map((call) => call.event.order.cancel_amount)).toEqual([
      10_000, 15_000,
    ]);

    await t.control("POST", `/payments/${payment.imp_uid}/cancel`, {});
    await t.server.sandbox!.settled();
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "cancelled",
      cancel_amount: order.amount,
    });
    expect(await hooks("onCancelled")).toHaveLength(3);
    expect(await hooks("onPaid")).toHaveLength(1);
  });

  it("call onCancelled once per refund however often it is reported", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount);
    await t.control("POST", `/payments/${payment.imp_uid}/cancel`, { amount: 10_000 });
    await t.server.sandbox!.settled();

    const replays = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        n % 2
          ? t.complete(payment.imp_uid, order.merchant_uid)
          : t.webhook({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid }),
      ),
    );

    expect(replays.every((answer) => answer.status === 200)).toBe(true);
    expect(await hooks("onCancelled")).toHaveLength(1);
    expect((await t.order(order.merchant_uid)).cancel_amount).toBe(10_000);
  });
});

describe("a second payment for a paid order", () => {
  it("is refunded through Iamport as a duplicate while the first stays", async () => {
    const order = await t.createOrder();
    const first = await t.pay(order.merchant_uid, order.amount);
    const second = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => t.complete(second.imp_uid, order.merchant_uid)),
    );

    expect(answers.map((a) => a.body.status)).toEqual(Array(10).fill("duplicate"));
    expect((await sandboxPayment(second.imp_uid)).status).toBe("cancelled");
    expect((await sandboxPayment(first.imp_uid)).status).toBe("paid");
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      imp_uid: first.imp_uid,
    });
    expect(await hooks("onDuplicate")).toHaveLength(1);
  });
});

describe("Iamport outages", () => {
  it("answer 503 and leave the order as it was, and a later call settles it", async () => {
    const order = await t.createOrder();
    await t.control("POST", "/faults", { target: "payments", mode: "error" });
    const payment = await t.pay(order.merchant_uid, order.amount);

    const during = await t.complete(payment.imp_uid, order.merchant_uid);
    const webhook = await t.webhook({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid });

    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ status: "error", code: "iamport_unavailable" });
    expect(webhook.status).toBe(503);
    expect((await t.order(order.merchant_uid)).status).toBe("pending");

    await t.control("DELETE", "/faults");
    const after = await t.complete(payment.imp_uid, order.merchant_uid);
    expect(after.body.status).toBe("success");
  });

  it("answer 503 within the timeout when Iamport hangs", async () => {
    // Another app on the same database and sandbox, whose Iamport deadlines the test ends.
    const timeouts = manualTimeouts();
    const app = createApp({
      db: t.server.db,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        includeSandbox: true,
        timeoutSignal: timeouts.signal,
        retryDelayMs: 10,
      }),
      catalog: demoCatalog,
      impCode: "imp12345678",
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      refuseSandboxPayments: false,
      log: () => {},
    });
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    await t.control("POST", "/faults", { target: "payments", mode: "hang" });

    const pending = app.request("/payments/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid: payment.imp_uid, merchant_uid: order.merchant_uid }),
    });
    // Once the lookup is out (after the token request), its deadline passes.
    while (timeouts.handedOut < 2) await new Promise((resolve) => setImmediate(resolve));
    timeouts.expire();
    const answer = await pending;
    await t.control("DELETE", "/faults");

    expect(answer.status).toBe(503);
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
  });
});

describe("completion and webhook racing", { timeout: 120_000 }, () => {
  it("gives exactly one transition and one hook call per order across hundreds of calls", async () => {
    const orders = await Promise.all(Array.from({ length: 20 }, () => t.createOrder()));
    const payments = await Promise.all(
      orders.map((o) => t.pay(o.merchant_uid, o.amount, { webhook: false })),
    );

    const calls = orders.flatMap((order, i) => {
      const impUid = payments[i]!.imp_uid;
      return Array.from({ length: 16 }, (_, n) =>
        n % 2
          ? t.complete(impUid, order.merchant_uid)
          : t.webhook({ imp_uid: impUid, merchant_uid: order.merchant_uid }),
      );
    });
    const answers = await Promise.all(calls);

    expect(answers).toHaveLength(320);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
    const paid = (await hooks("onPaid")).map((call) => call.event.order.merchant_uid);
    expect(paid.sort()).toEqual(orders.map((o) => o.merchant_uid).sort());
    const transitions = t.logs.filter((entry) => entry.message === "order updated");
    expect(transitions).toHaveLength(20);
    // 320 requests on a shared 2-core machine: a generous bound, not a speed target.
  }, 180_000);
});

describe("two servers on one PostgreSQL database", () => {
  // PGlite has one connection in one process; this needs real PostgreSQL (CI sets DATABASE_URL).
  it.runIf(isPostgres())("still give one transition and one hook call per order", async () => {
    const second = await openDb(t.databaseUrl);
    const paidBySecond: string[] = [];
    const other = createApp({
      db: second,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        includeSandbox: true,
      }),
      catalog: demoCatalog,
      impCode: "imp12345678",
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      refuseSandboxPayments: false,
      log: () => {},
      hooks: { onPaid: ({ order }) => void paidBySecond.push(order.merchant_uid) },
    });
    try {
      const orders = await Promise.all(Array.from({ length: 10 }, () => t.createOrder()));
      const payments = await Promise.all(
        orders.map((o) => t.pay(o.merchant_uid, o.amount, { webhook: false })),
      );

      const answers = await Promise.all(
        orders.flatMap((order, i) =>
          Array.from({ length: 10 }, (_, n) => {
            const body = { imp_uid: payments[i]!.imp_uid, merchant_uid: order.merchant_uid };
            return n % 2
              ? t.complete(body.imp_uid, body.merchant_uid).then((a) => a.status)
              : Promise.resolve(
                  other.request("/payments/complete", {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify(body),
                  }),
                ).then((a) => a.status);
          }),
        ),
      );

      expect(answers.every((status) => status === 200)).toBe(true);
      await other.hooksSettled();
      const paid = [
        ...(await hooks("onPaid")).map((c) => c.event.order.merchant_uid),
        ...paidBySecond,
      ];
      expect(paid.sort()).toEqual(orders.map((o) => o.merchant_uid).sort());
    } finally {
      await second.close();
    }
  });
});

describe("hooks", () => {
  it("that throw are logged and do not change the answer or the order", async () => {
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    const logged: string[] = [];

    const result = await verifyPayment(
      {
        db: t.server.db,
        iamport: createIamportClient({
          baseUrl: `${t.url}/sandbox`,
          key: "sandbox_key",
          secret: "sandbox_secret",
          includeSandbox: true,
        }),
        cancelForged: true,
        hooks: {
          onPaid: () => {
            throw new Error("merchant bug");
          },
        },
        log: (_level, message) => void logged.push(message),
      },
      { source: "client", impUid: payment.imp_uid, merchantUid: order.merchant_uid },
    );

    expect(result.status).toBe("success");
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
    expect(logged).toContain("hook onPaid threw");
  });

  it("owed by a forgery or a duplicate are delivered again, with the same event, when the process died before clearing them", async () => {
    const calls: { name: string; event: HookEvent }[] = [];
    const recording = {
      onForgery: (event: HookEvent) => void calls.push({ name: "onForgery", event }),
      onDuplicate: (event: HookEvent) => void calls.push({ name: "onDuplicate", event }),
    };
    // The process dies right after each hook call: its outbox row is never deleted.
    const dying: Db = {
      ...t.server.db,
      query: (text, params) =>
        text.startsWith("delete from hook_outbox")
          ? Promise.resolve([])
          : t.server.db.query(text, params),
    };
    const deps = {
      db: dying,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        includeSandbox: true,
      }),
      cancelForged: true,
      hooks: recording,
      log: () => {},
    };
    const forged = await t.createOrder();
    const wrong = await t.pay(forged.merchant_uid, 100, { webhook: false });
    const paidTwice = await t.createOrder();
    await t.pay(paidTwice.merchant_uid, paidTwice.amount);
    const second = await t.pay(paidTwice.merchant_uid, paidTwice.amount, { webhook: false });
    await verifyPayment(deps, { source: "client", impUid: wrong.imp_uid }).catch(() => {});
    await verifyPayment(deps, { source: "webhook", impUid: second.imp_uid });
    expect(calls.map((c) => c.name)).toEqual(["onForgery", "onDuplicate"]);

    await t.server.db.query("update hook_outbox set claimed_until = now() - interval '1 s'", []);
    const sweeper = { db: t.server.db, hooks: recording, log: () => {} };

    expect(await deliverOwedHooks(sweeper)).toBe(2);
    expect(await deliverOwedHooks(sweeper)).toBe(0);
    expect(calls.slice(2)).toEqual(calls.slice(0, 2));
    expect(calls[0]?.event).toMatchObject({ cancelled: true });
  });
});

describe("hooks after the answer", () => {
  /** An app on the test server's database and sandbox, with hooks of the test's own. */
  const appWith = (hooks: Hooks) =>
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
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      refuseSandboxPayments: false,
      log: () => {},
      hooks,
    });
  const complete = (app: ReturnType<typeof appWith>, impUid: string, merchantUid: string) =>
    app.request("/payments/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid: impUid, merchant_uid: merchantUid }),
    });
  const owedFor = async (merchantUid: string) =>
    (
      await t.server.db.query(
        "select count(*)::int as n from hook_outbox where event -> 'order' ->> 'merchant_uid' = $1::text",
        [merchantUid],
      )
    )[0]?.n;

  it("answers before a slow hook finishes, and keeps its outbox row until it has", async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const finished: string[] = [];
    const app = appWith({
      onPaid: async ({ order }) => {
        await released;
        finished.push(order.merchant_uid);
      },
    });
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    const answer = await complete(app, payment.imp_uid, order.merchant_uid);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: "success" });
    expect(finished).toEqual([]);
    expect(await owedFor(order.merchant_uid)).toBe(1);
    release();
    await app.hooksSettled();
    expect(finished).toEqual([order.merchant_uid]);
    expect(await owedFor(order.merchant_uid)).toBe(0);
  });

  it("leaves a hook owed when the process dies between the answer and the delete, for the sweeper", async () => {
    // The hook never returns: as far as the outbox knows, the process died during the call.
    const app = appWith({ onPaid: () => new Promise(() => {}) });
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    const answer = await complete(app, payment.imp_uid, order.merchant_uid);
    expect(answer.status).toBe(200);
    expect(await owedFor(order.merchant_uid)).toBe(1);

    await t.server.db.query("update hook_outbox set claimed_until = now() - interval '1 s'", []);
    const swept: HookEvent[] = [];
    const sweeper = { db: t.server.db, hooks: { onPaid: (e: HookEvent) => void swept.push(e) } };
    expect(await deliverOwedHooks({ ...sweeper, log: () => {} })).toBe(1);
    expect(swept.map((event) => [event.order.merchant_uid, event.order.status])).toEqual([
      [order.merchant_uid, "paid"],
    ]);
    expect(await owedFor(order.merchant_uid)).toBe(0);
  });
});

describe("stale reads", () => {
  // Iamport's answers can cross in flight: a read started before a deposit or refund may land
  // after a newer one was applied. A fixed client plays that older answer.
  const replaying = (payment: IamportPayment): IamportClient => ({
    getPayment: async () => payment,
    cancelPayment: async () => {
      throw new Error("not expected");
    },
    preparePayment: async () => {
      throw new Error("not expected");
    },
    getToken: async () => "token",
  });
  const verifyWith = (payment: IamportPayment) =>
    verifyPayment(
      { db: t.server.db, iamport: replaying(payment), cancelForged: true, log: () => {} },
      { source: "reconcile", impUid: payment.imp_uid },
    );

  it("never move a paid order back to ready or failed", async () => {
    const order = await t.createOrder();
    const paid = await t.pay(order.merchant_uid, order.amount);

    const asReady = await verifyWith({ ...paid, status: "ready" });
    const asFailed = await verifyWith({ ...paid, status: "failed" });

    expect([asReady.status, asFailed.status]).toEqual(["success", "success"]);
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
  });

  it("never undo a refund, nor shrink the refunded amount", async () => {
    const order = await t.createOrder();
    const paid = await t.pay(order.merchant_uid, order.amount);
    await t.control("POST", `/payments/${paid.imp_uid}/cancel`, { amount: 20_000 });
    await t.server.sandbox!.settled();

    await verifyWith(paid);
    await verifyWith({ ...paid, cancel_amount: 10_000 });

    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      cancel_amount: 20_000,
    });
    expect(await hooks("onCancelled")).toHaveLength(1);
  });
});
