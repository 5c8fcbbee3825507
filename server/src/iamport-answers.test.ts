// The verify path against answers shaped like the real Iamport's, not only the sandbox's: the
// tolerant reader, test channels, ALLOWED_PG, the mobile return by merchant_uid, virtual-account
// refunds that need the shopper's account, griefing with unpaid virtual accounts, amounts that
// are not amounts, and reconciliation that finds money. Over HTTP, on the test database
// (PGlite, or PostgreSQL when DATABASE_URL is set).
import { randomBytes } from "node:crypto";
import { sandboxDefaults } from "@iamport-pay/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIamportClient } from "./iamport-client.js";
import { reconcileOnce } from "./reconcile.js";
import { startTestServer, type TestServer } from "./test-support.js";
import { createFakeIamport, type FakeIamport } from "./testing/fake-iamport.js";
import { answersByEra, current2026, kcpCard2020, sparse } from "./testing/iamport-answers.js";
import type { VerifyDeps } from "./verify.js";

let t: TestServer;
let fake: FakeIamport;
/** A server with real keys (not sandbox mode), using t's sandbox as its Iamport. */
let keyed: TestServer;
let keyedFake: FakeIamport;

beforeAll(async () => {
  fake = createFakeIamport();
  t = await startTestServer({ RECONCILE_INTERVAL_MS: "0" }, { fetch: fake.fetch });
  keyedFake = createFakeIamport();
  keyed = await startTestServer(
    {
      RECONCILE_INTERVAL_MS: "0",
      IMP_CODE: sandboxDefaults.impCode,
      IMP_KEY: sandboxDefaults.impKey,
      IMP_SECRET: sandboxDefaults.impSecret,
      IAMPORT_API_URL: `${t.url}/sandbox`,
      ALLOWED_PG: "html5_inicis.MOIlive001,kcp",
    },
    { fetch: keyedFake.fetch },
  );
}, 180_000);
afterAll(async () => {
  await keyed?.close();
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
  await keyed.reset();
  fake.reset();
  keyedFake.reset();
});

const newImpUid = () => `imp_${randomBytes(6).toString("hex")}`;
const hooks = async (server: TestServer, name: string) =>
  (await server.settledHooks()).filter((call) => call.name === name);
const eventsOf = async (server: TestServer, merchantUid: string) =>
  (await server.server.db.query(
    "select decision, detail from payment_events where merchant_uid = $1::text order by id",
    [merchantUid],
  )) as { decision: string; detail: string | null }[];
const refundsRequired = async (server: TestServer) =>
  server.server.db.query(
    "select imp_uid, merchant_uid, kind, amount, currency, resolved_at from refunds_required",
    [],
  );
/** Reconciliation as the server runs it, through a client like the server's own. */
const reconcileDeps = (server: TestServer): VerifyDeps => ({
  db: server.server.db,
  iamport: createIamportClient({
    baseUrl: `${server.url}/sandbox`,
    key: sandboxDefaults.impKey,
    secret: sandboxDefaults.impSecret,
    fetch: fake.fetch,
    includeSandbox: true,
  }),
  cancelForged: true,
  log: () => {},
});

