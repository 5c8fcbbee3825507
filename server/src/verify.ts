/**
 * The one verify function. The client's completion, Iamport's webhook, the mobile return,
 * reconciliation and the admin's cancel all call it; only Iamport's answer is trusted, read
 * tolerantly (shared's IamportPayment).
 *
 * Order of work (never a transaction across an Iamport call: PGlite has one connection):
 * 1. read the payment from Iamport (by imp_uid, or the order's latest by merchant_uid);
 * 2. refuse what cannot be decided on: an amount that is not an amount of its currency (502),
 *    a test-channel payment when test payments are not accepted (400);
 * 3. apply the status to the order of the payment's own merchant_uid with one conditional
 *    UPDATE (… WHERE status IN (…) AND amount and currency match … RETURNING) in one statement
 *    that also logs the call (order-statements.ts): under any concurrency, across processes,
 *    exactly one caller sees the row come back, and only that caller runs the hook. On the
 *    happy path this is the only statement before the answer;
 * 4. when nothing moved, read the order and decide why: unknown (404); amount, currency or PG
 *    channel (ALLOWED_PG) not matching: a forgery once money moved (`paid`), and only a
 *    recorded mismatch before (an unpaid virtual account must not let anyone who knows a
 *    merchant_uid spoil the order); a status we do not know; a state the payment does not move
 *    (a repeat, or a duplicate payment, step 6);
 * 5. a payment named for another order than its own is refused after step 3/4 (400);
 * 6. cancel forged and duplicate payments through Iamport, once (payment_claims' primary key);
 *    one that needs the shopper's bank account to be refunded (a deposited virtual account) is
 *    stored in refunds_required instead, once, with an onRefundRequired hook;
 * 7. hooks after commit: each is owed by an outbox row written with the transition (or claim);
 *    the answer goes out once that has committed, and the hook queue calls the hook after it,
 *    in the order the order's hooks were owed, then deletes the row (the sweeper delivers it if
 *    the process dies first; hook-outbox.ts).
 */
import {
  type CompleteStatus,
  fromIamportAmount,
  type IamportPayment,
  isCurrency,
  isKnownPaymentStatus,
  type OrderView,
} from "@iamport-pay/shared";
import type { Db } from "./db/open.js";
import type { OrderRow, StoredVbank } from "./db/schema.js";
import { AppError } from "./errors.js";
import { type HookName, type HookQueue, leaseSecs, owedHook, sendHook } from "./hook-outbox.js";
import type { Hooks, VerifySource } from "./hooks.js";
import {
  type IamportClient,
  IamportError,
  IamportUnavailableError,
  PaymentNotFoundError,
} from "./iamport-client.js";
import type { Logger } from "./logger.js";
import { type Metrics, observeVerification } from "./metrics.js";
import {
  applyTransition,
  claimForgery,
  claimPayment,
  insertEvent,
  insertRefundRequired,
  markForged,
  recordRefundedDuplicate,
  refundIsRequired,
  selectOrder,
  type TransitionTarget,
  unclaimPayment,
  type VerifyCall,
} from "./order-statements.js";
import { completeStatusOf, toOrderView } from "./order-view.js";

export type {
  HookEvent,
  Hooks,
  RefundRequiredEvent,
  VerifySource,
} from "./hooks.js";

/** One ALLOWED_PG entry: a `pg_provider`, optionally narrowed to one contract (`pg_id`). */
export interface PgChannel {
  provider: string;
  mid?: string;
}

export interface VerifyDeps {
  db: Db;
  iamport: IamportClient;
  /** Cancel forged payments through Iamport (CANCEL_FORGED, default true). */
  cancelForged: boolean;
  /** Refuse payments Iamport marks `sandbox: true` (unless ACCEPT_TEST_PAYMENTS). */
  refuseSandboxPayments?: boolean;
  /** ALLOWED_PG: when not empty, a payment on another channel is a forgery. */
  allowedPg?: readonly PgChannel[];
  hooks?: Hooks;
  /** How long a hook call may take before the sweeper may call it again (default 60 s). */
  hookLeaseMs?: number;
  /** Calls hooks after the answer (createHookQueue); without one, before verify returns. */
  hookQueue?: HookQueue | undefined;
  log: Logger;
  metrics?: Metrics;
}

