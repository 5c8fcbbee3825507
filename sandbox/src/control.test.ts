import { Payment } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedCall } from "./calls.js";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("the control API", () => {
  let s: RunningSandbox;

  beforeEach(async () => {
    s = await startSandbox();
  });
  afterEach(() => s.close());

  const credentials = { imp_key: "sandbox_key", imp_secret: "sandbox_secret" };

  it("makes the next calls fail with 500 for count calls, then recovers", async () => {
    await s.call("POST", "/control/faults", { body: { target: "token", mode: "error", count: 2 } });
    expect((await s.call("POST", "/users/getToken", { body: credentials })).status).toBe(500);
    expect((await s.call("POST", "/users/getToken", { body: credentials })).status).toBe(500);
    const third = await s.call("POST", "/users/getToken", { body: credentials });
    expect(third.status).toBe(200);
  });

  it("targets only the named group of routes", async () => {
    const token = await s.token();
    await s.call("POST", "/control/faults", { body: { target: "cancel", mode: "error" } });
    expect((await s.call("GET", "/payments/imp_000000000000", { token })).status).toBe(404);
    expect(
      (await s.call("POST", "/payments/cancel", { body: { imp_uid: "x" }, token })).status,
    ).toBe(500);
    await s.call("DELETE", "/control/faults");
    expect(
      (await s.call("POST", "/payments/cancel", { body: { imp_uid: "x" }, token })).status,
    ).toBe(200);
  });

  it("holds a hanging call until the faults are cleared", async () => {
    const token = await s.token();
    await s.call("POST", "/control/faults", {
      body: { target: "payments", mode: "hang", count: 1 },
    });
    let settled = false;
    const pending = s.call("GET", "/payments/imp_000000000000", { token }).finally(() => {
      settled = true;
    });
    // The control API still answers while the call hangs.
    expect((await s.call("GET", "/control/faults")).status).toBe(200);
    expect(settled).toBe(false);
    await s.call("DELETE", "/control/faults");
    expect((await pending).status).toBe(503);
  });

  it("delays calls in latency mode and still answers them", async () => {
    await s.call("POST", "/control/faults", {
      body: { target: "all", mode: "latency", ms: 20, count: 1 },
    });
    expect((await s.call("POST", "/users/getToken", { body: credentials })).status).toBe(200);
    expect(((await s.call("GET", "/control/faults")).body as unknown as unknown[]).length).toBe(0);
  });

  it("refuses a bad fault with 400", async () => {
    const answer = await s.call("POST", "/control/faults", {
      body: { target: "everything", mode: "error" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: "error", code: "bad_request" });
  });

  it("lists every REST call with its status and code", async () => {
    const token = await s.token();
    await s.call("GET", "/payments/imp_000000000000", { token });
    const calls = (await s.call("GET", "/control/calls")).body as unknown as RecordedCall[];
    expect(calls.map((c) => [c.method, c.path, c.status, c.code])).toEqual([
      ["POST", "/users/getToken", 200, 0],
      ["GET", "/payments/imp_000000000000", 404, 1],
    ]);
  });

  it("refuses a deposit into a card payment and an unknown payment", async () => {
    const card = Payment.parse(
      (await s.call("POST", "/control/payments", { body: { merchant_uid: "c1", amount: 10 } }))
        .body,
    );
    expect((await s.call("POST", `/control/payments/${card.imp_uid}/deposit`)).status).toBe(409);
    expect((await s.call("POST", "/control/payments/imp_1/deposit")).status).toBe(404);
    expect((await s.call("POST", "/control/payments/imp_1/cancel", { body: {} })).status).toBe(404);
  });

  it("refunds part of a payment from the console", async () => {
    const card = Payment.parse(
      (await s.call("POST", "/control/payments", { body: { merchant_uid: "c2", amount: 100 } }))
        .body,
    );
    const answer = await s.call("POST", `/control/payments/${card.imp_uid}/cancel`, {
      body: { amount: 40 },
    });
    expect(answer.body).toMatchObject({ status: "paid", cancel_amount: 40 });
    const tooMuch = await s.call("POST", `/control/payments/${card.imp_uid}/cancel`, {
      body: { amount: 100 },
    });
    expect(tooMuch.status).toBe(409);
  });

  it("forgets payments, tokens and calls on reset", async () => {
    const token = await s.token();
    const card = Payment.parse(
      (await s.call("POST", "/control/payments", { body: { merchant_uid: "c3", amount: 10 } }))
        .body,
    );
    await s.call("POST", "/control/reset");
    expect((await s.call("GET", `/payments/${card.imp_uid}`, { token })).status).toBe(401);
    const fresh = await s.token();
    expect((await s.call("GET", `/payments/${card.imp_uid}`, { token: fresh })).status).toBe(404);
  });

  it("answers unknown routes with 404 in the right shape", async () => {
    expect((await s.call("GET", "/control/nothing")).body).toMatchObject({
      status: "error",
      code: "not_found",
    });
    const gap = await fetch(`${s.url}/nothing`);
    expect(gap.status).toBe(404);
    expect(gap.headers.get("content-type")).toMatch(/text\/html/);
  });
});
