// The admin API over HTTP against the sandbox, on PGlite (or PostgreSQL with DATABASE_URL):
// auth, the order list, refunds (partial, full, too much, idempotent, concurrent, refused by
// checksum, virtual accounts, during an outage), sync and the refunds-required list.
import {
  AdminOrderDetail,
  AdminOrderList,
  AdminRefundRequest,
  AdminSyncResponse,
  ErrorBody,
  type IamportPayment,
} from "@iamport-pay/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fingerprintOf } from "../admin/idempotency.js";
import { createApp } from "../app.js";
import { demoCatalog } from "../catalog.js";
import { createIamportClient } from "../iamport-client.js";
import { type Answer, startTestServer, type TestServer } from "../test-support.js";

const TOKEN = "test-admin-token-0123456789abcdef0123456789";
const CHAIR = 64_900;

let t: TestServer;
/** Every POST /payments/cancel body our server sent to the sandbox. */
const cancels: Record<string, unknown>[] = [];

beforeAll(async () => {
  t = await startTestServer(
    { ADMIN_TOKEN: TOKEN },
    {
      fetch: async (input, init) => {
        if (String(input).endsWith("/payments/cancel") && typeof init?.body === "string") {
          cancels.push(JSON.parse(init.body));
        }
        return fetch(input, init);
      },
    },
  );
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
  cancels.length = 0;
});

const auth = { authorization: `Bearer ${TOKEN}` };
const admin = (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => t.api(method, `/admin${path}`, body, { ...auth, ...headers });
const refund = (merchantUid: string, body: unknown, headers: Record<string, string> = {}) =>
  admin("POST", `/orders/${merchantUid}/refund`, body, headers);

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(ErrorBody.parse(answer.body).code).toBe(code);
}

/** An order paid by card (or as given), completed as the widget would. */
async function paidOrder(options: Record<string, unknown> = {}): Promise<{
  merchantUid: string;
  payment: IamportPayment;
}> {
  const order = await t.createOrder();
  const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false, ...options });
  const done = await t.complete(payment.imp_uid, order.merchant_uid);
  expect(done.status, done.text).toBe(200);
  return { merchantUid: order.merchant_uid, payment };
}

async function detail(merchantUid: string) {
  const answer = await admin("GET", `/orders/${merchantUid}`);
  expect(answer.status, answer.text).toBe(200);
  return AdminOrderDetail.parse(answer.body);
}

const cancelledHooks = async (merchantUid: string) =>
  (await t.settledHooks()).filter(
    (h) => h.name === "onCancelled" && h.event.order.merchant_uid === merchantUid,
  );

