// Property: any Payment that Iamport's OpenAPI document allows (the required fields, any subset
// of the optional ones, nulls, fields we do not know) verifies when its amount, currency and
// status are right, and never pays an order when its amount or currency is wrong. Run through
// verifyPayment on the test database (PGlite, or PostgreSQL when DATABASE_URL is set).
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDb } from "./db/open.js";
import { orders } from "./db/schema.js";
import type { IamportClient } from "./iamport-client.js";
import { createTestDatabase, type TestDatabase } from "./test-support.js";
import { type FieldType, paymentFields } from "./testing/iamport-answers.js";
import { type VerifyResult, verifyPayment } from "./verify.js";

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDb(database.url);
}, 120_000);
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("신한카드", "홍길동", "(주)예시상점", "KB국민은행"),
);
const valueOfType: Record<FieldType, fc.Arbitrary<unknown>> = {
  string: text,
  integer: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  boolean: fc.boolean(),
  array: fc.array(fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 3 }), {
    maxLength: 2,
  }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 3 }),
};
const known = new Set<string>([
  ...Object.keys(paymentFields.required),
  ...Object.keys(paymentFields.optional),
]);

/** The optional fields: each absent, null, or a value of its type; plus unknown fields. */
const rest = fc
  .tuple(
    fc.record(
      Object.fromEntries(
        Object.entries(paymentFields.optional).map(([name, type]) => [
          name,
          fc.option(valueOfType[type], { nil: null }),
        ]),
      ) as Record<string, fc.Arbitrary<unknown>>,
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !known.has(key)),
      fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), text),
      { maxKeys: 3 },
    ),
    // The flag is required since 2026 only: absent in older answers.
    fc.option(fc.boolean(), { nil: undefined }),
  )
  .map(([optional, unknown, sandbox]) => ({
    ...unknown,
    ...optional,
    ...(sandbox === undefined ? {} : { sandbox }),
  }));

const replaying = (payment: Record<string, unknown>): IamportClient => ({
  getPayment: async () => payment as never,
  cancelPayment: async () => {
    throw new Error("not expected");
  },
  preparePayment: async () => {
    throw new Error("not expected");
  },
  getToken: async () => "token",
});

async function orderOf(amount: number): Promise<string> {
  const merchantUid = `prop_${randomBytes(8).toString("hex")}`;
  await db.drizzle.insert(orders).values({
    merchantUid,
    name: "chair",
    amount,
    currency: "KRW",
    items: [{ sku: "chair-001", name: "chair", quantity: 1, amount }],
  });
  return merchantUid;
}

async function verifyAgainst(
  merchantUid: string,
  payment: Record<string, unknown>,
): Promise<{ result?: VerifyResult; status: string }> {
  let result: VerifyResult | undefined;
  try {
    result = await verifyPayment(
      { db, iamport: replaying(payment), cancelForged: false, log: () => {} },
      { source: "webhook", impUid: String(payment.imp_uid) },
    );
  } catch {
    // An error answer (e.g. 502 for an amount that is not an amount) pays nothing either.
  }
  const [order] = await db.query("select status from orders where merchant_uid = $1::text", [
    merchantUid,
  ]);
  return { ...(result ? { result } : {}), status: String(order?.status) };
}

const runs = { numRuns: 60 };

describe("any Payment the OpenAPI document allows", () => {
  it("pays the order when amount, currency and status are right", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100_000_000 }), rest, async (amount, fields) => {
        const merchantUid = await orderOf(amount);
        const payment = {
          ...fields,
          imp_uid: `imp_${randomBytes(6).toString("hex")}`,
          merchant_uid: merchantUid,
          amount,
          cancel_amount: 0,
          currency: "KRW",
          status: "paid",
        };
        const { result, status } = await verifyAgainst(merchantUid, payment);
        expect(result?.status).toBe("success");
        expect(status).toBe("paid");
      }),
      runs,
    );
  }, 600_000);

  it("never pays the order when the amount or the currency is wrong", async () => {
    const wrong = fc.oneof(
      fc
        .tuple(fc.integer({ min: 1, max: 100_000_000 }), fc.integer({ min: -1_000, max: 1_000 }))
        .filter(([amount, delta]) => delta !== 0 && amount + delta >= 0)
        .map(([amount, delta]) => ({ amount, paid: amount + delta, currency: "KRW" })),
      fc
        .tuple(fc.integer({ min: 1, max: 100_000_000 }), fc.constantFrom(0.5, 0.25, 0.999))
        .map(([amount, fraction]) => ({ amount, paid: amount + fraction, currency: "KRW" })),
      fc
        .tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom("USD", "JPY", "EUR", "XYZ"))
        .map(([amount, currency]) => ({ amount, paid: amount, currency })),
    );
    await fc.assert(
      fc.asyncProperty(
        wrong,
        rest,
        fc.constantFrom("paid", "ready", "cancelled", "failed"),
        async ({ amount, paid, currency }, fields, iamportStatus) => {
          const merchantUid = await orderOf(amount);
          const payment = {
            ...fields,
            imp_uid: `imp_${randomBytes(6).toString("hex")}`,
            merchant_uid: merchantUid,
            amount: paid,
            cancel_amount: 0,
            currency,
            status: iamportStatus,
          };
          const { result, status } = await verifyAgainst(merchantUid, payment);
          expect(result?.status).not.toBe("success");
          expect(status).not.toBe("paid");
        },
      ),
      runs,
    );
  }, 600_000);
});
