// The verify path's hand-written statements against a real database: they must give exactly the
// rows drizzle gives, and record one payment_events row per call.
import type { IamportPayment } from "@iamport-pay/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "./db/open.js";
import { orders, paymentEvents } from "./db/schema.js";
import { applyTransition, selectOrder } from "./order-statements.js";
import { createTestDatabase, type TestDatabase } from "./test-support.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDb(database.url);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

async function newOrder(merchantUid: string) {
  await db.drizzle.insert(orders).values({
    merchantUid,
    name: "Chair",
    amount: 3_000_000_000,
    currency: "KRW",
    items: [{ sku: "chair-001", name: "Chair", quantity: 1, amount: 3_000_000_000 }],
    buyerName: "홍길동",
  });
}

function payment(merchantUid: string, fields: Partial<IamportPayment> = {}): IamportPayment {
  return {
    imp_uid: `imp_${merchantUid}`,
    merchant_uid: merchantUid,
    amount: 3_000_000_000,
    cancel_amount: 0,
    currency: "KRW",
    status: "ready",
    pay_method: "vbank",
    paid_at: 0,
    vbank_num: "123-456",
    vbank_code: "004",
    vbank_name: "KB",
    vbank_holder: "Shop",
    vbank_date: 1_900_000_000,
    fail_reason: null,
    cancel_reason: null,
    ...fields,
  } as IamportPayment;
}

const drizzleRow = async (merchantUid: string) =>
  (await db.drizzle.select().from(orders).where(eq(orders.merchantUid, merchantUid)))[0];

const decisions = async (merchantUid: string) =>
  (
    await db.drizzle
      .select({ decision: paymentEvents.decision })
      .from(paymentEvents)
      .where(eq(paymentEvents.merchantUid, merchantUid))
      .orderBy(paymentEvents.id)
  ).map((row) => row.decision);

describe("order statements", () => {
  it("move no order whose amount or currency is not the payment's, and record nothing for it", async () => {
    await newOrder("os_other_amount");
    const paid = payment("os_other_amount", {
      status: "paid",
      amount: 1_000,
      paid_at: 1_800_000_000,
    });
    const transition = (amount: number, currency: string) =>
      applyTransition(
        { db },
        {
          merchantUid: "os_other_amount",
          target: "paid",
          payment: { ...paid, currency },
          amount,
          cancelMinor: 0,
          event: { source: "webhook", impUid: paid.imp_uid, namedMerchantUid: null },
          hook: null,
          leaseSecs: 60,
        },
      );

    expect(await transition(1_000, "KRW")).toBeUndefined();
    expect(await transition(3_000_000_000, "USD")).toBeUndefined();
    expect(await transition(1_000, "KRW")).toBeUndefined();
    expect((await drizzleRow("os_other_amount"))?.status).toBe("pending");
    // The caller reads the order and records its decision (a forgery): nothing here.
    expect(await decisions("os_other_amount")).toEqual([]);
  });

  it("read an order exactly as drizzle's select does, and nothing for an unknown one", async () => {
    await newOrder("os_read");

    expect(await selectOrder(db, "os_read")).toEqual(await drizzleRow("os_read"));
    expect(await selectOrder(db, "os_missing")).toBeUndefined();
  });

  it("apply a transition once, return the row drizzle would read, and record every call", async () => {
    await newOrder("os_move");
    const ready = payment("os_move");
    const event = { source: "client", impUid: ready.imp_uid, namedMerchantUid: "os_move" };
    const vbank = {
      bank_code: "004",
      bank_name: "KB",
      number: "123-456",
      holder: "Shop",
      due: "2030-03-17T17:46:40.000Z",
    };

    const changed = await applyTransition(
      { db },
      {
        merchantUid: "os_move",
        target: "ready",
        payment: ready,
        amount: 3_000_000_000,
        cancelMinor: 0,
        vbank,
        event,
        hook: null,
        leaseSecs: 60,
      },
    );
    const again = await applyTransition(
      { db },
      {
        merchantUid: "os_move",
        target: "ready",
        payment: ready,
        amount: 3_000_000_000,
        cancelMinor: 0,
        vbank,
        event,
        hook: null,
        leaseSecs: 60,
      },
    );
    const paid = payment("os_move", { status: "paid", paid_at: 1_800_000_000 });
    const settled = await applyTransition(
      { db },
      {
        merchantUid: "os_move",
        target: "paid",
        payment: paid,
        amount: 3_000_000_000,
        cancelMinor: 0,
        event,
        hook: null,
        leaseSecs: 60,
      },
    );

    expect(changed?.row).toMatchObject({ status: "ready", vbank, impUid: ready.imp_uid });
    expect(again).toBeUndefined();
    expect(settled?.row).toEqual(await drizzleRow("os_move"));
    // Not given, the stored account stays; the payment and times are stored as drizzle would.
    expect(settled?.row).toMatchObject({
      status: "paid",
      vbank,
      payment: paid,
      paidAt: new Date(1_800_000_000_000),
      amount: 3_000_000_000,
      cancelAmount: 0,
    });
    expect(await decisions("os_move")).toEqual(["ready", "no_change", "paid"]);
  });
});
