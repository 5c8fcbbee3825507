// The hook outbox against a real database: a hook owed by a transition whose process died before
// calling it is delivered by the sweeper once its lease has passed, exactly once, even with
// several sweepers at once; a delivered hook leaves nothing owed.
import type { IamportPayment } from "@iamport-pay/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "./db/open.js";
import { hookOutbox, type OrderRow, orders } from "./db/schema.js";
import { deliverOwedHooks, sendHook } from "./hook-outbox.js";
import { silentLogger } from "./logger.js";
import { applyTransition, selectOrder } from "./order-statements.js";
import { toOrderView } from "./order-view.js";
import { createTestDatabase, type TestDatabase } from "./test-support.js";
import type { HookEvent } from "./verify.js";

let database: TestDatabase;
let db: Db;
let other: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDb(database.url);
  // A second process's connection on PostgreSQL; PGlite in memory is one process.
  other = database.url === "memory://" ? db : await openDb(database.url);
});
afterAll(async () => {
  if (other !== db) await other?.close();
  await db?.close();
  await database?.drop();
});
beforeEach(async () => {
  await db.drizzle.delete(hookOutbox);
});

async function newOrder(merchantUid: string) {
  await db.drizzle.insert(orders).values({
    merchantUid,
    name: "Chair",
    amount: 45_000,
    currency: "KRW",
    items: [{ sku: "chair-001", name: "Chair", quantity: 1, amount: 45_000 }],
  });
}

function paid(merchantUid: string): IamportPayment {
  return {
    imp_uid: `imp_${merchantUid}`,
    merchant_uid: merchantUid,
    amount: 45_000,
    cancel_amount: 0,
    currency: "KRW",
    status: "paid",
    pay_method: "card",
    paid_at: 1_800_000_000,
    fail_reason: null,
    cancel_reason: null,
  } as IamportPayment;
}

/** The transition and its owed onPaid committed, then the process "died": no hook, no delete. */
async function paidButNeverHooked(merchantUid: string) {
  await newOrder(merchantUid);
  const transitioned = await applyTransition(
    { db },
    {
      merchantUid,
      target: "paid",
      payment: paid(merchantUid),
      cancelMinor: 0,
      event: { source: "webhook", impUid: `imp_${merchantUid}`, namedMerchantUid: null },
      hook: "onPaid",
      leaseSecs: 60,
    },
  );
  expect(transitioned?.outboxId).not.toBeNull();
  return transitioned;
}

const leasePasses = () =>
  db.query("update hook_outbox set claimed_until = now() - interval '1 second'", []);

function counting() {
  const calls: HookEvent[] = [];
  return { calls, hooks: { onPaid: (event: HookEvent) => void calls.push(event) } };
}

describe("owed hooks", () => {
  it("are delivered by the sweeper once the writer's lease has passed, once", async () => {
    await paidButNeverHooked("ob_died");
    const { calls, hooks } = counting();
    const deps = { db, hooks, log: silentLogger };

    // The writer may still be calling it: leased rows are left alone.
    expect(await deliverOwedHooks(deps)).toBe(0);
    await leasePasses();
    expect(await deliverOwedHooks(deps)).toBe(1);
    expect(await deliverOwedHooks(deps)).toBe(0);

    const order = await selectOrder(db, "ob_died");
    expect(calls).toEqual([
      { order: toOrderView(order as OrderRow), payment: paid("ob_died"), source: "webhook" },
    ]);
    expect(await db.drizzle.select().from(hookOutbox)).toEqual([]);
  });

  it("are delivered once when several sweepers run at once", async () => {
    for (let i = 0; i < 20; i++) await paidButNeverHooked(`ob_many_${i}`);
    await leasePasses();
    const { calls, hooks } = counting();
    const sweepers = [db, other, db, other].map((handle) =>
      deliverOwedHooks({ db: handle, hooks, log: silentLogger }, { batchSize: 3 }),
    );
    const delivered = await Promise.all(sweepers);

    expect(delivered.reduce((a, b) => a + b, 0)).toBe(20);
    const deliveredTo = calls.map((event) => event.order.merchant_uid).sort();
    expect(deliveredTo).toEqual(Array.from({ length: 20 }, (_, i) => `ob_many_${i}`).sort());
  });

  it("leave nothing owed once the writer called the hook, even a hook that throws", async () => {
    const transitioned = await paidButNeverHooked("ob_written");
    const deps = {
      db,
      log: silentLogger,
      hooks: {
        onPaid: () => {
          throw new Error("merchant bug");
        },
      },
    };
    await sendHook(deps, "ob_written", transitioned?.outboxId, "onPaid", {
      order: toOrderView(transitioned?.row as OrderRow),
      payment: paid("ob_written"),
      source: "webhook",
    });
    await leasePasses();

    expect(await deliverOwedHooks({ db, log: silentLogger })).toBe(0);
  });

  it("are not owed when the hook is not configured", async () => {
    await newOrder("ob_none");
    const transitioned = await applyTransition(
      { db },
      {
        merchantUid: "ob_none",
        target: "paid",
        payment: paid("ob_none"),
        cancelMinor: 0,
        event: { source: "client", impUid: "imp_ob_none", namedMerchantUid: "ob_none" },
        hook: null,
        leaseSecs: 60,
      },
    );

    expect(transitioned?.outboxId).toBeNull();
    expect(await db.drizzle.select().from(hookOutbox)).toEqual([]);
  });
});
