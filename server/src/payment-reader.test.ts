// Property: shared's hand-written reader of Iamport's payment answers (the hot path of every
// verification) gives exactly what the zod schema gives, or steps aside (undefined) and lets zod
// decide. Every answer of every era is read by the fast path.
import {
  IamportPayment,
  IamportPaymentEnvelope,
  readIamportPayment,
  readIamportPaymentEnvelope,
} from "@iamport-pay/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answersByEra, paymentFields } from "./testing/iamport-answers.js";

const aim = { imp_uid: "imp_123456789012", merchant_uid: "ord_1", amount: 12_000 };

/** The same bytes zod and the reader would see from Iamport: JSON, parsed. */
const fromJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const sameAsZod = (value: unknown) => {
  const fast = readIamportPayment(value);
  const zod = IamportPayment.safeParse(value);
  if (fast === undefined) return;
  expect(zod.success).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  // Handed back as it came, or copied the way zod copies (its fields first).
  if (fast !== value) expect(Object.keys(fast)).toEqual(Object.keys(zod.data ?? {}));
  // A `__proto__` field from the JSON must stay out, not become the result's prototype.
  expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
};

const anyValue = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("", "paid", "KRW", "신한카드"),
  fc.integer({ min: -5, max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
const fieldNames = [
  ...Object.keys(IamportPayment.shape),
  ...Object.keys(paymentFields.optional),
  "__proto__",
  "constructor",
  "unknown_field",
];

describe("the fast reader of Iamport payments", () => {
  it("reads every era's answer itself, as zod does", () => {
    for (const answer of Object.values(answersByEra)) {
      const payment = fromJson(answer(aim));
      expect(readIamportPayment(payment)).toBeDefined();
      sameAsZod(payment);
      const envelope = fromJson({ code: 0, message: null, response: payment });
      expect(readIamportPaymentEnvelope(envelope)).toStrictEqual(
        IamportPaymentEnvelope.parse(envelope),
      );
    }
  });

  it("agrees with zod on any object of known and unknown fields of any type", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...fieldNames), anyValue, { maxKeys: 30 }),
        fc.constantFrom(...Object.values(answersByEra)),
        (fields, era) => {
          sameAsZod(fromJson(fields));
          // Mostly right answers with a few fields changed: the case that matters.
          const answer = JSON.parse(JSON.stringify({ ...era(aim), ...fields }));
          sameAsZod(answer);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("agrees with zod on envelopes, and leaves every refusal to zod", () => {
    fc.assert(
      fc.property(
        fc.record(
          { code: anyValue, message: anyValue, response: fc.oneof(fc.constant(null), anyValue) },
          { requiredKeys: [] },
        ),
        (envelope) => {
          const value = fromJson(envelope);
          const fast = readIamportPaymentEnvelope(value);
          const zod = IamportPaymentEnvelope.safeParse(value);
          if (fast !== undefined) {
            expect(zod.success).toBe(true);
            expect(fast).toStrictEqual(zod.data);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("turns a display field of the wrong type to null, and refuses a wrong decided one", () => {
    const payment = fromJson(
      answersByEra[Object.keys(answersByEra)[0] as keyof typeof answersByEra](aim),
    ) as Record<string, unknown>;
    expect(readIamportPayment({ ...payment, name: 42, paid_at: "soon" })).toMatchObject({
      name: null,
      paid_at: null,
    });
    expect(readIamportPayment({ ...payment, sandbox: "false" })).toBeUndefined();
    expect(readIamportPayment({ ...payment, amount: "12000" })).toBeUndefined();
    expect(readIamportPayment({ ...payment, imp_uid: "" })).toBeUndefined();
  });
});