describe("admin auth", () => {
  it("refuses a missing or wrong token with 401 and never logs the token", async () => {
    const missing = await t.api("GET", "/admin/orders");
    const wrong = await t.api("GET", "/admin/orders", undefined, {
      authorization: `Bearer ${TOKEN}x`,
    });
    const notBearer = await t.api("GET", "/admin/orders", undefined, { authorization: TOKEN });

    expectError(missing, 401, "unauthorized");
    expectError(wrong, 401, "unauthorized");
    expectError(notBearer, 401, "unauthorized");
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const logged = JSON.stringify(t.logs);
    expect(logged).toContain("admin request unauthorized");
    expect(logged).not.toContain(TOKEN);
  });

  it("answers with the right token", async () => {
    const answer = await admin("GET", "/orders");
    expect(answer.status).toBe(200);
    expect(AdminOrderList.parse(answer.body)).toEqual({ orders: [], next_cursor: null });
    expect(answer.headers.get("cache-control")).toBe("no-store");
  });

  it("guards every API route, not only the list", async () => {
    const { merchantUid } = await paidOrder();
    for (const [method, path] of [
      ["GET", `/admin/orders/${merchantUid}`],
      ["POST", `/admin/orders/${merchantUid}/refund`],
      ["POST", `/admin/orders/${merchantUid}/sync`],
      ["GET", "/admin/refunds-required"],
    ] as const) {
      const body = method === "POST" ? { reason: "x" } : undefined;
      expectError(await t.api(method, path, body), 401, "unauthorized");
    }
    expect(cancels).toEqual([]);
  });

  it("serves the console page without a token (it holds nothing) under a strict CSP", async () => {
    const page = await t.api("GET", "/admin/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await t.api("GET", "/admin")).status).toBe(308);
  });

  it("has no /admin at all without ADMIN_TOKEN", async () => {
    // The same database and sandbox, an app built without the admin option.
    const plain = createApp({
      db: t.server.db,
      iamport: createIamportClient({ baseUrl: `${t.url}/sandbox`, key: "k", secret: "s" }),
      catalog: demoCatalog,
      impCode: "imp00000000",
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      log: () => {},
    });
    for (const [method, path] of [
      ["GET", "/admin"],
      ["GET", "/admin/"],
      ["GET", "/admin/console.js"],
      ["GET", "/admin/orders"],
      ["GET", "/admin/refunds-required"],
      ["POST", "/admin/orders/x/refund"],
      ["POST", "/admin/orders/x/sync"],
    ] as const) {
      const answer = await plain.request(path, { method, headers: auth });
      expect(answer.status, path).toBe(404);
      expect(ErrorBody.parse(await answer.json()).code).toBe("not_found");
    }
  });
});

describe("GET /admin/orders", () => {
  it("filters by status and finds orders by merchant_uid, imp_uid, buyer email and phone", async () => {
    const paid = await paidOrder({ buyer_email: "kim@example.com", buyer_tel: "010-1234-5678" });
    const pending = await t.createOrder();
    // Buyer details the shop keeps come from the order; store them as checkout would.
    await t.server.db.query(
      "update orders set buyer_email = 'kim@example.com', buyer_tel = '010-1234-5678', buyer_name = '김철수' where merchant_uid = $1",
      [paid.merchantUid],
    );
    const list = async (query: string) => {
      const answer = await admin("GET", `/orders?${query}`);
      expect(answer.status, answer.text).toBe(200);
      return AdminOrderList.parse(answer.body).orders.map((o) => o.merchant_uid);
    };

    expect(await list("status=paid")).toEqual([paid.merchantUid]);
    expect(await list("status=pending,paid")).toHaveLength(2);
    expect(await list(`q=${pending.merchant_uid.slice(0, 20)}`)).toEqual([pending.merchant_uid]);
    expect(await list(`q=${paid.payment.imp_uid}`)).toEqual([paid.merchantUid]);
    expect(await list("q=KIM@example")).toEqual([paid.merchantUid]);
    expect(await list("q=kim@example.com")).toEqual([paid.merchantUid]);
    expect(await list("q=01012345678")).toEqual([paid.merchantUid]);
    expect(await list("q=5678")).toEqual([paid.merchantUid]);
    expect(await list(`q=${encodeURIComponent("김철")}`)).toEqual([paid.merchantUid]);
    expect(await list("q=%25")).toEqual([]);
    expect(await list("created_to=2000-01-01")).toEqual([]);
    expect(await list("created_from=2000-01-01")).toHaveLength(2);

    const [order] = AdminOrderList.parse((await admin("GET", "/orders?status=paid")).body).orders;
    expect(order).toMatchObject({
      status: "paid",
      amount: CHAIR,
      cancel_amount: 0,
      refundable_amount: CHAIR,
      imp_uid: paid.payment.imp_uid,
      buyer: { email: "kim@example.com", tel: "010-1234-5678", name: "김철수" },
    });
  });

  it("matches the start of an order id, e-mail or name and the end of a phone number, not the middle", async () => {
    const order = await t.createOrder();
    await t.server.db.query(
      "update orders set buyer_email = 'lee.middle@example.com', buyer_tel = '010-9876-5432', buyer_name = 'Lee Middle' where merchant_uid = $1",
      [order.merchant_uid],
    );
    const found = async (q: string) =>
      AdminOrderList.parse(
        (await admin("GET", `/orders?q=${encodeURIComponent(q)}`)).body,
      ).orders.map((o) => o.merchant_uid);

    expect(await found(order.merchant_uid.slice(0, 12))).toContain(order.merchant_uid);
    expect(await found("LEE.MID")).toEqual([order.merchant_uid]);
    expect(await found("lee m")).toEqual([order.merchant_uid]);
    expect(await found("5432")).toEqual([order.merchant_uid]);
    for (const middle of [order.merchant_uid.slice(8, 24), "middle@example", "Middle", "9876"]) {
      expect(await found(middle), middle).toEqual([]);
    }
  });

  it("pages through a search's matches with its filters, newest first", async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await t.createOrder());
    await t.server.db.query(
      "update orders set buyer_email = 'pager@example.com' where merchant_uid = any($1::text[])",
      [made.map((o) => o.merchant_uid)],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer = await admin(
        "GET",
        `/orders?q=pager@&status=pending&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      const page = AdminOrderList.parse(answer.body);
      seen.push(...page.orders.map((o) => o.merchant_uid));
      cursor = page.next_cursor;
    } while (cursor);

    expect(seen).toEqual(made.map((o) => o.merchant_uid).reverse());
    expect(
      AdminOrderList.parse((await admin("GET", "/orders?q=pager@&status=paid")).body).orders,
    ).toEqual([]);
  });

  it("refuses bad filters with 400", async () => {
    for (const query of [
      "status=lost",
      "limit=0",
      "limit=x",
      "cursor=nope",
      "created_from=yesterday",
      "color=red",
    ]) {
      expectError(await admin("GET", `/orders?${query}`), 400, "bad_request");
    }
  });

  it("pages newest first without skipping or repeating while orders are inserted", async () => {
    const before: string[] = [];
    for (let i = 0; i < 7; i++) before.push((await t.createOrder()).merchant_uid);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await admin("GET", `/orders?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(answer.status, answer.text).toBe(200);
      const page = AdminOrderList.parse(answer.body);
      seen.push(...page.orders.map((o) => o.merchant_uid));
      cursor = page.next_cursor;
      pages++;
      // Orders keep arriving between (and during) page reads.
      await Promise.all([t.createOrder(), t.createOrder()]);
    } while (cursor !== null);

    expect(pages).toBe(3);
    expect(seen).toEqual([...before].reverse());
  });
});

