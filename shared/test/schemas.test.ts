import { describe, expect, it } from "vitest";
import { formatZodError, isRequestPayFailure, Payment, RequestPayResponse } from "../src/index.js";
import { cases } from "./cases.js";
import { paidCardPayment, rspShopperClosedV1, rspSuccess } from "./fixtures.js";

for (const { schema, parser, accepts, refuses } of cases) {
  describe(schema, () => {
    for (const [what, input] of Object.entries(accepts)) {
      it(`accepts ${what}`, () => {
        const result = parser.safeParse(input);
        expect(result.success ? "ok" : formatZodError(result.error)).toBe("ok");
      });
    }
    for (const [what, [input, field]] of Object.entries(refuses)) {
      it(`refuses ${what}, naming ${field}`, () => {
        const result = parser.safeParse(input);
        expect(result.success).toBe(false);
        if (!result.success) expect(formatZodError(result.error)).toContain(`${field}: `);
      });
    }
  });
}

describe("the Payment schema", () => {
  it("keeps Iamport's 0-for-unset timestamps and nulls as they are", () => {
    const payment = Payment.parse(paidCardPayment);
    expect(payment.failed_at).toBe(0);
    expect(payment.vbank_num).toBeNull();
  });

  it("tolerates fields Iamport adds later without dropping the known ones", () => {
    const payment = Payment.parse({ ...paidCardPayment, brand_new_field: "x" });
    expect(payment.amount).toBe(64900);
  });
});

describe("formatZodError", () => {
  it("writes one line naming every bad field", () => {
    const result = Payment.safeParse({ ...paidCardPayment, amount: "1", status: "nope" });
    expect(result.success).toBe(false);
    if (result.success) return;
    const line = formatZodError(result.error);
    expect(line).not.toContain("\n");
    expect(line).toMatch(/amount: .*; status: /);
  });
});

describe("isRequestPayFailure", () => {
  it("sees a success", () => {
    expect(isRequestPayFailure(RequestPayResponse.parse(rspSuccess))).toBe(false);
  });
  it("sees a failure by error_code when success is absent (v1/iamport.js)", () => {
    expect(isRequestPayFailure(RequestPayResponse.parse(rspShopperClosedV1))).toBe(true);
  });
  it("sees a failure by success: false", () => {
    expect(isRequestPayFailure({ success: false })).toBe(true);
  });
});