export interface VerifyInput {
  source: VerifySource;
  /** The payment to read. Without it, the order's latest payment is asked for by merchantUid. */
  impUid?: string;
  /** The order the caller named; the webhook's is ignored (its body is not signed). */
  merchantUid?: string;
}

export interface VerifyResult {
  status: CompleteStatus;
  message: string;
  order: OrderView;
}

/** What payment_events.decision records for a verify call. */
type Decision =
  | TransitionTarget
  | "partially_refunded"
  | "no_change"
  | "duplicate"
  | "payment_not_found"
  | "iamport_unavailable"
  | "iamport_error"
  | "unconvertible_amount"
  | "refused_sandbox_payment"
  | "unknown_order"
  | "unknown_status"
  | "order_mismatch"
  | "forged"
  | "forgery_again"
  | "mismatch_not_live"
  | "forgery_cancelled"
  | "forgery_cancel_failed"
  | "duplicate_refunded"
  | "refund_required";

const messages: Record<CompleteStatus, string> = {
  success: "Payment completed",
  vbankIssued: "Virtual account issued",
  pending: "Payment not completed yet",
  failed: "Payment failed",
  cancelled: "Payment cancelled",
  forgery: "Forged payment attempt: the paid amount or currency does not match the order",
  duplicate: "This order was already paid; the second payment was refunded",
};
const duplicateToRefund =
  "This order was already paid; the second payment will be refunded to the shopper's account";

/** Reads the payment, then decides (the numbered steps above). */
export function verifyPayment(deps: VerifyDeps, input: VerifyInput): Promise<VerifyResult> {
  if (input.impUid === undefined && input.merchantUid === undefined) {
    throw new Error("verifyPayment needs an imp_uid or a merchant_uid");
  }
  return observeVerification(deps.metrics, input.source, () => verifyOnce(deps, input));
}

async function verifyOnce(deps: VerifyDeps, input: VerifyInput): Promise<VerifyResult> {
  return decide(deps, input, await readPayment(deps, input));
}

/**
 * Verifies a payment already read from Iamport (reconciliation's `/payments/find` answer), so it
 * is not read twice. Never for a payment from anywhere else.
 */
export async function verifyReadPayment(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
): Promise<VerifyResult> {
  return observeVerification(deps.metrics, input.source, () =>
    decide(deps, { ...input, impUid: payment.imp_uid }, payment),
  );
}

async function decide(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
): Promise<VerifyResult> {
  const { db, log } = deps;
  const record = (fields: EventFields) => recordEvent(db, input, fields);

  if (!amountsConvertible(payment)) {
    // 64899.5 won is not an amount of money: an Iamport error, never silently 0 or rounded.
    await record({ payment, decision: "unconvertible_amount" });
    log("warn", "Iamport answered an amount its currency cannot have", {
      imp_uid: payment.imp_uid,
      currency: payment.currency,
    });
    throw new AppError(502, "iamport_error", "Iamport answered an amount that is not valid");
  }
  if (deps.refuseSandboxPayments && payment.sandbox === true) {
    await record({ payment, decision: "refused_sandbox_payment" });
    throw new AppError(400, "bad_request", "A sandbox payment cannot complete a real order");
  }

  // The common case in one statement: a payment in a status we know, on an allowed channel,
  // moves its order if the order has its amount and currency (the transition's WHERE checks
  // them). Anything else, a transition that did not happen included, is decided on the order.
  const moved = mayTransition(deps, payment) ? await transition(deps, input, payment) : undefined;
  const result = moved ?? (await decideOnOrder(deps, input, payment));

  // The cheap-for-expensive swap: the payment was applied to its own order above, but the
  // order the caller named gets nothing.
  if (input.merchantUid !== undefined && input.merchantUid !== payment.merchant_uid) {
    await record({ payment, decision: "order_mismatch" });
    log("warn", "payment named for another order", {
      source: input.source,
      imp_uid: payment.imp_uid,
      named: input.merchantUid,
      merchant_uid: payment.merchant_uid,
    });
    throw new AppError(400, "order_mismatch", "This payment belongs to another order");
  }
  return result;
}

