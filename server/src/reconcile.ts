/**
 * Reconciliation: settles orders whose shopper never came back and whose webhook never arrived,
 * by asking Iamport (`GET /payments/find/{merchant_uid}[/paid]`) and handing the answer to the
 * one verify function (source `reconcile`), so it changes nothing verify would not.
 *
 * Which orders: `pending` and `ready` ones up to `maxAgeMs` old, and `failed` ones up to
 * `failedMaxAgeMs` old (a first card declined, then a second attempt paid whose webhook was
 * lost; Iamport also lets some payments turn from failed to paid). When: each order has its own
 * schedule (orders.next_check_at): due `graceMs` after it was made or last changed; every
 * look-up that changes nothing doubles the wait before the next one (2×, 4×, … the grace, capped
 * at `maxBackoffMs`), so a week of abandoned orders costs a few look-ups each rather than one
 * every round; an order past its age limit is retired ('infinity'). Due orders are taken most
 * recently due first: a new order (due one grace after it was made) goes before every order
 * that was due earlier, so a lost webhook never waits behind a backlog of abandoned orders
 * (after an outage, say). The claim reads the partial index orders_due_idx backwards from "due
 * now": it touches the round's orders only, however many others are due or waiting.
 *
 * What is asked: a `pending` order's latest payment (one call when there is none); if that is
 * not `paid`, also its latest `paid` one (money moved on an earlier attempt), which wins. A `ready`
 * or `failed` order: its latest `paid` payment only (nothing else can move it forward).
 *
 * Several processes may run it at once: each round claims its orders with
 * `FOR UPDATE SKIP LOCKED` and moves their schedule in the same statement, so another process
 * skips them until they are due again. The claim is committed before Iamport is called (never a
 * transaction across an Iamport call); verify's conditional UPDATE keeps a transition
 * exactly-once even if two processes ask about the same order.
 */
import type { IamportPayment } from "@iamport-pay/shared";
import { AppError } from "./errors.js";
import { expireOverdueVbank } from "./expire-vbank.js";
import { deliverOwedHooks, settledWithinLease } from "./hook-outbox.js";
import { PaymentNotFoundError } from "./iamport-client.js";
import { claimDueOrders } from "./reconcile-statements.js";
import { type VerifyDeps, verifyReadPayment } from "./verify.js";

export interface ReconcileOptions {
  /**
   * How long after it was made or last changed an order is first asked about, and the first
   * step of its backoff (RECONCILE_GRACE_MS). With 0 every unsettled order is asked about every
   * round (still safe: verify applies each transition once). Default 5 min.
   */
  graceMs?: number;
  /** The longest wait between two look-ups of one order (default 1 h). */
  maxBackoffMs?: number;
  /** `pending`/`ready` orders older than this are abandoned: no longer asked about (7 days). */
  maxAgeMs?: number;
  /** `failed` orders older than this are no longer asked about (default 1 day). */
  failedMaxAgeMs?: number;
  /** Orders claimed per round (default 100). */
  batchSize?: number;
}

export interface ReconcileSummary {
  /** Orders this process claimed and asked Iamport about. */
  checked: number;
  /** Orders whose verify call ran (whether or not their state changed). */
  verified: number;
  /** Orders Iamport has no payment for yet. */
  noPayment: number;
  /** Orders left for a later round because Iamport or verify failed. */
  failed: number;
  /** `ready` orders whose virtual account's deadline passed without a deposit (expire-vbank.ts). */
  expired: number;
}

export const DEFAULT_RECONCILE_GRACE_MS = 5 * 60_000;
export const DEFAULT_RECONCILE_MAX_BACKOFF_MS = 3_600_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3_600_000;
const DEFAULT_FAILED_MAX_AGE_MS = 24 * 3_600_000;

