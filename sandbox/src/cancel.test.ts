import { PaymentEnvelope } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("POST /payments/cancel", () => {
  let s: RunningSandbox;
  let token: string;

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  const create = (body: Record<string, unknown>) => s.createPayment(body);
  async function cancel(body: Record<string, unknown>) {
    return s.call("POST", "/payments/cancel", { body, token });
  }
  async function read(impUid: string) {
    return PaymentEnvelope.parse(
      (await s.call("GET", `/payments/${impUid}?include_sandbox=true`, { token })).body,
    ).response!;
  }

  it("cancels everything when no amount is given", async () => {
    const paid = await create({ merchant_uid: "o1", amount: 10000 });
    const answer = await cancel({ imp_uid: paid.imp_uid, reason: "고객 요청" });
    expect(answer.status).toBe(200);
    const cancelled = PaymentEnvelope.parse(answer.body).response!;
    expect(cancelled).toMatchObject({
      status: "cancelled",
      cancel_amount: 10000,
      cancel_reason: "고객 요청",
    });
    expect(cancelled.cancelled_at).toBeGreaterThan(0);
    expect(cancelled.cancel_history).toHaveLength(1);
    expect(cancelled.cancel_history[0]).toMatchObject({ amount: 10000, reason: "고객 요청" });
    expect(cancelled.cancel_receipt_urls).toHaveLength(1);
  });

  it("refunds part, keeps the payment paid, then cancels the rest", async () => {
    const paid = await create({ merchant_uid: "o2", amount: 10000 });
    const partial = PaymentEnvelope.parse(
      (await cancel({ imp_uid: paid.imp_uid, amount: 3000 })).body,
    ).response!;
    expect(partial).toMatchObject({ status: "paid", cancel_amount: 3000 });
    const rest = PaymentEnvelope.parse(
      (await cancel({ imp_uid: paid.imp_uid, checksum: 7000 })).body,
    ).response!;
    expect(rest).toMatchObject({ status: "cancelled", cancel_amount: 10000 });
    expect(rest.cancel_history.map((h) => h.amount)).toEqual([3000, 7000]);
  });

  it("finds the payment by merchant_uid", async () => {
    await create({ merchant_uid: "o3", amount: 2000 });
    const answer = await cancel({ merchant_uid: "o3" });
    expect(PaymentEnvelope.parse(answer.body).response!.status).toBe("cancelled");
  });

  it("refuses a checksum that is not the cancellable amount and changes nothing", async () => {
    const paid = await create({ merchant_uid: "o4", amount: 10000 });
    await cancel({ imp_uid: paid.imp_uid, amount: 1000 });
    const answer = await cancel({ imp_uid: paid.imp_uid, amount: 1000, checksum: 10000 });
    expect(answer.status).toBe(200);
    expect(answer.body.code).not.toBe(0);
    expect(answer.body.response).toBeNull();
    expect((await read(paid.imp_uid)).cancel_amount).toBe(1000);
  });

  it("refuses more than the cancellable amount", async () => {
    const paid = await create({ merchant_uid: "o5", amount: 5000 });
    const answer = await cancel({ imp_uid: paid.imp_uid, amount: 5001 });
    expect(answer.body.code).not.toBe(0);
    expect((await cancel({ imp_uid: paid.imp_uid, amount: 0.5 })).body.code).not.toBe(0);
    expect((await read(paid.imp_uid)).status).toBe("paid");
  });

  it("refuses to cancel an already cancelled payment", async () => {
    const paid = await create({ merchant_uid: "o6", amount: 5000 });
    await cancel({ imp_uid: paid.imp_uid });
    const again = await cancel({ imp_uid: paid.imp_uid });
    expect(again.status).toBe(200);
    expect(again.body.code).not.toBe(0);
    expect(again.body.message).toMatch(/취소/);
  });

  it("refuses an unknown payment, a failed one and an unpaid virtual account", async () => {
    expect((await cancel({ imp_uid: "imp_000000000000" })).body.code).not.toBe(0);
    const failed = await create({ merchant_uid: "o7", amount: 5000, status: "failed" });
    expect((await cancel({ imp_uid: failed.imp_uid })).body.code).not.toBe(0);
    const ready = await create({ merchant_uid: "o8", amount: 5000, status: "ready" });
    expect((await cancel({ imp_uid: ready.imp_uid })).body.code).not.toBe(0);
    expect((await read(ready.imp_uid)).status).toBe("ready");
  });

  it("refunds a deposited virtual account only with the shopper's bank account", async () => {
    const ready = await create({ merchant_uid: "o9", amount: 5000, status: "ready" });
    await s.call("POST", `/control/payments/${ready.imp_uid}/deposit`);
    expect((await cancel({ imp_uid: ready.imp_uid })).body.code).not.toBe(0);
    const answer = await cancel({
      imp_uid: ready.imp_uid,
      refund_holder: "홍길동",
      refund_bank: "004",
      refund_account: "12345678901234",
    });
    expect(PaymentEnvelope.parse(answer.body).response!.status).toBe("cancelled");
  });

  it("answers 400 to a body without imp_uid or merchant_uid", async () => {
    const answer = await cancel({ amount: 100 });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: -1, response: null });
  });

  it("accepts a form-encoded body", async () => {
    const paid = await create({ merchant_uid: "o10", amount: 4000 });
    const response = await fetch(`${s.url}/payments/cancel`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: token },
      body: new URLSearchParams({
        imp_uid: paid.imp_uid,
        amount: "1500",
        checksum: "4000",
      }).toString(),
    });
    const payment = PaymentEnvelope.parse(await response.json()).response!;
    expect(payment.cancel_amount).toBe(1500);
  });
});