async function readPayment(deps: VerifyDeps, input: VerifyInput): Promise<IamportPayment> {
  const record = (fields: EventFields) => recordEvent(deps.db, input, fields);
  try {
    if (input.impUid !== undefined) return await deps.iamport.getPayment(input.impUid);
    if (deps.iamport.findPayment === undefined) {
      throw new Error("verifying by merchant_uid needs an Iamport client with findPayment");
    }
    // The shopper's latest attempt (Iamport's default sorting, `-started`) is the one they
    // just came back from.
    return await deps.iamport.findPayment(input.merchantUid!);
  } catch (error) {
    if (error instanceof PaymentNotFoundError) {
      await record({ decision: "payment_not_found" });
      throw new AppError(404, "payment_not_found", "Iamport knows no such payment");
    }
    throw await iamportFailure(deps, input, error, record);
  }
}

/** Maps an Iamport failure to 502/503, after logging and recording it; the order is untouched. */
async function iamportFailure(
  deps: VerifyDeps,
  input: VerifyInput,
  error: unknown,
  record: (fields: EventFields) => Promise<void>,
): Promise<unknown> {
  if (error instanceof IamportUnavailableError) {
    deps.log("warn", "Iamport unavailable", {
      source: input.source,
      imp_uid: input.impUid,
      error: error.message,
    });
    await record({ decision: "iamport_unavailable", detail: error.message }).catch(() => {});
    return new AppError(503, "iamport_unavailable", "Iamport is unavailable; try again later");
  }
  if (error instanceof IamportError) {
    deps.log("warn", "Iamport error", {
      source: input.source,
      imp_uid: input.impUid,
      error: error.message,
    });
    await record({ decision: "iamport_error", detail: error.message }).catch(() => {});
    return new AppError(502, "iamport_error", "Iamport answered with an error");
  }
  return error;
}

function paymentMinor(amount: number, currency: string): number | null {
  return isCurrency(currency) ? fromIamportAmount(amount, currency) : null;
}

/**
 * In a currency we know, both amounts must be exact amounts of it and the refunded part no more
 * than the paid one. A currency we do not know cannot match any order: that is decided later.
 */
function amountsConvertible(payment: IamportPayment): boolean {
  if (!isCurrency(payment.currency)) return true;
  const amount = fromIamportAmount(payment.amount, payment.currency);
  const cancelled = fromIamportAmount(payment.cancel_amount, payment.currency);
  return amount !== null && cancelled !== null && cancelled <= amount;
}

type Mismatch = "amount" | "channel";

const mismatchReasons: Record<Mismatch, string> = {
  amount: "The paid amount or currency does not match the order",
  channel: "The payment was made on a PG channel that is not allowed (ALLOWED_PG)",
};

function mismatchOf(
  deps: VerifyDeps,
  payment: IamportPayment,
  order: OrderRow,
): Mismatch | undefined {
  const amountMatches =
    payment.currency === order.currency &&
    paymentMinor(payment.amount, payment.currency) === order.amount;
  if (!amountMatches) return "amount";
  return onAllowedChannel(deps, payment) ? undefined : "channel";
}

function onAllowedChannel(deps: VerifyDeps, payment: IamportPayment): boolean {
  const allowed = deps.allowedPg ?? [];
  // A payment that names no channel cannot be shown to be on an allowed one.
  return (
    allowed.length === 0 ||
    allowed.some(
      (channel) =>
        channel.provider === payment.pg_provider &&
        (channel.mid === undefined || channel.mid === payment.pg_id),
    )
  );
}

