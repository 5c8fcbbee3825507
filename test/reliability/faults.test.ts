// Faults from the sandbox (`POST /control/faults`): Iamport slower than our timeout, answering
// 500, hanging, or refusing tokens. Every answer is a clear 502/503 JSON error, nothing is
// half-written, and once the fault clears the next call or webhook settles every order.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { manualTimeouts, type Rig, snapshotTables, startRig } from "./harness.js";

/** Nothing listens on port 9: webhooks sent there are lost, as on a bad day. */
const NOWHERE = "http://127.0.0.1:9/lost";
const TIMEOUT_MS = 300;
// Our deadlines on Iamport calls end when the test says (while a hang or latency fault holds the
// calls), never by the clock: a loaded machine cannot turn a healthy call into a timeout.
const timeouts = manualTimeouts();

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({
    iamportTimeoutMs: TIMEOUT_MS,
    timeoutSignal: timeouts.signal,
    fetch: timeouts.fetch,
    env: { RECONCILE_GRACE_MS: "0" },
  });
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.iamport.control("DELETE", "/faults");
});

async function paidWithLostWebhook(amountDelta = 0) {
  const order = await rig.createOrder();
  const payment = await rig.iamport.control("POST", "/payments", {
    merchant_uid: order.merchant_uid,
    amount: order.amount + amountDelta,
    notice_url: NOWHERE,
  });
  await rig.iamport.sandbox.settled();
  return { ...order, impUid: payment.body.imp_uid as string };
}

const doors = (order: { merchant_uid: string; impUid: string }) => ({
  complete: () =>
    rig.api("POST", "/payments/complete", {
      imp_uid: order.impUid,
      merchant_uid: order.merchant_uid,
    }),
  webhook: () =>
    rig.api("POST", "/iamport-webhook", {
      imp_uid: order.impUid,
      merchant_uid: order.merchant_uid,
      status: "paid",
    }),
});

/** Which of our calls to Iamport a fault on `target` holds. */
const heldBy = (target: string) => (url: string) =>
  target === "all" ||
  (target === "token" ? url.endsWith("/users/getToken") : url.includes("/payments/"));

/** The faults injected in this file, for the README's figures. */
const faults = [
  { name: "a token endpoint answering 500", fault: { target: "token", mode: "error" } },
  { name: "payment lookups answering 500", fault: { target: "payments", mode: "error" } },
  {
    name: "payment lookups slower than our timeout",
    fault: { target: "payments", mode: "latency", ms: TIMEOUT_MS * 4 },
  },
  { name: "payment lookups that hang", fault: { target: "payments", mode: "hang" } },
  { name: "a token endpoint that hangs", fault: { target: "token", mode: "hang" } },
  { name: "every Iamport route answering 500", fault: { target: "all", mode: "error" } },
] as const;

