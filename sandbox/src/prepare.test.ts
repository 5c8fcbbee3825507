import { PreparedEnvelope } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("/payments/prepare", () => {
  let s: RunningSandbox;
  let token: string;

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  it("registers an amount and reads it back", async () => {
    const answer = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p1", amount: 64900 },
      token,
    });
    expect(PreparedEnvelope.parse(answer.body).response).toMatchObject({
      merchant_uid: "p1",
      amount: 64900,
    });
    const read = await s.call("GET", "/payments/prepare/p1", { token });
    expect(PreparedEnvelope.parse(read.body).response!.amount).toBe(64900);
  });

  it("refuses to register the same merchant_uid twice, and PUT changes it", async () => {
    await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p2", amount: 1000 },
      token,
    });
    const twice = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p2", amount: 2000 },
      token,
    });
    expect(twice.body.code).not.toBe(0);
    const changed = await s.call("PUT", "/payments/prepare", {
      body: { merchant_uid: "p2", amount: 3000 },
      token,
    });
    expect(PreparedEnvelope.parse(changed.body).response!.amount).toBe(3000);
    const read = await s.call("GET", "/payments/prepare/p2", { token });
    expect(PreparedEnvelope.parse(read.body).response!.amount).toBe(3000);
  });

  it("answers 404 for a merchant_uid that was never prepared", async () => {
    expect((await s.call("GET", "/payments/prepare/nope", { token })).status).toBe(404);
    const put = await s.call("PUT", "/payments/prepare", {
      body: { merchant_uid: "nope", amount: 1 },
      token,
    });
    expect(put.status).toBe(404);
  });

  it("answers 400 to a missing or non-positive amount and 401 without a token", async () => {
    const bad = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p3", amount: 0 },
      token,
    });
    expect(bad.status).toBe(400);
    const fraction = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p3", amount: 100.5 },
      token,
    });
    expect(fraction.status).toBe(400);
    const dollars = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p4", amount: 12.5, currency: "USD" },
      token,
    });
    expect(PreparedEnvelope.parse(dollars.body).response).toMatchObject({
      amount: 12.5,
      currency: "USD",
    });
    expect((await s.call("GET", "/payments/prepare/p3", { token })).status).toBe(404);
    const anonymous = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p3", amount: 1 },
    });
    expect(anonymous.status).toBe(401);
  });
});
