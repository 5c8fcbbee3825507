import { Payment } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEGACY_MISSING, REQUIRED } from "./payment-shape.js";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("PAYMENT_SHAPE", () => {
  let s: RunningSandbox;
  let token: string;

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  const create = (body: Record<string, unknown>) => s.createPayment(body);
  async function read(impUid: string) {
    const answer = await s.call("GET", `/payments/${impUid}?include_sandbox=true`, { token });
    expect(answer.status).toBe(200);
    return answer.body.response as Record<string, unknown>;
  }
  const shape = (payment_shape: string) =>
    s.call("PUT", "/control/settings", { body: { payment_shape } });

  it("answers every field of the strict schema in the full shape (the default)", async () => {
    const card = await create({ merchant_uid: "f-1", amount: 1000 });
    const payment = Payment.strict().parse(await read(card.imp_uid));
    expect(payment.card_issuer_code).toBe("361");
    expect(payment.sandbox).toBe(true);
  });

  it("leaves out what older accounts never got in the legacy shape", async () => {
    const card = await create({ merchant_uid: "l-1", amount: 1000 });
    await shape("legacy");
    const payment = await read(card.imp_uid);
    for (const field of LEGACY_MISSING) expect(payment, field).not.toHaveProperty(field);
    expect(payment).toMatchObject({ imp_uid: card.imp_uid, amount: 1000, status: "paid" });
    expect(payment).toHaveProperty("card_name", "BC카드");
  });

  it("keeps required and method fields in the sparse shape and drops or nulls the rest", async () => {
    const vbank = await create({ merchant_uid: "s-1", amount: 1000, status: "ready" });
    const cards = await Promise.all(
      Array.from({ length: 6 }, (_, i) => create({ merchant_uid: `s-c${i}`, amount: 1000 })),
    );
    await shape("sparse");
    const read1 = await read(vbank.imp_uid);
    for (const field of [...REQUIRED, "pay_method", "vbank_num", "vbank_date", "vbank_name"]) {
      expect(read1[field], field).toEqual(vbank[field as keyof Payment]);
    }
    // The same payment answers the same way every time.
    expect(await read(vbank.imp_uid)).toEqual(read1);
    // Across payments, optional fields are sometimes missing, sometimes null, sometimes there.
    const answers = await Promise.all(cards.map((c) => read(c.imp_uid)));
    const fields = ["pg_provider", "buyer_name", "paid_at", "card_name", "receipt_url", "escrow"];
    const seen = new Set<string>();
    for (const answer of answers) {
      for (const field of fields) {
        seen.add(!(field in answer) ? "missing" : answer[field] === null ? "null" : "kept");
      }
    }
    expect([...seen].sort()).toEqual(["kept", "missing", "null"]);
    // A sparse answer is not a strict Payment: clients need a tolerant reader.
    expect(answers.some((a) => !Payment.safeParse(a).success)).toBe(true);
  });

  it("writes list answers in the shape too, and refuses an unknown shape", async () => {
    await create({ merchant_uid: "x-1", amount: 1000 });
    await shape("legacy");
    const found = await s.call("GET", "/payments/find/x-1?include_sandbox=true", { token });
    expect(found.body.response).not.toHaveProperty("emb_pg_provider");
    const bad = await shape("tidy");
    expect(bad.status).toBe(400);
    expect((await s.call("GET", "/control/settings")).body).toMatchObject({
      payment_shape: "legacy",
    });
  });

  it("starts in the shape it is created with", async () => {
    const legacy = await startSandbox({ paymentShape: "legacy" });
    try {
      const card = Payment.parse(
        (await legacy.call("POST", "/control/payments", { body: { merchant_uid: "o", amount: 1 } }))
          .body,
      );
      const answer = await legacy.call("GET", `/payments/${card.imp_uid}?include_sandbox=true`, {
        token: await legacy.token(),
      });
      expect(answer.body.response).not.toHaveProperty("sandbox");
    } finally {
      await legacy.close();
    }
  });
});
