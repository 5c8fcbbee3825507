import { Payment, PaymentEnvelope } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("GET /payments/{imp_uid} and /payments/find/{merchant_uid}", () => {
  let s: RunningSandbox;
  let token: string;

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  async function create(body: Record<string, unknown>) {
    const answer = await s.call("POST", "/control/payments", { body });
    expect(answer.status).toBe(201);
    return Payment.parse(answer.body);
  }

  it("returns a paid card payment with every field of the Payment schema", async () => {
    const created = await create({
      merchant_uid: "order-1",
      amount: 64900,
      name: "의자",
      buyer_name: "홍길동",
    });
    const answer = await s.call("GET", `/payments/${created.imp_uid}?include_sandbox=true`, {
      token,
    });
    expect(answer.status).toBe(200);
    const payment = PaymentEnvelope.parse(answer.body).response!;
    expect(payment).toEqual(created);
    expect(payment).toMatchObject({
      status: "paid",
      amount: 64900,
      currency: "KRW",
      pay_method: "card",
      cancel_amount: 0,
      cancelled_at: 0,
      failed_at: 0,
      buyer_name: "홍길동",
      sandbox: true,
    });
    expect(payment.imp_uid).toMatch(/^imp_\d{12}$/);
    expect(payment.paid_at).toBeGreaterThan(0);
    expect(payment.card_number).toMatch(/\*/);
  });

  it("gives a virtual account a bank, number, holder and due date", async () => {
    const created = await create({ merchant_uid: "order-v", amount: 1000, status: "ready" });
    expect(created).toMatchObject({ pay_method: "vbank", status: "ready", paid_at: 0 });
    expect(created.vbank_num).toBeTruthy();
    expect(created.vbank_name).toBeTruthy();
    expect(created.vbank_holder).toBeTruthy();
    expect(created.vbank_date).toBeGreaterThan(created.vbank_issued_at);
  });

  it("records a failed payment with its reason", async () => {
    const created = await create({ merchant_uid: "order-f", amount: 1000, status: "failed" });
    expect(created).toMatchObject({ status: "failed", paid_at: 0 });
    expect(created.failed_at).toBeGreaterThan(0);
    expect(created.fail_reason).toBeTruthy();
  });

  it("answers 404 with a non-zero code for an unknown imp_uid", async () => {
    const answer = await s.call("GET", "/payments/imp_999999999999", { token });
    expect(answer.status).toBe(404);
    expect(answer.body.code).not.toBe(0);
    expect(answer.body.response).toBeNull();
  });

  it("finds the latest payment of an order, optionally by status", async () => {
    const failed = await create({ merchant_uid: "order-2", amount: 500, status: "failed" });
    const paid = await create({ merchant_uid: "order-2", amount: 500 });
    const latest = await s.call("GET", "/payments/find/order-2?include_sandbox=true", { token });
    expect(PaymentEnvelope.parse(latest.body).response!.imp_uid).toBe(paid.imp_uid);
    const byStatus = await s.call("GET", "/payments/find/order-2/failed?include_sandbox=true", {
      token,
    });
    expect(PaymentEnvelope.parse(byStatus.body).response!.imp_uid).toBe(failed.imp_uid);
  });

  it("answers 404 for an order without payments and 400 for an unknown status", async () => {
    expect((await s.call("GET", "/payments/find/nobody", { token })).status).toBe(404);
    await create({ merchant_uid: "order-3", amount: 500 });
    expect((await s.call("GET", "/payments/find/order-3/cancelled", { token })).status).toBe(404);
    expect((await s.call("GET", "/payments/find/order-3/bogus", { token })).status).toBe(400);
  });

  it("refuses a control payment with a bad body and stores nothing", async () => {
    const answer = await s.call("POST", "/control/payments", {
      body: { merchant_uid: "x", amount: -5 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: "error", code: "bad_request" });
    expect((await s.call("GET", "/payments/find/x", { token })).status).toBe(404);
  });
});
