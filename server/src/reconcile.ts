/**
 * Reconciliation: settles `pending`/`ready` orders whose shopper never came back and whose webhook
 * never arrived. It asks Iamport for the order's latest payment (`GET /payments/find/{merchant_uid}`)
 * and hands it to the one verify function (source `reconcile`), so it changes nothing verify would
 * not.
 *
 * Several processes may run it at once: each round claims its orders with
 * `FOR UPDATE SKIP LOCKED` and leases them by moving `updated_at` to now, so another process
 * skips them until the grace period passes again. The claim is committed before Iamport is called
 * (never a transaction across an Iamport call); verify's conditional UPDATE keeps a transition
 * exactly-once even if a lease expires mid-call.
 */
import { sql } from "drizzle-orm";
import { AppError } from "./errors.js";
import { deliverOwedHooks } from "./hook-outbox.js";
import { PaymentNotFoundError } from "./iamport-client.js";
import { type VerifyDeps, verifyPayment } from "./verify.js";

export interface ReconcileOptions {
  /**
   * Orders changed (or claimed by a reconciler) less than this long ago are left alone: it is
   * also the lease on a claim, so with 0 several processes may ask about the same order (still
   * safe: verify applies each transition once). Default 5 min.
   */
  graceMs?: number;
  /** Orders older than this are abandoned: no longer asked about (default 7 days). */
  maxAgeMs?: number;
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
}

export const DEFAULT_RECONCILE_GRACE_MS = 5 * 60_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** One round: claim a batch of stale orders, then verify each one's latest payment. */
export async function reconcileOnce(
  deps: VerifyDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const { iamport } = deps;
  if (iamport.findPayment === undefined) {
    throw new Error("reconcile needs an Iamport client with findPayment");
  }
  const graceMs = Math.max(0, Math.trunc(options.graceMs ?? DEFAULT_RECONCILE_GRACE_MS));
  const maxAgeMs = Math.max(graceMs, Math.trunc(options.maxAgeMs ?? DEFAULT_MAX_AGE_MS));
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100));

  const claimed = await claimStaleOrders(deps, graceMs, maxAgeMs, batchSize);
  const summary: ReconcileSummary = {
    checked: claimed.length,
    verified: 0,
    noPayment: 0,
    failed: 0,
  };
  for (const merchantUid of claimed) {
    try {
      const payment = await iamport.findPayment(merchantUid);
      // UNCONFIRMED: that /payments/find answers the order's most recent payment (PortOne's V1
      // reference says "latest"); verify never moves an order backwards, so an older one is harmless.
      await verifyPayment(deps, { source: "reconcile", impUid: payment.imp_uid, merchantUid });
      summary.verified++;
    } catch (error) {
      if (error instanceof PaymentNotFoundError) {
        summary.noPayment++;
        continue;
      }
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

async function claimStaleOrders(
  deps: VerifyDeps,
  graceMs: number,
  maxAgeMs: number,
  batchSize: number,
): Promise<string[]> {
  const rows = await deps.db.drizzle.transaction(async (tx) => {
    const result = await tx.execute(sql`
      with stale as (
        select merchant_uid from orders
        where status in ('pending', 'ready')
          and updated_at < now() - make_interval(secs => ${graceMs / 1000})
          and created_at > now() - make_interval(secs => ${maxAgeMs / 1000})
        order by updated_at
        limit ${batchSize}
        for update skip locked
      )
      update orders set updated_at = now()
      from stale where orders.merchant_uid = stale.merchant_uid
      returning orders.merchant_uid`);
    // postgres.js answers an array of rows, PGlite an object with `rows`.
    return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      merchant_uid: string;
    }[];
  });
  return rows.map((row) => row.merchant_uid);
}

export interface Reconciler {
  /** Runs one round now (after any round in progress); for tests and admin tools. */
  runNow(): Promise<ReconcileSummary>;
  /** Stops the timer and waits for a round in progress. */
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
  running = sweep().then(() => ({ checked: 0, verified: 0, noPayment: 0, failed: 0 }));
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
    },
  };
}