describe("POST /admin/orders/:merchant_uid/refund", () => {
  it("refunds part, then the rest: cancel_amount grows and onCancelled fires once each", async () => {
    const { merchantUid, payment } = await paidOrder();

    const partial = await refund(merchantUid, { amount: 10_000, reason: "one leg broken" });
    expect(partial.status, partial.text).toBe(200);
    expect(partial.body.order).toMatchObject({
      cancel_amount: 10_000,
      refundable_amount: CHAIR - 10_000,
    });
    expect(await cancelledHooks(merchantUid)).toHaveLength(1);

    const rest = await refund(merchantUid, { reason: "returned" });
    expect(rest.status, rest.text).toBe(200);
    expect(rest.body.order).toMatchObject({
      status: "cancelled",
      cancel_amount: CHAIR,
      refundable_amount: 0,
    });
    expect(await cancelledHooks(merchantUid)).toHaveLength(2);
    expect(cancels).toEqual([
      expect.objectContaining({ imp_uid: payment.imp_uid, amount: 10_000, checksum: CHAIR }),
      expect.objectContaining({
        imp_uid: payment.imp_uid,
        amount: CHAIR - 10_000,
        checksum: CHAIR - 10_000,
      }),
    ]);

    const { events, payments } = await detail(merchantUid);
    // The partial refund keeps the order paid, the rest cancels it.
    expect(events.filter((e) => e.source === "admin").map((e) => e.decision)).toEqual([
      "partially_refunded",
      "cancelled",
    ]);
    expect(payments).toEqual([
      expect.objectContaining({
        imp_uid: payment.imp_uid,
        is_order_payment: true,
        cancel_amount: CHAIR,
      }),
    ]);
    expectError(await refund(merchantUid, { reason: "again" }), 409, "not_refundable");
  });

  it("keeps a partly refunded order paid", async () => {
    const { merchantUid } = await paidOrder();
    const partial = await refund(merchantUid, { amount: 900, reason: "discount" });
    expect(partial.status, partial.text).toBe(200);
    expect(partial.body.order.status).toBe("paid");
  });

  it("refuses more than is refundable, and an order with nothing paid, without calling Iamport", async () => {
    const { merchantUid } = await paidOrder();
    const pending = await t.createOrder();

    expectError(
      await refund(merchantUid, { amount: CHAIR + 1, reason: "x" }),
      409,
      "refund_exceeds_refundable",
    );
    expectError(await refund(pending.merchant_uid, { reason: "x" }), 409, "not_refundable");
    expectError(await refund("ord_unknown", { reason: "x" }), 404, "order_not_found");
    for (const body of [
      {},
      { reason: "" },
      { reason: "x", amount: 1.5 },
      { reason: "x", amount: -1 },
      { reason: "x".repeat(201) },
      { reason: "x", extra: 1 },
    ]) {
      expectError(await refund(merchantUid, body), 400, "bad_request");
    }
    expect(cancels).toEqual([]);
    expect((await detail(merchantUid)).order).toMatchObject({ status: "paid", cancel_amount: 0 });
  });

  it("replays the first answer for a repeated Idempotency-Key and calls Iamport once", async () => {
    const { merchantUid } = await paidOrder();
    const key = { "idempotency-key": "refund-42" };

    const first = await refund(merchantUid, { amount: 5_000, reason: "late delivery" }, key);
    const again = await refund(merchantUid, { amount: 5_000, reason: "late delivery" }, key);

    expect(first.status, first.text).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(cancels).toHaveLength(1);
    expect((await detail(merchantUid)).order.cancel_amount).toBe(5_000);
    expect(await cancelledHooks(merchantUid)).toHaveLength(1);
    expectError(
      await refund(merchantUid, { amount: 6_000, reason: "late delivery" }, key),
      422,
      "idempotency_key_reused",
    );
  });

  it("answers 409 while a request with the key runs, and lets it run again once that one died", async () => {
    const { merchantUid } = await paidOrder();
    const body = { amount: 2_000, reason: "retry after a crash" };
    const fingerprint = fingerprintOf(["refund", merchantUid, AdminRefundRequest.parse(body)]);
    const unfinished = (key: string, age: string) =>
      t.server.db.query(
        `insert into admin_idempotency_keys (key, fingerprint, created_at)
          values ($1, $2, now() - $3::interval)`,
        [key, fingerprint, age],
      );
    await unfinished("running", "10 seconds");
    await unfinished("dead", "10 minutes");

    expectError(
      await refund(merchantUid, body, { "idempotency-key": "running" }),
      409,
      "refund_in_progress",
    );
    const retried = await refund(merchantUid, body, { "idempotency-key": "dead" });
    expect(retried.status, retried.text).toBe(200);
    expect(cancels).toHaveLength(1);
  });

  it("serialises two concurrent refunds of one order: one refunds, the other gets 409", async () => {
    const { merchantUid } = await paidOrder();
    const answers = await Promise.all([
      refund(merchantUid, { reason: "first" }),
      refund(merchantUid, { reason: "second" }),
    ]);

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, answers.map((a) => a.text).join("\n")).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(["refund_in_progress", "not_refundable"]).toContain(refused.body.code);
    expect(cancels).toHaveLength(1);
    expect((await detail(merchantUid)).order).toMatchObject({
      status: "cancelled",
      cancel_amount: CHAIR,
    });
    expect(await cancelledHooks(merchantUid)).toHaveLength(1);
  });

  it("sends the refundable amount as checksum: a console refund first makes ours fail, then sync records it", async () => {
    const { merchantUid, payment } = await paidOrder();
    // Refunded in Iamport's console; its webhook goes nowhere (payment made with webhook: false).
    const console = await t.control("POST", `/payments/${payment.imp_uid}/cancel`, {
      amount: 4_900,
      reason: "console",
    });
    expect(console.status, console.text).toBe(200);

    const ours = await refund(merchantUid, { amount: 10_000, reason: "ours" });
    expectError(ours, 409, "refund_refused");
    expect(cancels).toEqual([expect.objectContaining({ amount: 10_000, checksum: CHAIR })]);
    expect((await detail(merchantUid)).order.cancel_amount).toBe(0);

    const sync = await admin("POST", `/orders/${merchantUid}/sync`);
    expect(sync.status, sync.text).toBe(200);
    const synced = AdminSyncResponse.parse(sync.body);
    expect(synced.order).toMatchObject({ cancel_amount: 4_900, refundable_amount: CHAIR - 4_900 });
    expect(synced.payments).toEqual([
      { imp_uid: payment.imp_uid, status: expect.any(String), error: null },
    ]);
    expect(await cancelledHooks(merchantUid)).toHaveLength(1);

    // Syncing again changes nothing and fires nothing.
    expect((await admin("POST", `/orders/${merchantUid}/sync`)).status).toBe(200);
    expect(await cancelledHooks(merchantUid)).toHaveLength(1);

    const retry = await refund(merchantUid, { amount: 10_000, reason: "ours" });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.order.cancel_amount).toBe(14_900);
    expect(cancels.at(-1)).toMatchObject({ checksum: CHAIR - 4_900 });
  });

  it("needs the shopper's account for a virtual-account refund, and refunds with it", async () => {
    const order = await t.createOrder();
    const issued = await t.pay(order.merchant_uid, order.amount, {
      webhook: false,
      status: "ready",
    });
    expect((await t.complete(issued.imp_uid, order.merchant_uid)).body.status).toBe("vbankIssued");
    expect((await t.control("POST", `/payments/${issued.imp_uid}/deposit`)).status).toBe(200);
    expect((await t.complete(issued.imp_uid, order.merchant_uid)).body.status).toBe("success");

    const without = await refund(order.merchant_uid, { reason: "returned" });
    expectError(without, 422, "refund_account_required");
    expect(cancels).toEqual([]);

    const account = {
      refund_holder: "홍길동",
      refund_bank: "004",
      refund_account: "123-456-789012",
    };
    const withAccount = await refund(order.merchant_uid, { reason: "returned", ...account });
    expect(withAccount.status, withAccount.text).toBe(200);
    expect(withAccount.body.order).toMatchObject({ status: "cancelled", cancel_amount: CHAIR });
    expect(cancels).toEqual([expect.objectContaining(account)]);
  });

  it("answers 503 and records nothing when Iamport fails during the refund; a retry then refunds", async () => {
    const { merchantUid } = await paidOrder();
    await t.control("POST", "/faults", { target: "cancel", mode: "error", count: 1 });

    const failed = await refund(
      merchantUid,
      { amount: 1_000, reason: "x" },
      { "idempotency-key": "k1" },
    );
    expectError(failed, 503, "iamport_unavailable");
    expect((await detail(merchantUid)).order).toMatchObject({ status: "paid", cancel_amount: 0 });
    expect(await cancelledHooks(merchantUid)).toHaveLength(0);

    const retried = await refund(
      merchantUid,
      { amount: 1_000, reason: "x" },
      { "idempotency-key": "k1" },
    );
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body.order.cancel_amount).toBe(1_000);
  });
});

