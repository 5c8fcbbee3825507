// The hook outbox against a real database: a hook owed by a transition whose process died before
// calling it is delivered by the sweeper once its lease has passed, exactly once, even with
// several sweepers at once; a delivered hook leaves nothing owed.
import type { IamportPayment } from "@iamport-pay/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "./db/open.js";
import { hookOutbox, type OrderRow, orders } from "./db/schema.js";
import { createHookQueue, deliverOwedHooks, sendHook } from "./hook-outbox.js";
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
      amount: 45_000,
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
        amount: 45_000,
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

/** A promise and its resolve, for a test to answer when it chooses. */
function deferred<T = void>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const eventFor = (merchantUid: string) => ({ order: { merchant_uid: merchantUid } });

describe("the hook queue", () => {
  it("calls one order's hooks in the order they were owed, though the later statement answered first", async () => {
    const calls: string[] = [];
    const otherOrderCalled = deferred();
    const queue = createHookQueue({
      db,
      log: silentLogger,
      hooks: {
        onPaid: ({ order }) => void calls.push(`onPaid ${order.merchant_uid}`),
        onCancelled: ({ order }) => void calls.push(`onCancelled ${order.merchant_uid}`),
        onVbankIssued: () => otherOrderCalled.resolve(),
      },
    });
    // The payment's statement is still in flight when the refund's (owed later) answers.
    const paidStatement = deferred<string>();
    const paid = queue.owing("q_order", paidStatement.promise);
    const refundId = await queue.owing("q_order", Promise.resolve("9000000002"));
    queue.send("q_order", refundId, "onCancelled", eventFor("q_order"));
    // Another order's hook, queued after: once it ran, an unheld onCancelled would have too.
    queue.send("q_other", null, "onVbankIssued", eventFor("q_other"));
    await otherOrderCalled.promise;
    expect(calls).toEqual([]);

    paidStatement.resolve("9000000001");
    queue.send("q_order", await paid, "onPaid", eventFor("q_order"));
    await queue.settled();
    expect(calls).toEqual(["onPaid q_order", "onCancelled q_order"]);
  });

  it("calls one order's hooks one at a time, without holding other orders'", async () => {
    const calls: string[] = [];
    const slow = deferred();
    const otherCalled = deferred();
    const queue = createHookQueue({
      db,
      log: silentLogger,
      hooks: {
        onPaid: async ({ order }) => {
          calls.push(`onPaid ${order.merchant_uid}`);
          if (order.merchant_uid === "q_slow") await slow.promise;
          else otherCalled.resolve();
        },
        onCancelled: ({ order }) => void calls.push(`onCancelled ${order.merchant_uid}`),
      },
    });
    queue.send("q_slow", null, "onPaid", eventFor("q_slow"));
    queue.send("q_slow", null, "onCancelled", eventFor("q_slow"));
    queue.send("q_fast", null, "onPaid", eventFor("q_fast"));
    await otherCalled.promise;
    expect(calls).toEqual(["onPaid q_slow", "onPaid q_fast"]);

    slow.resolve();
    await queue.settled();
    expect(calls).toEqual(["onPaid q_slow", "onPaid q_fast", "onCancelled q_slow"]);
  });

  it("deletes delivered rows in batches: one statement for all that finished since the last", async () => {
    const owed: { merchantUid: string; id: unknown; row: OrderRow }[] = [];
    for (let i = 0; i < 5; i++) {
      const merchantUid = `ob_batch_${i}`;
      const transitioned = await paidButNeverHooked(merchantUid);
      owed.push({ merchantUid, id: transitioned?.outboxId, row: transitioned?.row as OrderRow });
    }
    const deletes: unknown[][] = [];
    const firstDelete = deferred();
    const firstDeleteStarted = deferred();
    let gate: Promise<void> | undefined = firstDelete.promise;
    const counted: Db = {
      ...db,
      query: async (text, params) => {
        if (!text.startsWith("delete from hook_outbox")) return db.query(text, params);
        deletes.push([...params]);
        firstDeleteStarted.resolve();
        // The first delete is held, as a slow database would: hooks finish meanwhile.
        const wait = gate;
        gate = undefined;
        await wait;
        return db.query(text, params);
      },
    };
    const laterFinished = deferred();
    let calls = 0;
    const queue = createHookQueue({
      db: counted,
      log: silentLogger,
      hooks: {
        onPaid: () => {
          calls++;
          if (calls === owed.length) laterFinished.resolve();
        },
      },
    });
    const [first, ...rest] = owed;
    const send = (o: (typeof owed)[number]) =>
      queue.send(o.merchantUid, o.id, "onPaid", {
        order: toOrderView(o.row),
        payment: paid(o.merchantUid),
        source: "webhook",
      });
    send(first!);
    // Wait until the first delete is under way, then finish the other four hooks.
    await firstDeleteStarted.promise;
    for (const o of rest) send(o);
    await laterFinished.promise;
    firstDelete.resolve();
    await queue.settled();

    expect(deletes).toEqual([[`{${first!.id}}`], [`{${rest.map((o) => o.id).join(",")}}`]]);
    expect(await db.drizzle.select().from(hookOutbox)).toEqual([]);
  });
});
