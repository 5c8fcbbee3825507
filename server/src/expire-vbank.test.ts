// Virtual accounts past their deadline without a deposit become `expired` in reconciliation;
// an account still in time, or one Iamport reports paid, does not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support.js";

const TOKEN = "expire-test-token-0123456789abcdef0123456789";
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer(
    { ADMIN_TOKEN: TOKEN },
    { reconcileGraceMs: 0, reconcileIntervalMs: 0 },
  );
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

/** A virtual account issued for a new order (no webhook: only our calls move it). */
async function issuedAccount() {
  const order = await t.createOrder();
  const payment = await t.pay(order.merchant_uid, order.amount, {
    webhook: false,
    status: "ready",
  });
  expect((await t.complete(payment.imp_uid, order.merchant_uid)).body.status).toBe("vbankIssued");
  return { merchantUid: order.merchant_uid, impUid: payment.imp_uid };
}

/** Moves the stored deadline into the past, as time passing would. */
async function deadlinePassed(merchantUid: string) {
  await t.server.db.query(
    `update orders set vbank = jsonb_set(vbank, '{due}', to_jsonb('2000-01-01T00:00:00.000Z'::text))
      where merchant_uid = $1`,
    [merchantUid],
  );
}

describe("expiring virtual accounts", () => {
  it("marks an overdue account without a deposit expired, once, visible to the admin API", async () => {
    const overdue = await issuedAccount();
    const inTime = await issuedAccount();
    await deadlinePassed(overdue.merchantUid);

    const round = await t.server.reconcile();
    expect(round.expired).toBe(1);
    expect((await t.order(overdue.merchantUid)).status).toBe("expired");
    expect((await t.order(inTime.merchantUid)).status).toBe("ready");
    expect((await t.server.reconcile()).expired).toBe(0);

    const listed = await t.api("GET", "/admin/orders?status=expired", undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(listed.body.orders.map((o: { merchant_uid: string }) => o.merchant_uid)).toEqual([
      overdue.merchantUid,
    ]);
    const detail = await t.api("GET", `/admin/orders/${overdue.merchantUid}`, undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(detail.body.events.at(-1)).toMatchObject({ source: "reconcile", decision: "expired" });
  });

  it("pays rather than expires an overdue account Iamport reports deposited", async () => {
    const account = await issuedAccount();
    await t.control("POST", `/payments/${account.impUid}/deposit`);
    await deadlinePassed(account.merchantUid);

    const round = await t.server.reconcile();
    expect(round.expired).toBe(0);
    expect((await t.order(account.merchantUid)).status).toBe("paid");
  });

  it("still takes a deposit that arrives after the order expired", async () => {
    const account = await issuedAccount();
    await deadlinePassed(account.merchantUid);
    await t.server.reconcile();
    expect((await t.order(account.merchantUid)).status).toBe("expired");

    await t.control("POST", `/payments/${account.impUid}/deposit`);
    const late = await t.complete(account.impUid, account.merchantUid);
    expect(late.body.status).toBe("success");
    expect((await t.order(account.merchantUid)).status).toBe("paid");
  });
});