describe("answers of other eras and PGs", () => {
  for (const [era, answer] of Object.entries(answersByEra)) {
    it(`verifies a ${era}`, async () => {
      const order = await t.createOrder();
      const payment = answer({
        imp_uid: newImpUid(),
        merchant_uid: order.merchant_uid,
        amount: order.amount,
      });
      fake.serve(payment);

      const answered = await t.complete(String(payment.imp_uid), order.merchant_uid);

      expect(answered.status).toBe(200);
      const expected = payment.status === "ready" ? "vbankIssued" : "success";
      expect(answered.body.status).toBe(expected);
      expect(answered.body.order.imp_uid).toBe(payment.imp_uid);
    });
  }

  it("keeps the fields it does not know in the stored payment", async () => {
    const order = await t.createOrder();
    const payment = current2026({
      imp_uid: newImpUid(),
      merchant_uid: order.merchant_uid,
      amount: order.amount,
    });
    fake.serve(payment);
    await t.complete(String(payment.imp_uid), order.merchant_uid);

    const [row] = await t.server.db.query(
      "select payment from orders where merchant_uid = $1::text",
      [order.merchant_uid],
    );
    const stored = (typeof row!.payment === "string" ? JSON.parse(row!.payment) : row!.payment) as
      | Record<string, unknown>
      | undefined;
    expect(stored).toMatchObject({ customer_id: "shopper-7", naverpay_point: { amount: 0 } });
  });

  it("records a status Iamport added later and never pays the order for it", async () => {
    const order = await t.createOrder();
    const payment = {
      ...sparse({ imp_uid: newImpUid(), merchant_uid: order.merchant_uid, amount: order.amount }),
      status: "partial_paid",
    };
    fake.serve(payment);

    const answered = await t.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe("pending");
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
    expect((await eventsOf(t, order.merchant_uid)).map((e) => e.decision)).toContain(
      "unknown_status",
    );
    expect(await hooks(t, "onPaid")).toHaveLength(0);
  });

  it("answers 502 when a required field is missing, and changes nothing", async () => {
    const order = await t.createOrder();
    const { cancel_amount: _, ...payment } = sparse({
      imp_uid: newImpUid(),
      merchant_uid: order.merchant_uid,
      amount: order.amount,
    });
    fake.serve(payment);

    const answered = await t.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.status).toBe(502);
    expect(answered.body).toMatchObject({ status: "error", code: "iamport_error" });
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
  });
});

describe("amounts that are not amounts of their currency", () => {
  it("answer 502 for a refunded 64899.5 won and leave the paid order as it was", async () => {
    const order = await t.createOrder();
    const impUid = newImpUid();
    const aim = { imp_uid: impUid, merchant_uid: order.merchant_uid, amount: order.amount };
    fake.serve(kcpCard2020(aim));
    expect((await t.complete(impUid, order.merchant_uid)).body.status).toBe("success");

    fake.serve({ ...kcpCard2020(aim), status: "paid", cancel_amount: 64_899.5 });
    const answered = await t.webhook({ imp_uid: impUid, merchant_uid: order.merchant_uid });

    expect(answered.status).toBe(502);
    expect(await t.order(order.merchant_uid)).toMatchObject({ status: "paid", cancel_amount: 0 });
    expect(await hooks(t, "onCancelled")).toHaveLength(0);
    expect((await eventsOf(t, order.merchant_uid)).map((e) => e.decision)).toContain(
      "unconvertible_amount",
    );
  });

  it("answer 502 for a paid amount with a fraction of a won", async () => {
    const order = await t.createOrder();
    const payment = sparse({
      imp_uid: newImpUid(),
      merchant_uid: order.merchant_uid,
      amount: order.amount + 0.5,
    });
    fake.serve(payment);

    const answered = await t.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.status).toBe(502);
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
  });
});

describe("test channels", () => {
  it("are found in sandbox mode, which asks Iamport with include_sandbox=true", async () => {
    fake.hideTestPayments(true);
    const order = await t.createOrder();
    const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    const answered = await t.complete(payment.imp_uid, order.merchant_uid);

    expect(answered.body.status).toBe("success");
    expect(fake.lookups.every((url) => url.includes("include_sandbox=true"))).toBe(true);
  });

  it("are refused with real keys unless ACCEPT_TEST_PAYMENTS, and never asked for", async () => {
    const order = await keyed.createOrder();
    const payment = {
      ...kcpCard2020({
        imp_uid: newImpUid(),
        merchant_uid: order.merchant_uid,
        amount: order.amount,
      }),
      sandbox: true,
    };
    keyedFake.serve(payment);

    const answered = await keyed.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.status).toBe(400);
    expect((await keyed.order(order.merchant_uid)).status).toBe("pending");
    expect(keyedFake.lookups.some((url) => url.includes("include_sandbox"))).toBe(false);
  });

  it("count as live when the answer has no sandbox flag (answers before 2026)", async () => {
    const order = await keyed.createOrder();
    const payment = kcpCard2020({
      imp_uid: newImpUid(),
      merchant_uid: order.merchant_uid,
      amount: order.amount,
    });
    keyedFake.serve(payment);

    const answered = await keyed.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.body.status).toBe("success");
  });
});