/** Whether the payment may move its order, provided the order has its amount and currency. */
function mayTransition(deps: VerifyDeps, payment: IamportPayment): boolean {
  return (
    isKnownPaymentStatus(payment.status) &&
    paymentMinor(payment.amount, payment.currency) !== null &&
    onAllowedChannel(deps, payment)
  );
}

/**
 * The order of a payment that did not move it: unknown (404), not matching it (a forgery), a
 * status we do not know, or a state the payment does not move it from (a repeat, or a second
 * payment for an order already paid).
 */
async function decideOnOrder(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
): Promise<VerifyResult> {
  const order = await selectOrder(deps.db, payment.merchant_uid);
  if (order === undefined) {
    await recordEvent(deps.db, input, { payment, decision: "unknown_order" });
    deps.log("warn", "payment for an order we do not know", {
      source: input.source,
      imp_uid: payment.imp_uid,
      merchant_uid: payment.merchant_uid,
    });
    throw new AppError(404, "order_not_found", "No such order");
  }
  const mismatch = mismatchOf(deps, payment, order);
  if (mismatch !== undefined) return handleForgery(deps, input, payment, order, mismatch);
  if (!isKnownPaymentStatus(payment.status)) {
    // A status Iamport added after this code: kept in the log, never acted on.
    await recordEvent(deps.db, input, { payment, decision: "unknown_status" });
    deps.log("warn", "payment in a status we do not know", {
      imp_uid: payment.imp_uid,
      status: payment.status,
    });
    return verdict(order);
  }
  const isDuplicate =
    order.impUid !== payment.imp_uid &&
    payment.status === "paid" &&
    payment.cancel_amount < payment.amount &&
    ["paid", "cancelled", "forged"].includes(order.status);
  if (isDuplicate) return refundDuplicate(deps, input, payment, order);
  return verdict(order);
}

/**
 * Applies the payment's status to its order in one statement (order-statements.ts), if the
 * order has the payment's amount and currency and its state allows it: the answer, or undefined
 * when nothing moved. The hook it owes is called after the answer (hook-outbox.ts).
 */
async function transition(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
): Promise<VerifyResult | undefined> {
  // Known and convertible (mayTransition, amountsConvertible), so never null here.
  const target = payment.status as TransitionTarget;
  const amount = paymentMinor(payment.amount, payment.currency) as number;
  const cancelMinor = paymentMinor(payment.cancel_amount, payment.currency) ?? 0;
  // A partial refund leaves the payment `paid` (UNCONFIRMED for every PG; the sandbox does so):
  // the order stays paid with cancel_amount grown. Only a full refund makes it cancelled.
  const hook = hookFor[target];

  const transitioned = await applyTransition(deps, {
    merchantUid: payment.merchant_uid,
    target,
    payment,
    amount,
    cancelMinor,
    ...(payment.status === "ready" ? { vbank: vbankOf(payment) } : {}),
    event: {
      source: input.source,
      impUid: payment.imp_uid,
      namedMerchantUid: input.merchantUid ?? null,
    },
    hook: hook === undefined ? null : owedHook(deps, hook),
    refundHook: owedHook(deps, "onCancelled"),
    leaseSecs: leaseSecs(deps),
  });
  if (transitioned === undefined) return undefined;

  const changed = transitioned.row;
  deps.log("info", "order updated", {
    source: input.source,
    merchant_uid: changed.merchantUid,
    imp_uid: payment.imp_uid,
    from: transitioned.from,
    to: changed.status,
    cancel_amount: changed.cancelAmount,
  });
  const owed = transitioned.hook as HookName | null;
  if (owed !== null) {
    const event = { order: toOrderView(changed), payment, source: input.source };
    await sendHook(deps, changed.merchantUid, transitioned.outboxId, owed, event as never);
  }
  return verdict(changed);
}

/**
 * Whether Iamport needs the shopper's bank account to refund this payment: a deposited virtual
 * account is refunded by bank transfer to an account the shopper names (refund_holder,
 * refund_bank, refund_account), which we do not have.
 */
