import { PaymentEnvelope } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startReceiver, startSandbox } from "./test-support.js";

describe("virtual accounts and what cancel accepts", () => {
  let s: RunningSandbox;
  let token: string;

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  const create = (body: Record<string, unknown>) => s.createPayment(body);
  async function read(impUid: string) {
    return PaymentEnvelope.parse(
      (await s.call("GET", `/payments/${impUid}?include_sandbox=true`, { token })).body,
    ).response!;
  }
  const vbank = (merchant_uid: string) => create({ merchant_uid, amount: 5000, status: "ready" });

  it("withdraws an unpaid virtual account with DELETE /vbanks/{imp_uid}", async () => {
    const account = await vbank("v-1");
    const answer = await s.call("DELETE", `/vbanks/${account.imp_uid}`, { token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ code: 0, response: { status: "cancelled" } });
    expect((await read(account.imp_uid)).status).toBe("cancelled");
    expect((await s.call("POST", `/control/payments/${account.imp_uid}/deposit`)).status).toBe(409);
  });

  it("refuses to withdraw a card payment, a deposited account, an unknown one, or without a token", async () => {
    const card = await create({ merchant_uid: "v-2", amount: 5000 });
    expect((await s.call("DELETE", `/vbanks/${card.imp_uid}`, { token })).status).toBe(400);
    const account = await vbank("v-3");
    await s.call("POST", `/control/payments/${account.imp_uid}/deposit`);
    expect((await s.call("DELETE", `/vbanks/${account.imp_uid}`, { token })).status).toBe(400);
    expect((await s.call("DELETE", "/vbanks/imp_000000000000", { token })).status).toBe(404);
    expect((await s.call("DELETE", `/vbanks/${account.imp_uid}`)).status).toBe(401);
    expect((await read(account.imp_uid)).status).toBe("paid");
  });

  it("keeps an expired virtual account ready but takes no deposit once the clock passes its deadline", async () => {
    const account = await vbank("v-4");
    const due = account.vbank_date;
    const before = (await s.call("GET", "/control/clock")).body as unknown as { now: number };
    const moved = await s.call("POST", "/control/clock", {
      body: { advance_seconds: due - before.now + 1 },
    });
    expect((moved.body as unknown as { now: number }).now).toBeGreaterThan(due);
    token = await s.token();
    expect((await read(account.imp_uid)).status).toBe("ready");
    const deposit = await s.call("POST", `/control/payments/${account.imp_uid}/deposit`);
    expect(deposit.status).toBe(409);
    expect(deposit.body).toMatchObject({ code: "vbank_expired" });
  });

  it("refunds a deposited account only to a known bank code", async () => {
    const account = await vbank("v-5");
    await s.call("POST", `/control/payments/${account.imp_uid}/deposit`);
    const refund = {
      imp_uid: account.imp_uid,
      refund_holder: "홍길동",
      refund_account: "12345678",
    };
    const unknown = await s.call("POST", "/payments/cancel", {
      body: { ...refund, refund_bank: "999" },
      token,
    });
    expect(unknown.body.code).not.toBe(0);
    expect((await read(account.imp_uid)).status).toBe("paid");
    const known = await s.call("POST", "/payments/cancel", {
      body: { ...refund, refund_bank: "088" },
      token,
    });
    expect(known.body).toMatchObject({ code: 0, response: { status: "cancelled" } });
  });

  it("treats amount 0 as a full cancel and accepts extra and retain_promotion", async () => {
    const card = await create({ merchant_uid: "c-1", amount: 7000 });
    const answer = await s.call("POST", "/payments/cancel", {
      body: {
        imp_uid: card.imp_uid,
        amount: 0,
        extra: { requester: "customer" },
        retain_promotion: true,
      },
      token,
    });
    expect(answer.body).toMatchObject({
      code: 0,
      response: { status: "cancelled", cancel_amount: 7000 },
    });
  });

  it("reads enable_webhook, amount and extra from a form body", async () => {
    const receiver = await startReceiver();
    try {
      const card = await create({ merchant_uid: "c-2", amount: 7000, notice_url: receiver.url });
      await s.sandbox.settled();
      const form = new URLSearchParams({
        imp_uid: card.imp_uid,
        amount: "2000",
        enable_webhook: "true",
        "extra[requester]": "admin",
      });
      const response = await fetch(`${s.url}/payments/cancel`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: token },
        body: form,
      });
      expect(await response.json()).toMatchObject({ code: 0, response: { cancel_amount: 2000 } });
      await s.sandbox.settled();
      const bodies = receiver.received.map((r) => JSON.parse(r.text));
      expect(bodies).toHaveLength(2);
      expect(bodies[1]).toMatchObject({ imp_uid: card.imp_uid, status: "paid" });
      expect(bodies[1].cancellation_id).toBeTruthy();
    } finally {
      await receiver.close();
    }
  });

  it("refuses a merchant_uid over 40 characters on prepare and on the control API", async () => {
    const long = "p".repeat(41);
    const prepared = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: long, amount: 1000 },
      token,
    });
    expect(prepared.status).toBe(400);
    expect(prepared.body.code).not.toBe(0);
    const made = await s.call("POST", "/control/payments", {
      body: { merchant_uid: long, amount: 1 },
    });
    expect(made.status).toBe(400);
    const forty = await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "p".repeat(40), amount: 1000 },
      token,
    });
    expect(forty.body.code).toBe(0);
  });
});