describe("ALLOWED_PG", () => {
  it("treats a payment on a PG channel not listed as a forgery", async () => {
    const order = await keyed.createOrder();
    const payment = {
      ...kcpCard2020({
        imp_uid: newImpUid(),
        merchant_uid: order.merchant_uid,
        amount: order.amount,
      }),
      pg_provider: "html5_inicis",
      pg_id: "INIpayTest",
    };
    keyedFake.serve(payment);

    const answered = await keyed.complete(String(payment.imp_uid), order.merchant_uid);

    expect(answered.status).toBe(400);
    expect(answered.body.status).toBe("forgery");
    expect((await keyed.order(order.merchant_uid)).status).toBe("forged");
    expect(await hooks(keyed, "onForgery")).toHaveLength(1);
    expect(await hooks(keyed, "onPaid")).toHaveLength(0);
  });

  it("accepts a listed provider.mid and a listed provider with any contract", async () => {
    for (const [pg_provider, pg_id] of [
      ["html5_inicis", "MOIlive001"],
      ["kcp", "A52Q7"],
    ]) {
      const order = await keyed.createOrder();
      const payment = {
        ...kcpCard2020({
          imp_uid: newImpUid(),
          merchant_uid: order.merchant_uid,
          amount: order.amount,
        }),
        pg_provider,
        pg_id,
      };
      keyedFake.serve(payment);
      const answered = await keyed.complete(String(payment.imp_uid), order.merchant_uid);
      expect(answered.body.status).toBe("success");
    }
  });
});

describe("the mobile return", () => {
  it("verifies the order's payment when Iamport gives only merchant_uid", async () => {
    const order = await t.createOrder();
    await t.pay(order.merchant_uid, order.amount, { webhook: false });
    const query = new URLSearchParams({
      merchant_uid: order.merchant_uid,
      return: `${t.url}/shop`,
    });

    const answered = await t.api("GET", `/payments/complete/mobile?${query}`);

    expect(answered.status).toBe(303);
    const location = new URL(answered.headers.get("location")!);
    expect(location.searchParams.get("iamport_pay")).toBe("success");
    expect((await t.order(order.merchant_uid)).status).toBe("paid");
    expect(await hooks(t, "onPaid")).toHaveLength(1);
  });
});

