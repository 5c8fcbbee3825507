// Property: whatever Iamport does to a payment (failed attempts, issued account, deposit, paid,
// partial and full refunds) and however the completion, the webhook and the mobile return repeat
// and interleave around it, the order ends in the state Iamport reports last, never moves
// backwards, and each hook fires exactly once per transition.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Rig, startRig } from "./harness.js";

export const PROPERTY_RUNS = 150;

type Outcome = "none" | "paid" | "issued" | "deposited";
type Call = { door: "complete" | "webhook" | "mobile"; claimedStatus: string };
interface Scenario {
  failures: number;
  outcome: Outcome;
  /** Partial refunds as percent of the amount (sum stays under 100), then maybe the rest. */
  partials: number[];
  refundRest: boolean;
  /** One batch of concurrent calls after each Iamport step, and one more at the end. */
  batches: Call[][];
  finalCall: Call;
}

const call: fc.Arbitrary<Call> = fc.record({
  door: fc.constantFrom("complete", "webhook", "mobile"),
  // The webhook's status is not signed: the server must not care what it says.
  claimedStatus: fc.constantFrom("paid", "ready", "cancelled", "failed"),
});

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    failures: fc.nat({ max: 2 }),
    outcome: fc.constantFrom<Outcome>("none", "paid", "issued", "deposited"),
    partials: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }),
    refundRest: fc.boolean(),
    batches: fc.array(fc.array(call, { maxLength: 4 }), { minLength: 9, maxLength: 9 }),
    finalCall: call,
  })
  .filter((s) => s.failures > 0 || s.outcome !== "none");

const rank = { pending: 0, failed: 1, ready: 2, paid: 3, cancelled: 4, forged: 5 } as const;
type OrderStatus = keyof typeof rank;

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

describe("order state under any Iamport history and any interleaving of calls", () => {
  it("ends in Iamport's last state, never goes backwards, and fires each hook once per transition", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { merchant_uid, amount } = await rig.createOrder();
        const hooksBefore = (await rig.settledHooks()).length;
        const control = rig.iamport.control;
        let impUid = "";
        let iamportStatus = "";
        let iamportCancelled = 0;
        let seen: { status: OrderStatus; cancel: number } = { status: "pending", cancel: 0 };
        let batch = 0;

        const doors = async (calls: Call[]) => {
          const answers = await Promise.all(
            calls.map((c) => {
              if (c.door === "complete") {
                return rig.api("POST", "/payments/complete", {
                  imp_uid: impUid,
                  merchant_uid,
                });
              }
              if (c.door === "webhook") {
                return rig.api("POST", "/iamport-webhook", {
                  imp_uid: impUid,
                  merchant_uid,
                  status: c.claimedStatus,
                });
              }
              const query = new URLSearchParams({
                imp_uid: impUid,
                merchant_uid,
                imp_success: String(c.claimedStatus === "paid"),
              });
              return rig.api("GET", `/payments/complete/mobile?${query}`);
            }),
          );
          for (const answer of answers) expect(answer.status).toBeLessThan(500);
          const order = (await rig.api("GET", `/orders/${merchant_uid}`)).body;
          const now = { status: order.status as OrderStatus, cancel: order.cancel_amount };
          // Never backwards: a later state, or the same state with refunds that only grew.
          expect(rank[now.status]).toBeGreaterThanOrEqual(rank[seen.status]);
          expect(now.cancel).toBeGreaterThanOrEqual(seen.cancel);
          seen = now;
        };
        const step = async (path: string, body?: unknown) => {
          const answer = await control("POST", path, body);
          if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${answer.text}`);
          impUid = answer.body.imp_uid;
          iamportStatus = answer.body.status;
          iamportCancelled = answer.body.cancel_amount;
          await rig.iamport.sandbox.settled();
          await doors(s.batches[batch++] ?? []);
        };

        for (let i = 0; i < s.failures; i++) {
          await step("/payments", { merchant_uid, amount, status: "failed" });
        }
        if (s.outcome === "paid") await step("/payments", { merchant_uid, amount });
        if (s.outcome === "issued" || s.outcome === "deposited") {
          await step("/payments", { merchant_uid, amount, status: "ready" });
        }
        if (s.outcome === "deposited") await step(`/payments/${impUid}/deposit`);
        const paid = s.outcome === "paid" || s.outcome === "deposited";
        let refunds = 0;
        if (paid) {
          for (const percent of s.partials) {
            const part = Math.max(1, Math.floor((amount * percent) / 100));
            await step(`/payments/${impUid}/cancel`, { amount: part });
            refunds++;
          }
          if (s.refundRest) {
            await step(`/payments/${impUid}/cancel`, {});
            refunds++;
          }
        }
        await doors([s.finalCall]);

        // Iamport's last word: a partial refund stays `paid` with its amount, a full one
        // reads `cancelled`.
        expect(seen).toEqual({ status: iamportStatus, cancel: iamportCancelled });

        const hooks = (await rig.settledHooks())
          .slice(hooksBefore)
          .filter((h) => h.event.order.merchant_uid === merchant_uid);
        const count = (name: string) => hooks.filter((h) => h.name === name).length;
        // Every Iamport step but a failure sends a webhook, so the server sees every transition.
        expect({
          onVbankIssued: count("onVbankIssued"),
          onPaid: count("onPaid"),
          onCancelled: count("onCancelled"),
          onForgery: count("onForgery"),
          onDuplicate: count("onDuplicate"),
        }).toEqual({
          onVbankIssued: s.outcome === "issued" || s.outcome === "deposited" ? 1 : 0,
          onPaid: paid ? 1 : 0,
          onCancelled: refunds,
          onForgery: 0,
          onDuplicate: 0,
        });
        // And each onCancelled reports a bigger refund than the one before.
        const refundsSeen = hooks
          .filter((h) => h.name === "onCancelled")
          .map((h) => h.event.order.cancel_amount);
        expect(refundsSeen).toEqual([...refundsSeen].sort((a, b) => a - b));
        expect(new Set(refundsSeen).size).toBe(refundsSeen.length);
        // Each call made took its outbox row with it: a sweep would repeat nothing.
        const owed = await rig.server.db.query("select count(*)::int as n from hook_outbox", []);
        expect(owed[0]?.n).toBe(0);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  }, 90_000);
});