function needsRefundAccount(payment: IamportPayment): boolean {
  return payment.pay_method === "vbank";
}

/** A refusal of Iamport's that asks for the refund account (a PG we did not expect to). */
function asksForRefundAccount(error: unknown): boolean {
  return (
    error instanceof IamportError &&
    !(error instanceof PaymentNotFoundError) &&
    /refund_(holder|bank|account)/.test(error.message)
  );
}

/** A second successful payment for an order already settled by another: refund it, once. */
async function refundDuplicate(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  order: OrderRow,
): Promise<VerifyResult> {
  if (needsRefundAccount(payment)) {
    await requireRefund(deps, input, payment, "duplicate", "a virtual account deposit");
    return { status: "duplicate", message: duplicateToRefund, order: toOrderView(order) };
  }
  const won = await claimPayment(deps.db, payment, "duplicate");
  if (won) {
    try {
      await deps.iamport.cancelPayment({
        imp_uid: payment.imp_uid,
        checksum: payment.amount - payment.cancel_amount,
        reason: "Duplicate payment: the order was already paid",
      });
      deps.metrics?.refund("duplicate", "ok");
    } catch (error) {
      deps.metrics?.refund("duplicate", "failed");
      if (asksForRefundAccount(error)) {
        await requireRefund(deps, input, payment, "duplicate", (error as Error).message);
        return { status: "duplicate", message: duplicateToRefund, order: toOrderView(order) };
      }
      // Let a later call (or Iamport's retry) try the refund again.
      await unclaimPayment(deps.db, payment, "duplicate");
      const record = (fields: EventFields) => recordEvent(deps.db, input, fields);
      throw await iamportFailure(deps, input, error, record);
    }
    const outboxId = await recordRefundedDuplicate(deps, {
      payment,
      call: callOf(input),
      hook: owedHook(deps, "onDuplicate"),
      leaseSecs: leaseSecs(deps),
    });
    deps.log("warn", "duplicate payment refunded", {
      merchant_uid: order.merchantUid,
      imp_uid: payment.imp_uid,
      kept: order.impUid,
    });
    await sendHook(deps, order.merchantUid, outboxId, "onDuplicate", {
      order: toOrderView(order),
      payment,
      source: input.source,
    });
  } else if (await refundIsRequired(deps.db, payment.imp_uid)) {
    return { status: "duplicate", message: duplicateToRefund, order: toOrderView(order) };
  }
  return { status: "duplicate", message: messages.duplicate, order: toOrderView(order) };
}