describe("Iamport faults", () => {
  for (const { name, fault } of faults) {
    it(`answers 502/503 and writes nothing while Iamport has ${name}, then settles once it clears`, async () => {
      // The sandbox forgets the token our client holds, so the next call must ask for a new one.
      await rig.iamport.control("POST", "/reset");
      const order = await paidWithLostWebhook();
      const before = await snapshotTables(rig.server);
      const hooksBefore = (await rig.settledHooks()).length;
      await rig.iamport.control("POST", "/faults", fault);
      if (fault.mode !== "error") timeouts.expireFor(heldBy(fault.target));

      for (const call of [doors(order).complete, doors(order).webhook]) {
        const answer = await call();
        expect([502, 503]).toContain(answer.status);
        expect(answer.body).toMatchObject({
          status: "error",
          code: expect.stringMatching(/^iamport_(error|unavailable)$/),
          message: expect.any(String),
        });
      }
      const [ordersNow, , claimsNow] = await snapshotTables(rig.server);
      const [ordersBefore, , claimsBefore] = before;
      // Only the audit log grew (it records the outage); orders and claims are as they were.
      expect(ordersNow).toEqual(ordersBefore);
      expect(claimsNow).toEqual(claimsBefore);
      expect((await rig.settledHooks()).length).toBe(hooksBefore);

      await rig.iamport.control("DELETE", "/faults");
      timeouts.restore();
      expect((await doors(order).webhook()).status).toBe(200);
      expect((await rig.api("GET", `/orders/${order.merchant_uid}`)).body.status).toBe("paid");
      const paidHooks = (await rig.settledHooks()).filter(
        (h) => h.name === "onPaid" && h.event.order.merchant_uid === order.merchant_uid,
      );
      expect(paidHooks).toHaveLength(1);
    });
  }

  it("marks a forged payment even when Iamport's cancel fails, and cancels it on the next call", async () => {
    const order = await paidWithLostWebhook(-100);
    await rig.iamport.control("POST", "/faults", { target: "cancel", mode: "error" });
    const first = await doors(order).complete();
    expect(first.status).toBe(400);
    expect(first.body.status).toBe("forgery");
    const payments = async () =>
      (
        (await rig.iamport.control("GET", "/payments")).body as {
          imp_uid: string;
          status: string;
        }[]
      ).find((p) => p.imp_uid === order.impUid);
    expect((await payments())?.status).toBe("paid");

    await rig.iamport.control("DELETE", "/faults");
    await doors(order).webhook();
    expect((await payments())?.status).toBe("cancelled");
    expect((await rig.api("GET", `/orders/${order.merchant_uid}`)).body.status).toBe("forged");
  });

  it("refunds a duplicate payment once Iamport's cancel works again, and only once", async () => {
    await rig.iamport.control("POST", "/reset");
    const order = await paidWithLostWebhook();
    expect((await doors(order).complete()).body.status).toBe("success");
    const second = await rig.iamport.control("POST", "/payments", {
      merchant_uid: order.merchant_uid,
      amount: order.amount,
      notice_url: NOWHERE,
    });
    const duplicate = { merchant_uid: order.merchant_uid, impUid: second.body.imp_uid as string };
    await rig.iamport.control("POST", "/faults", { target: "cancel", mode: "error" });
    expect([502, 503]).toContain((await doors(duplicate).complete()).status);

    await rig.iamport.control("DELETE", "/faults");
    const answers = await Promise.all([
      doors(duplicate).complete(),
      doors(duplicate).webhook(),
      doors(duplicate).complete(),
    ]);
    for (const answer of answers) expect(answer.status).toBe(200);
    const refunds = (await rig.iamport.control("GET", "/calls")).body.filter(
      (c: { method: string; path: string; code: number }) =>
        c.method === "POST" && c.path.endsWith("/payments/cancel") && c.code === 0,
    );
    expect(refunds).toHaveLength(1);
    const order2 = (await rig.api("GET", `/orders/${order.merchant_uid}`)).body;
    expect(order2).toMatchObject({ status: "paid", imp_uid: order.impUid });
  });

  it("settles every order left pending by an outage through reconciliation once it clears", async () => {
    await rig.iamport.control("POST", "/faults", { target: "payments", mode: "error" });
    const orders = [];
    for (let i = 0; i < 8; i++) {
      const order = await rig.createOrder();
      // The webhook reaches the server, which cannot read the payment and answers 503.
      await rig.iamport.control("POST", "/payments", {
        merchant_uid: order.merchant_uid,
        amount: order.amount,
      });
      orders.push(order);
    }
    await rig.iamport.sandbox.settled();
    const webhooks = (await rig.iamport.control("GET", "/webhooks")).body.slice(-8);
    for (const webhook of webhooks) expect(webhook.response_status).toBe(503);
    const during = await rig.server.reconcile();
    expect(during.failed).toBeGreaterThanOrEqual(8);

    await rig.iamport.control("DELETE", "/faults");
    await rig.server.reconcile();
    for (const order of orders) {
      const view = (await rig.api("GET", `/orders/${order.merchant_uid}`)).body;
      expect(view.status).toBe("paid");
      const hooks = (await rig.settledHooks()).filter(
        (h) => h.name === "onPaid" && h.event.order.merchant_uid === order.merchant_uid,
      );
      expect(hooks.map((h) => h.event.source)).toEqual(["reconcile"]);
    }
  });
});