describe("virtual accounts that cannot be refunded without the shopper's account", () => {
  it("a forged deposit goes to refunds_required once, with one onRefundRequired, and no 5xx", async () => {
    const order = await t.createOrder();
    const vbank = await t.pay(order.merchant_uid, 1_000, { status: "ready", webhook: false });
    expect((await t.complete(vbank.imp_uid, order.merchant_uid)).status).toBe(400);

    await t.control("POST", `/payments/${vbank.imp_uid}/deposit`);
    const answers = [
      await t.webhook({ imp_uid: vbank.imp_uid, merchant_uid: order.merchant_uid }),
      await t.webhook({ imp_uid: vbank.imp_uid, merchant_uid: order.merchant_uid }),
      await t.complete(vbank.imp_uid, order.merchant_uid),
    ];

    expect(answers.map((a) => a.status)).toEqual([200, 200, 400]);
    expect((await t.order(order.merchant_uid)).status).toBe("forged");
    expect(await refundsRequired(t)).toEqual([
      expect.objectContaining({
        imp_uid: vbank.imp_uid,
        merchant_uid: order.merchant_uid,
        kind: "forgery",
        currency: "KRW",
        resolved_at: null,
      }),
    ]);
    expect(Number((await refundsRequired(t))[0]!.amount)).toBe(1_000);
    const required = await hooks(t, "onRefundRequired");
    expect(required).toHaveLength(1);
    expect(required[0]!.event).toMatchObject({ kind: "forgery", amount: 1_000, currency: "KRW" });
    expect(await hooks(t, "onForgery")).toHaveLength(1);
    expect((await hooks(t, "onForgery"))[0]!.event).toMatchObject({ cancelled: false });
    expect((await eventsOf(t, order.merchant_uid)).map((e) => e.decision)).toContain(
      "refund_required",
    );
  });

  it("a duplicate deposit for a paid order goes to refunds_required and the order stays paid", async () => {
    const order = await t.createOrder();
    const card = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    expect((await t.complete(card.imp_uid, order.merchant_uid)).body.status).toBe("success");
    const vbank = await t.pay(order.merchant_uid, order.amount, {
      status: "ready",
      webhook: false,
    });
    await t.control("POST", `/payments/${vbank.imp_uid}/deposit`);

    const answers = [
      await t.webhook({ imp_uid: vbank.imp_uid, merchant_uid: order.merchant_uid }),
      await t.complete(vbank.imp_uid, order.merchant_uid),
    ];

    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[1]!.body.status).toBe("duplicate");
    expect(answers[1]!.body.message).toContain("will be refunded");
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      imp_uid: card.imp_uid,
    });
    expect(await refundsRequired(t)).toEqual([
      expect.objectContaining({ imp_uid: vbank.imp_uid, kind: "duplicate" }),
    ]);
    expect(await hooks(t, "onRefundRequired")).toHaveLength(1);
    expect(await hooks(t, "onDuplicate")).toHaveLength(0);
  });
});

describe("an unpaid virtual account with a wrong amount", () => {
  it("never marks the order forged, and the real payment that follows settles it", async () => {
    const order = await t.createOrder();
    const grief = await t.pay(order.merchant_uid, 1, { status: "ready", webhook: false });

    const griefed = await t.complete(grief.imp_uid, order.merchant_uid);
    await t.webhook({ imp_uid: grief.imp_uid, merchant_uid: order.merchant_uid });

    expect(griefed.body.status).toBe("forgery");
    expect((await t.order(order.merchant_uid)).status).toBe("pending");
    expect(await hooks(t, "onForgery")).toHaveLength(0);

    const real = await t.pay(order.merchant_uid, order.amount, { webhook: false });
    const answered = await t.complete(real.imp_uid, order.merchant_uid);

    expect(answered.body.status).toBe("success");
    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      imp_uid: real.imp_uid,
    });
    expect(await hooks(t, "onDuplicate")).toHaveLength(0);
  });
});

