// Reconciliation: an order whose shopper never came back and whose webhook never arrived is
// settled by asking Iamport (`/payments/find`) and running the same verify function; young orders
// are left alone; several reconcilers at once claim each order exactly once.
import { sandboxDefaults } from "@iamport-pay/sandbox";
import {
  createIamportClient,
  type HookEvent,
  openDb,
  reconcileOnce,
  silentLogger,
  type VerifyDeps,
} from "@iamport-pay/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl, type Rig, startRig } from "./harness.js";

const NOWHERE = "http://127.0.0.1:9/lost";

let rig: Rig;
let deps: VerifyDeps;
beforeAll(async () => {
  rig = await startRig({ env: { RECONCILE_GRACE_MS: "0" } });
  deps = {
    db: rig.server.db,
    iamport: createIamportClient({
      baseUrl: rig.iamport.url,
      key: sandboxDefaults.impKey,
      secret: sandboxDefaults.impSecret,
      includeSandbox: true,
    }),
    cancelForged: true,
    log: silentLogger,
    hooks: {},
  };
});
afterAll(async () => {
  await rig?.close();
});

async function orderWithLostWebhook(status: "paid" | "ready" | "failed" | "none" = "paid") {
  const order = await rig.createOrder();
  let impUid: string | undefined;
  if (status !== "none") {
    const payment = await rig.iamport.control("POST", "/payments", {
      merchant_uid: order.merchant_uid,
      amount: order.amount,
      status,
      notice_url: NOWHERE,
    });
    impUid = payment.body.imp_uid;
  }
  await rig.iamport.sandbox.settled();
  return { ...order, impUid };
}

const statusOf = async (merchantUid: string) =>
  (await rig.api("GET", `/orders/${merchantUid}`)).body.status;
const hooksFor = async (merchantUid: string) =>
  (await rig.settledHooks())
    .filter((h) => h.event.order.merchant_uid === merchantUid)
    .map((h) => `${h.name}:${h.event.source}`);