async function handleForgery(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  order: OrderRow,
  mismatch: Mismatch,
): Promise<VerifyResult> {
  const { db } = deps;
  // Only money that moved marks the order. An unpaid virtual account costs nothing to issue,
  // so anyone who learned the merchant_uid could otherwise spoil the order for the real
  // payment that follows; a later `paid` read of the same payment marks it then.
  const moved = payment.status === "paid";
  const marked = moved
    ? await markForged(deps.db, {
        merchantUid: order.merchantUid,
        payment,
        reason: mismatchReasons[mismatch],
        call: callOf(input),
        detail: mismatch,
      })
    : undefined;
  if (!moved) {
    await recordEvent(db, input, { payment, decision: "mismatch_not_live", detail: mismatch });
  }

  let cancelled = false;
  const refundable = moved && payment.cancel_amount < payment.amount;
  if (deps.cancelForged && refundable && needsRefundAccount(payment)) {
    await requireRefund(deps, input, payment, "forgery", "a virtual account deposit");
  } else if (
    deps.cancelForged &&
    refundable &&
    (await claimPayment(db, payment, "forgery_cancel"))
  ) {
    try {
      await deps.iamport.cancelPayment({
        imp_uid: payment.imp_uid,
        checksum: payment.amount - payment.cancel_amount,
        reason: `Forgery: ${mismatchReasons[mismatch]}`,
      });
      cancelled = true;
      deps.metrics?.refund("forgery", "ok");
      await recordEvent(db, input, { payment, decision: "forgery_cancelled" });
    } catch (error) {
      deps.metrics?.refund("forgery", "failed");
      if (asksForRefundAccount(error)) {
        await requireRefund(deps, input, payment, "forgery", (error as Error).message);
      } else {
        // The verdict stands; the next call for this payment retries the cancel.
        await unclaimPayment(db, payment, "forgery_cancel");
        deps.log("error", "could not cancel a forged payment", {
          imp_uid: payment.imp_uid,
          error: (error as Error).message,
        });
        await recordEvent(db, input, {
          payment,
          decision: "forgery_cancel_failed",
          detail: (error as Error).message,
        });
      }
    }
  }

  const current = marked ?? (await selectOrder(deps.db, order.merchantUid)) ?? order;
  const forgery = moved
    ? await claimForgery(deps, {
        payment,
        cancelled,
        call: callOf(input),
        hook: owedHook(deps, "onForgery"),
        leaseSecs: leaseSecs(deps),
      })
    : undefined;
  if (forgery) {
    deps.log("warn", "forged payment", {
      source: input.source,
      merchant_uid: order.merchantUid,
      imp_uid: payment.imp_uid,
      mismatch,
      cancelled,
    });
    await sendHook(deps, order.merchantUid, forgery.outboxId, "onForgery", {
      order: toOrderView(current),
      payment,
      source: input.source,
      cancelled,
    });
  }
  return { status: "forgery", message: messages.forgery, order: toOrderView(current) };
}

function verdict(row: OrderRow): VerifyResult {
  const status = completeStatusOf(row);
  return { status, message: messages[status], order: toOrderView(row) };
}

function vbankOf(payment: IamportPayment): StoredVbank | null {
  if (!payment.vbank_num) return null;
  const due = payment.vbank_date ?? 0;
  return {
    bank_code: payment.vbank_code ?? null,
    bank_name: payment.vbank_name ?? null,
    number: payment.vbank_num,
    holder: payment.vbank_holder ?? null,
    due: due > 0 ? new Date(due * 1000).toISOString() : null,
  };
}

const hookFor: Partial<Record<TransitionTarget, "onPaid" | "onVbankIssued" | "onCancelled">> = {
  paid: "onPaid",
  ready: "onVbankIssued",
  cancelled: "onCancelled",
};

/**
 * A payment we must refund but cannot without the shopper's bank account: stored in
 * refunds_required (once), shown in the order's events, and onRefundRequired owed and called.
 * The caller answers normally: a retry could not succeed, so no 5xx invites one.
 */
async function requireRefund(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  kind: "forgery" | "duplicate",
  reason: string,
): Promise<void> {
  const amount = paymentMinor(payment.amount - payment.cancel_amount, payment.currency);
  const stored = await insertRefundRequired(deps, {
    payment,
    kind,
    amount,
    reason,
    call: callOf(input),
    hook: owedHook(deps, "onRefundRequired"),
    leaseSecs: leaseSecs(deps),
  });
  if (stored === undefined) return;
  deps.log("warn", "payment must be refunded to the shopper's account", {
    kind,
    merchant_uid: payment.merchant_uid,
    imp_uid: payment.imp_uid,
  });
  if (stored.order === undefined) return;
  await sendHook(deps, payment.merchant_uid, stored.outboxId, "onRefundRequired", {
    order: toOrderView(stored.order),
    payment,
    source: input.source,
    kind,
    amount,
    currency: payment.currency,
  });
}

const callOf = (input: VerifyInput): VerifyCall => ({
  source: input.source,
  impUid: input.impUid,
  namedMerchantUid: input.merchantUid ?? null,
});

interface EventFields {
  payment?: IamportPayment;
  decision: Decision;
  detail?: string;
}

function recordEvent(db: Db, input: VerifyInput, fields: EventFields): Promise<void> {
  return insertEvent(db, callOf(input), fields);
}