describe("reconciliation", () => {
  const reconcile = (options: Parameters<typeof reconcileOnce>[1] = {}) =>
    reconcileOnce(reconcileDeps(t), { graceMs: 0, ...options });

  it("settles a failed order whose second attempt was paid and whose webhook was lost", async () => {
    const order = await t.createOrder();
    const declined = await t.pay(order.merchant_uid, order.amount, {
      status: "failed",
      webhook: false,
    });
    expect((await t.complete(declined.imp_uid, order.merchant_uid)).body.status).toBe("failed");
    const paid = await t.pay(order.merchant_uid, order.amount, { webhook: false });

    await reconcile();

    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      imp_uid: paid.imp_uid,
    });
    const settledBy = await t.server.db.query(
      "select source from payment_events where merchant_uid = $1::text and decision = 'paid'",
      [order.merchant_uid],
    );
    expect(settledBy.map((row) => row.source)).toEqual(["reconcile"]);
  });

  it("settles a ready order whose deposit landed after a later failed retry", async () => {
    const order = await t.createOrder();
    const vbank = await t.pay(order.merchant_uid, order.amount, {
      status: "ready",
      webhook: false,
    });
    expect((await t.complete(vbank.imp_uid, order.merchant_uid)).body.status).toBe("vbankIssued");
    await t.pay(order.merchant_uid, order.amount, { status: "failed", webhook: false });
    await t.control("POST", `/payments/${vbank.imp_uid}/deposit`);
    await t.server.sandbox!.settled();

    await reconcile();

    expect(await t.order(order.merchant_uid)).toMatchObject({
      status: "paid",
      imp_uid: vbank.imp_uid,
    });
  });

  it("waits twice as long after each look-up that finds nothing, up to the cap", async () => {
    const order = await t.createOrder();
    const due = () =>
      t.server.db.query(
        "update orders set next_check_at = now() - interval '2 hours' where merchant_uid = $1::text",
        [order.merchant_uid],
      );
    const schedule = async () => {
      const [row] = await t.server.db.query(
        `select lookup_misses, extract(epoch from next_check_at - now())::float8 as ahead
         from orders where merchant_uid = $1::text`,
        [order.merchant_uid],
      );
      return { misses: Number(row!.lookup_misses), ahead: Number(row!.ahead) };
    };
    const waits: number[] = [];
    for (let round = 0; round < 8; round++) {
      await due();
      await reconcile({ graceMs: 60_000, maxBackoffMs: 3_600_000 });
      const { misses, ahead } = await schedule();
      expect(misses).toBe(round + 1);
      // Due when next_check_at + grace has passed: the wait is ahead + grace.
      waits.push(Math.round((ahead + 60) / 60));
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);

    // Not due: a round does not ask about it.
    const before = fake.lookups.length;
    await reconcile({ graceMs: 60_000 });
    expect(fake.lookups.length).toBe(before);
  });

  it("asks about the freshest due orders first", async () => {
    const stale = [];
    for (let i = 0; i < 4; i++) stale.push(await t.createOrder());
    await t.server.db.query(
      "update orders set created_at = now() - interval '3 days', next_check_at = now() - interval '3 days'",
      [],
    );
    const fresh = await t.createOrder();
    await t.pay(fresh.merchant_uid, fresh.amount, { webhook: false });
    await t.server.db.query(
      "update orders set next_check_at = now() - interval '1 hour' where merchant_uid = $1::text",
      [fresh.merchant_uid],
    );

    const summary = await reconcile({ graceMs: 60_000, batchSize: 1 });

    expect(summary.checked).toBe(1);
    expect((await t.order(fresh.merchant_uid)).status).toBe("paid");
  });

  it("asks about the most recently due order first, not the most recently made", async () => {
    const older = await t.createOrder();
    const newer = await t.createOrder();
    // The older order's backoff ran out a second ago; the newer one has been due for an hour.
    await t.server.db.query(
      `update orders set created_at = now() - interval '3 days', lookup_misses = 5,
        next_check_at = now() - interval '61 seconds' where merchant_uid = $1::text`,
      [older.merchant_uid],
    );
    await t.server.db.query(
      `update orders set created_at = now() - interval '2 hours', lookup_misses = 1,
        next_check_at = now() - interval '2 hours' where merchant_uid = $1::text`,
      [newer.merchant_uid],
    );
    const before = fake.lookups.length;

    await reconcile({ graceMs: 60_000, batchSize: 1 });

    const asked = fake.lookups.slice(before);
    expect(asked.some((url) => url.includes(older.merchant_uid))).toBe(true);
    expect(asked.some((url) => url.includes(newer.merchant_uid))).toBe(false);
  });

  it("retires an order too old to ask about", async () => {
    const order = await t.createOrder();
    await t.server.db.query(
      "update orders set created_at = now() - interval '8 days' where merchant_uid = $1::text",
      [order.merchant_uid],
    );
    await reconcile();
    const [row] = await t.server.db.query(
      "select next_check_at = 'infinity'::timestamptz as retired from orders where merchant_uid = $1::text",
      [order.merchant_uid],
    );
    expect(row!.retired).toBe(true);
    const before = fake.lookups.length;
    await reconcile();
    expect(fake.lookups.length).toBe(before);
  });
});
