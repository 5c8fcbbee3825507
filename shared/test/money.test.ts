import { describe, expect, it } from "vitest";
import { fromIamportAmount, isCurrency, toIamportAmount } from "../src/money.js";

describe("money", () => {
  it("passes won through unchanged, since KRW has no minor unit", () => {
    expect(toIamportAmount(64900, "KRW")).toBe(64900);
    expect(fromIamportAmount(64900, "KRW")).toBe(64900);
  });

  it("turns cents into dollars and back", () => {
    expect(toIamportAmount(1250, "USD")).toBe(12.5);
    expect(fromIamportAmount(12.5, "USD")).toBe(1250);
    expect(fromIamportAmount(0.29, "USD")).toBe(29);
  });

  it("refuses an amount the currency cannot hold instead of rounding it", () => {
    expect(fromIamportAmount(100.5, "KRW")).toBeNull();
    expect(fromIamportAmount(1.005, "USD")).toBeNull();
    expect(fromIamportAmount(Number.NaN, "KRW")).toBeNull();
    expect(fromIamportAmount(Number.POSITIVE_INFINITY, "KRW")).toBeNull();
  });

  it("refuses a non-integer minor amount", () => {
    expect(() => toIamportAmount(1.5, "KRW")).toThrow(RangeError);
  });

  it("knows which currencies exist", () => {
    expect(isCurrency("KRW")).toBe(true);
    expect(isCurrency("XYZ")).toBe(false);
    expect(isCurrency("toString")).toBe(false);
  });
});