describe("reconciliation", () => {
  it("settles a paid order whose webhook was lost, once, with source reconcile", async () => {
    const order = await orderWithLostWebhook("paid");
    expect(await statusOf(order.merchant_uid)).toBe("pending");
    await rig.server.reconcile();
    expect(await statusOf(order.merchant_uid)).toBe("paid");
    await rig.server.reconcile();
    expect(await hooksFor(order.merchant_uid)).toEqual(["onPaid:reconcile"]);
  });

  it("follows a virtual account from issued to deposited", async () => {
    const order = await orderWithLostWebhook("ready");
    await rig.server.reconcile();
    expect(await statusOf(order.merchant_uid)).toBe("ready");
    await rig.iamport.control("POST", `/payments/${order.impUid}/deposit`);
    await rig.iamport.sandbox.settled();
    await rig.server.reconcile();
    expect(await statusOf(order.merchant_uid)).toBe("paid");
    expect(await hooksFor(order.merchant_uid)).toEqual([
      "onVbankIssued:reconcile",
      "onPaid:reconcile",
    ]);
  });

  it("leaves an order Iamport has no payment for pending, and records a failed attempt", async () => {
    const none = await orderWithLostWebhook("none");
    const failed = await orderWithLostWebhook("failed");
    const summary = await rig.server.reconcile();
    expect(summary.noPayment).toBeGreaterThanOrEqual(1);
    expect(await statusOf(none.merchant_uid)).toBe("pending");
    expect(await statusOf(failed.merchant_uid)).toBe("failed");
  });

  it("leaves orders younger than the grace period alone", async () => {
    const order = await orderWithLostWebhook("paid");
    const summary = await reconcileOnce(deps, { graceMs: 3_600_000 });
    expect(summary.checked).toBe(0);
    expect(await statusOf(order.merchant_uid)).toBe("pending");
    await rig.server.reconcile();
    expect(await statusOf(order.merchant_uid)).toBe("paid");
  });

  it("settles every order exactly once when several reconcilers run at the same time", async () => {
    const orders = [];
    for (let i = 0; i < 12; i++) orders.push(await orderWithLostWebhook("paid"));
    // On PostgreSQL each reconciler has a connection pool of its own, as another process would.
    // Every unsettled order is an hour old: due for reconciliation, under a one-minute grace that
    // is also the lease a reconciler holds on what it claimed.
    await rig.server.db.drizzle.execute(
      "update orders set created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour', next_check_at = now() - interval '1 hour' where status in ('pending', 'ready', 'failed')",
    );
    const reconcilers = await Promise.all(
      [0, 1, 2].map(async (i) => ({
        ...deps,
        db: postgresUrl && i > 0 ? await openDb(rig.databaseUrl) : rig.server.db,
        hooks: {
          onPaid: (event: HookEvent) => {
            rig.hookCalls.push({ name: "onPaid", event });
          },
        },
      })),
    );
    const candidates = await rig.server.db.drizzle.execute(
      "select count(*)::int as n from orders where status in ('pending', 'ready', 'failed')",
    );
    const findCalls = () =>
      rig.iamport
        .control("GET", "/calls")
        .then((a) =>
          (a.body as { path: string }[]).filter((c) => c.path.startsWith("/payments/find/")),
        );
    const findsBefore = (await findCalls()).length;
    // A pending order whose latest payment is not paid costs a second look-up (`/paid`); none
    // of these has one.
    const summaries = await Promise.all(
      reconcilers.map((r) => reconcileOnce(r, { graceMs: 60_000, batchSize: 6 })),
    );
    // Each unsettled order was claimed by exactly one reconciler, and asked about once.
    const checked = summaries.reduce((sum, s) => sum + s.checked, 0);
    expect(checked).toBe(rowsOf<{ n: number }>(candidates)[0]?.n);
    expect((await findCalls()).length - findsBefore).toBe(checked);
    for (const order of orders) {
      expect(await statusOf(order.merchant_uid)).toBe("paid");
      expect(await hooksFor(order.merchant_uid)).toEqual(["onPaid:reconcile"]);
    }
    const paidEvents = await rig.server.db.drizzle.execute(
      "select merchant_uid, count(*)::int as n from payment_events where decision = 'paid' group by merchant_uid",
    );
    const rows = rowsOf<{ merchant_uid: string; n: number }>(paidEvents);
    for (const order of orders) {
      expect(rows.find((r) => r.merchant_uid === order.merchant_uid)?.n).toBe(1);
    }
    if (postgresUrl) await Promise.all(reconcilers.slice(1).map((r) => r.db.close()));
  });

  it("runs on its own every interval once started", async () => {
    const { startServer, loadConfig } = await import("@iamport-pay/server");
    const order = await orderWithLostWebhook("paid");
    // A second server on the same database, reconciling every 50 ms; the test waits for the
    // order to settle (no timing is asserted, only that it happens).
    const other = await startServer(
      loadConfig({
        PORT: "0",
        DATABASE_URL: postgresUrl ? rig.databaseUrl : "memory://",
        IMP_CODE: sandboxDefaults.impCode,
        IMP_KEY: sandboxDefaults.impKey,
        IMP_SECRET: sandboxDefaults.impSecret,
        IAMPORT_API_URL: rig.iamport.url,
        ACCEPT_TEST_PAYMENTS: "true",
        RECONCILE_INTERVAL_MS: "50",
        RECONCILE_GRACE_MS: "0",
      }),
      { log: silentLogger, acceptSandboxPayments: true },
    );
    try {
      if (!postgresUrl) {
        // PGlite in memory is this process's alone: the second server reconciles its own order.
        const created = await fetch(`${other.url}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ items: [{ sku: "chair-001", quantity: 1 }] }),
        }).then((r) => r.json() as Promise<{ merchant_uid: string; amount: number }>);
        await rig.iamport.control("POST", "/payments", {
          merchant_uid: created.merchant_uid,
          amount: created.amount,
          notice_url: NOWHERE,
        });
        await waitFor(async () => {
          const view = await fetch(`${other.url}/orders/${created.merchant_uid}`).then((r) =>
            r.json(),
          );
          return (view as { status: string }).status === "paid";
        });
      } else {
        await waitFor(async () => (await statusOf(order.merchant_uid)) === "paid");
      }
    } finally {
      await other.close();
    }
    await rig.server.reconcile();
    // Starting a second server and waiting for its rounds: a generous bound for a loaded machine.
  }, 180_000);
});

/** postgres.js answers an array of rows, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  // Polls until the condition holds, for up to a minute of wall time (a loaded machine is slow).
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the condition never became true");
}