describe("counting refunds", () => {
  it("counts each cancel asked of Iamport as ok or failed", async () => {
    const counted: string[] = [];
    const app = createApp({
      db: t.server.db,
      iamport: createIamportClient({
        baseUrl: `${t.url}/sandbox`,
        key: "sandbox_key",
        secret: "sandbox_secret",
        includeSandbox: true,
      }),
      catalog: demoCatalog,
      impCode: "imp00000000",
      sdkUrl: `${t.url}/sandbox/iamport.payment.js`,
      refuseSandboxPayments: false,
      log: () => {},
      admin: { token: TOKEN, countRefund: (outcome) => counted.push(outcome) },
    });
    const { merchantUid } = await paidOrder();
    const refundHere = (body: unknown) =>
      app.request(`/admin/orders/${merchantUid}/refund`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect((await refundHere({ amount: 1_000, reason: "x" })).status).toBe(200);
    expect((await refundHere({ amount: CHAIR, reason: "too much" })).status).toBe(409);
    await t.control("POST", "/faults", { target: "cancel", mode: "error", count: 1 });
    expect((await refundHere({ amount: 1_000, reason: "x" })).status).toBe(503);

    expect(counted).toEqual(["ok", "failed"]);
  });
});

describe("refunds required", () => {
  it("lists a forged virtual-account deposit we could not refund, and refunds it by imp_uid", async () => {
    const order = await t.createOrder();
    // A virtual account for the wrong amount, deposited: money moved, Iamport refuses our
    // forgery cancel without the shopper's account.
    const forged = await t.pay(order.merchant_uid, 1_000, { webhook: false, status: "ready" });
    await t.complete(forged.imp_uid, order.merchant_uid);
    await t.control("POST", `/payments/${forged.imp_uid}/deposit`);
    expect((await t.complete(forged.imp_uid, order.merchant_uid)).body.status).toBe("forgery");

    const listed = await admin("GET", "/refunds-required");
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.refunds_required).toEqual([
      expect.objectContaining({
        merchant_uid: order.merchant_uid,
        imp_uid: forged.imp_uid,
        refundable_amount: 1_000,
        pay_method: "vbank",
      }),
    ]);

    const withoutAccount = await refund(order.merchant_uid, {
      imp_uid: forged.imp_uid,
      reason: "forged",
    });
    expectError(withoutAccount, 422, "refund_account_required");
    const done = await refund(order.merchant_uid, {
      imp_uid: forged.imp_uid,
      reason: "forged",
      refund_holder: "홍길동",
      refund_bank: "004",
      refund_account: "123-456-789012",
    });
    expect(done.status, done.text).toBe(200);
    expect(cancels.at(-1)).toMatchObject({
      imp_uid: forged.imp_uid,
      amount: 1_000,
      checksum: 1_000,
    });
    expect((await admin("GET", "/refunds-required")).body.refunds_required).toEqual([]);
  });

  it("lists a duplicate payment whose refund failed, and drops it once a later call refunds it", async () => {
    const { merchantUid } = await paidOrder();
    const order = (await detail(merchantUid)).order;
    // A second payment for the paid order; Iamport fails our duplicate refund once.
    const second = await t.pay(merchantUid, order.amount, { webhook: false });
    await t.control("POST", "/faults", { target: "cancel", mode: "error", count: 1 });
    expect((await t.complete(second.imp_uid, merchantUid)).status).toBe(503);
    const listed = async () =>
      (await admin("GET", "/refunds-required")).body.refunds_required.map(
        (r: { imp_uid: string; kind: string }) => `${r.kind} ${r.imp_uid}`,
      );
    expect(await listed()).toEqual([`duplicate ${second.imp_uid}`]);

    expect((await t.complete(second.imp_uid, merchantUid)).body.status).toBe("duplicate");
    expect(await listed()).toEqual([]);
  });

  it("drops a payment refunded in Iamport's console from the list once sync sees it", async () => {
    const order = await t.createOrder();
    const forged = await t.pay(order.merchant_uid, 1_000, { webhook: false, status: "ready" });
    await t.control("POST", `/payments/${forged.imp_uid}/deposit`);
    await t.complete(forged.imp_uid, order.merchant_uid);
    const listed = async () =>
      (await admin("GET", "/refunds-required")).body.refunds_required.map(
        (r: { imp_uid: string }) => r.imp_uid,
      );
    expect(await listed()).toEqual([forged.imp_uid]);

    await t.control("POST", `/payments/${forged.imp_uid}/cancel`, { reason: "console" });
    const sync = await admin("POST", `/orders/${order.merchant_uid}/sync`);
    expect(sync.status, sync.text).toBe(200);
    expect(await listed()).toEqual([]);
    expect(cancels).toEqual([]);
  });

  it("refuses an imp_uid that was never seen for the order", async () => {
    const { merchantUid } = await paidOrder();
    const other = await paidOrder();
    expectError(
      await refund(merchantUid, { imp_uid: other.payment.imp_uid, reason: "x" }),
      404,
      "payment_not_found",
    );
  });
});
