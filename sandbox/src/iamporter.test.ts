/**
 * Another client we did not write: posquit0's iamporter (npm `iamporter`), unchanged but for its
 * `host`. It cannot send include_sandbox, so its payments are made live-channel
 * (`sandbox: false`), as the control API allows for such clients.
 */
import { Payment } from "@iamport-pay/shared";
// @ts-expect-error iamporter ships no type declarations
import iamporterModule from "iamporter";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

interface Output {
  status: number;
  message: string | null;
  data: Record<string, unknown> | null;
}
interface Iamporter {
  getToken(): Promise<Output>;
  findByImpUid(impUid: string): Promise<Output>;
  findByMerchantUid(merchantUid: string): Promise<Output>;
  findAllByMerchantUid(merchantUid: string, extra: { status: string }): Promise<Output>;
  findAllByStatus(status: string, extra?: Record<string, unknown>): Promise<Output>;
  createPreparedPayment(data: { merchant_uid: string; amount: number }): Promise<Output>;
  getPreparedPayment(merchantUid: string): Promise<Output>;
  cancelByImpUid(impUid: string, extra?: Record<string, unknown>): Promise<Output>;
}
const { Iamporter: IamporterClass } = iamporterModule as {
  Iamporter: new (options: { apiKey: string; secret: string; host: string }) => Iamporter;
};

describe("the iamporter client against the sandbox", () => {
  let s: RunningSandbox;
  let client: Iamporter;

  beforeEach(async () => {
    s = await startSandbox();
    client = new IamporterClass({ apiKey: "sandbox_key", secret: "sandbox_secret", host: s.url });
  });
  afterEach(() => s.close());

  async function livePayment(merchant_uid: string, amount: number) {
    const answer = await s.call("POST", "/control/payments", {
      body: { merchant_uid, amount, sandbox: false },
    });
    return Payment.parse(answer.body);
  }

  it("gets a token, reads, finds, prepares and cancels", async () => {
    const token = await client.getToken();
    expect(token.status).toBe(200);
    expect(token.data).toMatchObject({ access_token: expect.any(String) });

    const paid = await livePayment("iamporter-1", 12000);
    const byImpUid = await client.findByImpUid(paid.imp_uid);
    expect(byImpUid.data).toMatchObject({ imp_uid: paid.imp_uid, amount: 12000, status: "paid" });
    const byMerchantUid = await client.findByMerchantUid("iamporter-1");
    expect(byMerchantUid.data).toMatchObject({ imp_uid: paid.imp_uid });
    const all = await client.findAllByMerchantUid("iamporter-1", { status: "paid" });
    expect(all.data).toMatchObject({ total: 1 });
    const byStatus = await client.findAllByStatus("paid");
    expect(byStatus.data).toMatchObject({ total: 1 });

    const prepared = await client.createPreparedPayment({
      merchant_uid: "iamporter-2",
      amount: 5000,
    });
    expect(prepared.data).toMatchObject({ merchant_uid: "iamporter-2", amount: 5000 });
    const readBack = await client.getPreparedPayment("iamporter-2");
    expect(readBack.data).toMatchObject({ amount: 5000 });

    const partial = await client.cancelByImpUid(paid.imp_uid, { amount: 2000, reason: "partial" });
    expect(partial.data).toMatchObject({ status: "paid", cancel_amount: 2000 });
    const rest = await client.cancelByImpUid(paid.imp_uid, { reason: "rest" });
    expect(rest.data).toMatchObject({ status: "cancelled", cancel_amount: 12000 });
    await expect(client.cancelByImpUid(paid.imp_uid, {})).rejects.toMatchObject({
      message: expect.stringContaining("취소"),
    });
  });

  it("reads an unknown payment as Iamport's 404, which this client resolves with no data", async () => {
    const missing = await client.findByImpUid("imp_000000000000");
    expect(missing.status).toBe(404);
    expect(missing.data).toBeNull();
  });
});