/** One round: claim the due orders, then verify what Iamport has for each. */
export async function reconcileOnce(
  deps: VerifyDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const { iamport } = deps;
  if (iamport.findPayment === undefined) {
    throw new Error("reconcile needs an Iamport client with findPayment");
  }
  const find = iamport.findPayment;
  const ms = (value: number | undefined, fallback: number) =>
    Math.max(0, Math.trunc(value ?? fallback));
  const graceMs = ms(options.graceMs, DEFAULT_RECONCILE_GRACE_MS);
  const maxBackoffMs = Math.max(
    graceMs,
    ms(options.maxBackoffMs, DEFAULT_RECONCILE_MAX_BACKOFF_MS),
  );
  const maxAgeMs = Math.max(graceMs, ms(options.maxAgeMs, DEFAULT_MAX_AGE_MS));
  const failedMaxAgeMs = Math.max(graceMs, ms(options.failedMaxAgeMs, DEFAULT_FAILED_MAX_AGE_MS));
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100));

  const claimed = await claimDueOrders(deps.db, {
    graceSecs: graceMs / 1000,
    batchSize,
    maxBackoffSecs: maxBackoffMs / 1000,
    maxAgeSecs: maxAgeMs / 1000,
    failedMaxAgeSecs: failedMaxAgeMs / 1000,
  });
  const summary: ReconcileSummary = {
    checked: claimed.length,
    verified: 0,
    noPayment: 0,
    failed: 0,
    expired: 0,
  };
  for (const { merchant_uid: merchantUid, status } of claimed) {
    try {
      const found = await paymentsToVerify(find, merchantUid, status);
      if (found.length === 0) {
        summary.noPayment++;
        // No deposit, and the account's deadline has passed: the order will never be paid.
        if (status === "ready" && (await expireOverdueVbank(deps.db, merchantUid))) {
          summary.expired++;
          deps.log("info", "virtual account expired", { merchant_uid: merchantUid });
        }
        continue;
      }
      for (const payment of found) {
        await verifyReadPayment(deps, { source: "reconcile", merchantUid }, payment);
      }
      summary.verified++;
    } catch (error) {
      summary.failed++;
      deps.log("warn", "reconcile could not settle an order", {
        merchant_uid: merchantUid,
        error: error instanceof AppError ? error.code : (error as Error).message,
      });
    }
  }
  if (summary.checked > 0) deps.log("info", "reconcile round", { ...summary });
  deps.metrics?.reconcileRound(summary);
  return summary;
}

type Find = NonNullable<VerifyDeps["iamport"]["findPayment"]>;

/** The payments to verify for an order in `status`, in the order to verify them. */
async function paymentsToVerify(
  find: Find,
  merchantUid: string,
  status: string,
): Promise<IamportPayment[]> {
  // UNCONFIRMED: that `/payments/find` answers the most recent payment (by `-started`, its
  // default sorting); verify never moves an order backwards, so an older one is harmless.
  const orNone = (promise: Promise<IamportPayment>) =>
    promise.catch((error) => {
      if (error instanceof PaymentNotFoundError) return undefined;
      throw error;
    });
  if (status === "pending") {
    const latest = await orNone(find(merchantUid));
    // No payment at all (the common case of an abandoned order): one call was enough.
    if (latest === undefined || latest.status === "paid") return latest ? [latest] : [];
    // The payment that moved money settles the order; the latest only says how far it got.
    const paid = await orNone(find(merchantUid, "paid"));
    return [paid ?? latest];
  }
  const paid = await orNone(find(merchantUid, "paid"));
  return paid ? [paid] : [];
}

export interface Reconciler {
  /** Runs one round now (after any round in progress); for tests and admin tools. */
  runNow(): Promise<ReconcileSummary>;
  /**
   * Stops the timer and waits for a round in progress, then for the hooks it queued (on
   * `deps.hookQueue`), at most the hook lease (settledWithinLease).
   */
  stop(): Promise<void>;
}

/**
 * Runs a round every `intervalMs` (0 = never on its own; `runNow` still works), and one sweep at
 * once: each round first delivers hook calls whose writer died (hook-outbox.ts), then runs
 * `reconcileOnce`.
 */
export function startReconciler(
  deps: VerifyDeps,
  options: ReconcileOptions & { intervalMs: number },
): Reconciler {
  let running: Promise<ReconcileSummary>;
  let stopped = false;
  const sweep = () =>
    deliverOwedHooks(deps).catch((error: Error) => {
      deps.log("error", "hook sweep failed", { error: error.message });
    });
  const runNow = () => {
    running = running
      .catch(() => undefined)
      .then(sweep)
      .then(() => reconcileOnce(deps, options));
    return running;
  };
  // On start: what a process that died before calling its hooks left (once their lease passed).
  running = sweep().then(() => ({ checked: 0, verified: 0, noPayment: 0, failed: 0, expired: 0 }));
  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          if (stopped) return;
          runNow().catch((error: Error) =>
            deps.log("error", "reconcile round failed", { error: error.message }),
          );
        }, options.intervalMs)
      : undefined;
  // The timer alone never keeps the process alive.
  timer?.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running.catch(() => undefined);
      if (deps.hookQueue) await settledWithinLease(deps.hookQueue, deps);
    },
  };
}
