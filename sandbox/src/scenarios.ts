/**
 * Named situations a merchant's server must handle, set up in one call (like `stripe trigger`):
 * `POST /control/scenarios/{name}` or `pnpm --filter @iamport-pay/sandbox scenario <name>`.
 * Each leaves the payments Iamport would hold and sends (or withholds) the webhooks Iamport
 * would send.
 */
import type { Payment } from "@iamport-pay/shared";
import { z } from "zod";
import { cancelPayment } from "./cancel.js";
import { PG_DECLINED, SHOPPER_CANCELLED } from "./checkout-outcome.js";
import { MERCHANT_UID_MAX } from "./merchant-uid.js";
import type { SandboxState } from "./state.js";
import type { StoredPayment } from "./store.js";

export const ScenarioRequest = z.object({
  merchant_uid: z.string().min(1).max(MERCHANT_UID_MAX),
  /** The order's amount (what the shopper should have paid); default 1000. */
  amount: z.number().positive().default(1000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  name: z.string().max(1000).optional(),
  notice_url: z.union([z.string(), z.array(z.string())]).optional(),
  /** false: a live-channel payment (readable without include_sandbox). */
  sandbox: z.boolean().default(true),
  /** webhook-delayed: how long the webhook is held back (default 10 s). */
  delay_ms: z.number().int().nonnegative().max(600_000).default(10_000),
  /** iamport-outage: how many REST calls fail (default: until DELETE /control/faults). */
  count: z.number().int().positive().optional(),
});
export type ScenarioRequest = z.infer<typeof ScenarioRequest>;

interface Scenario {
  summary: string;
  /** What the merchant receives, for the README and the listing. */
  sends: string;
  run(state: SandboxState, request: ScenarioRequest): StoredPayment[];
}

function paidCard(state: SandboxState, r: ScenarioRequest, amount = r.amount, webhook = {}) {
  return state.addPayment(
    {
      merchant_uid: r.merchant_uid,
      amount,
      currency: r.currency,
      name: r.name,
      pay_method: "card",
      status: "paid",
      sandbox: r.sandbox,
    },
    r.notice_url,
    webhook,
  );
}

function vbank(state: SandboxState, r: ScenarioRequest, vbankDate?: number) {
  return state.addPayment(
    {
      merchant_uid: r.merchant_uid,
      amount: r.amount,
      currency: r.currency,
      name: r.name,
      pay_method: "vbank",
      status: "ready",
      sandbox: r.sandbox,
      vbank_date: vbankDate,
    },
    r.notice_url,
  );
}

function failed(state: SandboxState, r: ScenarioRequest, reason: string) {
  return state.addPayment(
    {
      merchant_uid: r.merchant_uid,
      amount: r.amount,
      currency: r.currency,
      name: r.name,
      pay_method: "card",
      status: "failed",
      sandbox: r.sandbox,
      fail_reason: reason,
    },
    r.notice_url,
  );
}

/** A console refund: the payment changes and a webhook with `cancellation_id` follows. */
function consoleRefund(state: SandboxState, stored: StoredPayment, amount?: number) {
  const outcome = cancelPayment(
    stored.payment,
    { amount, reason: "관리자 콘솔 환불" },
    state.nowSeconds(),
  );
  if (!outcome.ok) throw new Error(outcome.message);
  state.update(stored, outcome.payment);
  state.notify(stored, outcome.cancellationId);
}

/** Half of `amount` in the currency's smallest step that Iamport takes (whole won, cents). */
function half(amount: number): number {
  return Number.isInteger(amount)
    ? Math.max(1, Math.floor(amount / 2))
    : Math.round(amount * 50) / 100;
}

const scenarios = {
  "card-paid": {
    summary: "A card payment approved for the order's amount.",
    sends: "webhook `paid`",
    run: (state, r) => [paidCard(state, r)],
  },
  "card-declined": {
    summary: "The PG refused the card: a `failed` payment with an imp_uid.",
    sends: "no webhook (Iamport does not notify failures)",
    run: (state, r) => [failed(state, r, PG_DECLINED.error_msg)],
  },
  "shopper-closed": {
    summary: "The shopper closed the payment window: a `failed` payment with an imp_uid.",
    sends: "no webhook",
    run: (state, r) => [failed(state, r, SHOPPER_CANCELLED.error_msg)],
  },
  "vbank-issued": {
    summary: "A virtual account issued (`ready`), deadline three days away.",
    sends: "webhook `ready`",
    run: (state, r) => [vbank(state, r)],
  },
  "vbank-deposited": {
    summary: "A virtual account issued, then the shopper's money arrives (`paid`).",
    sends: "webhooks `ready`, then `paid`",
    run: (state, r) => {
      const stored = vbank(state, r);
      const now = state.nowSeconds();
      state.update(stored, { ...stored.payment, status: "paid", paid_at: now });
      state.notify(stored);
      return [stored];
    },
  },
  "vbank-expired": {
    summary: "A virtual account whose deadline has passed: it stays `ready` and refuses deposits.",
    sends: "webhook `ready` (sent at issue; none at expiry)",
    run: (state, r) => [vbank(state, r, state.nowSeconds() - 1)],
  },
  "partial-refund": {
    summary: "A paid card payment, then half of it refunded from the console.",
    sends: "webhooks `paid`, then `paid` with a `cancellation_id`",
    run: (state, r) => {
      const stored = paidCard(state, r);
      consoleRefund(state, stored, half(r.amount));
      return [stored];
    },
  },
  "console-refund": {
    summary: "A paid card payment, then refunded in full from the console.",
    sends: "webhooks `paid`, then `cancelled` with a `cancellation_id`",
    run: (state, r) => {
      const stored = paidCard(state, r);
      consoleRefund(state, stored);
      return [stored];
    },
  },
  "webhook-lost": {
    summary: "A paid card payment whose webhook never arrives: only reconciliation finds it.",
    sends: "nothing",
    run: (state, r) => [paidCard(state, r, r.amount, { skip: true })],
  },
  "webhook-delayed": {
    summary: "A paid card payment whose webhook arrives `delay_ms` later (default 10 s).",
    sends: "webhook `paid`, late",
    run: (state, r) => [paidCard(state, r, r.amount, { delayMs: r.delay_ms })],
  },
  "duplicate-payment": {
    summary: "Two paid payments for one order (a double click, two tabs): refund one.",
    sends: "webhook `paid` twice, one per imp_uid",
    run: (state, r) => [paidCard(state, r), paidCard(state, r)],
  },
  "forged-amount": {
    summary: "A paid payment for less than the order's amount (a tampered page paid 100).",
    sends: "webhook `paid`",
    run: (state, r) => [paidCard(state, r, r.amount > 100 ? 100 : half(r.amount))],
  },
  "iamport-outage": {
    summary:
      "Iamport's REST API answers 500 (every route, `count` calls or until DELETE /control/faults); a paid payment's webhook arrives meanwhile.",
    sends: "webhook `paid`, whose lookup fails until the outage ends",
    run: (state, r) => {
      state.faults.add({ target: "all", mode: "error", count: r.count });
      return [paidCard(state, r)];
    },
  },
  "token-expired": {
    summary:
      "Every access token issued so far expires now (401 on its next use); then a paid payment.",
    sends: "webhook `paid`, whose lookup must fetch a new token",
    run: (state, r) => {
      state.tokens.expireAll();
      return [paidCard(state, r)];
    },
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarios;
export const SCENARIO_NAMES = Object.keys(scenarios) as ScenarioName[];

export function scenarioSummaries() {
  return SCENARIO_NAMES.map((name) => ({
    name,
    summary: scenarios[name].summary,
    sends: scenarios[name].sends,
  }));
}

export function runScenario(
  state: SandboxState,
  name: ScenarioName,
  request: ScenarioRequest,
): { payments: Payment[]; sends: string } {
  const scenario: Scenario = scenarios[name];
  return { payments: scenario.run(state, request).map((s) => s.payment), sends: scenario.sends };
}
