/**
 * A refund from the shop's staff (admin API, console, command line), full or partial, of the
 * order's own payment or of another payment seen for it (a forged or duplicate deposit).
 *
 * Order of work, each step for a reason:
 * 1. lease the order (order-lock.ts): two refunds of one order never overlap, across processes;
 * 2. work out what the server believes is refundable, from the database, not from Iamport;
 * 3. cancel through Iamport with `checksum` = that belief: had someone refunded in between (in
 *    Iamport's console, another server), Iamport refuses instead of refunding twice, and a retry
 *    after a timeout cannot refund twice either;
 * 4. record the result through the one verify function (source `admin`), which re-reads the
 *    payment and applies it in one transition, so `onCancelled` fires once per refund however it
 *    was made (here, a webhook about the same refund, or a later sync).
 */
import {
  type AdminOrder,
  type AdminRefundRequest,
  type Currency,
  fromIamportAmount,
  isCurrency,
  toIamportAmount,
} from "@iamport-pay/shared";
import type { Db } from "../db/open.js";
import { paymentEvents } from "../db/schema.js";
import { AppError } from "../errors.js";
import { IamportError, IamportUnavailableError } from "../iamport-client.js";
import { selectOrder } from "../order-statements.js";
import { type VerifyDeps, verifyPayment } from "../verify.js";
import { refundableOf, toAdminOrder } from "./admin-order.js";
import { leaseOrder } from "./order-lock.js";
import { lastSeenPayment } from "./order-queries.js";
import { resolveRefundRequired } from "./refunds-required.js";

export interface RefundDeps {
  verify: VerifyDeps;
  /** How long a refund may hold its order (default 2 minutes: several Iamport calls' timeouts). */
  leaseMs?: number;
  /** Counts each cancel asked of Iamport: `ok` once it confirmed, `failed` otherwise (metrics). */
  countRefund?(outcome: "ok" | "failed"): void;
}

export const DEFAULT_REFUND_LEASE_MS = 120_000;

interface Target {
  impUid: string;
  currency: Currency;
  /** Minor units the server believes are still refundable. */
  refundable: number;
  payMethod: string | null;
}

export async function refundOrder(
  deps: RefundDeps,
  merchantUid: string,
  request: AdminRefundRequest,
): Promise<{ order: AdminOrder }> {
  const { db, log } = deps.verify;
  if ((await selectOrder(db, merchantUid)) === undefined) {
    throw new AppError(404, "order_not_found", "No such order");
  }
  const lease = await leaseOrder(db, merchantUid, deps.leaseMs ?? DEFAULT_REFUND_LEASE_MS);
  if (lease === undefined) {
    throw new AppError(409, "refund_in_progress", "Another refund of this order is under way");
  }
  try {
    const target = await targetOf(db, merchantUid, request.imp_uid);
    const amount = request.amount ?? target.refundable;
    if (amount > target.refundable) {
      throw new AppError(
        409,
        "refund_exceeds_refundable",
        `At most ${target.refundable} (${target.currency} minor units) can be refunded`,
      );
    }
    const account = [request.refund_holder, request.refund_bank, request.refund_account];
    if (target.payMethod === "vbank" && account.some((field) => field === undefined)) {
      throw new AppError(
        422,
        "refund_account_required",
        "A virtual-account payment is refunded to the shopper's bank account: give refund_holder, refund_bank and refund_account",
      );
    }

    const record = (decision: string, detail: string) =>
      db.drizzle.insert(paymentEvents).values({
        source: "admin",
        impUid: target.impUid,
        merchantUid,
        namedMerchantUid: merchantUid,
        decision,
        detail,
      });
    try {
      await deps.verify.iamport.cancelPayment({
        imp_uid: target.impUid,
        amount: toIamportAmount(amount, target.currency),
        checksum: toIamportAmount(target.refundable, target.currency),
        reason: request.reason,
        ...(request.refund_holder ? { refund_holder: request.refund_holder } : {}),
        ...(request.refund_bank ? { refund_bank: request.refund_bank } : {}),
        ...(request.refund_account ? { refund_account: request.refund_account } : {}),
      });
    } catch (error) {
      deps.countRefund?.("failed");
      const message = error instanceof Error ? error.message : String(error);
      log("warn", "admin refund failed", {
        merchant_uid: merchantUid,
        imp_uid: target.impUid,
        error: message,
      });
      if (error instanceof IamportUnavailableError) {
        await record("refund_unavailable", message).catch(() => {});
        throw new AppError(
          503,
          "iamport_unavailable",
          "Iamport is unavailable; nothing was refunded for sure: retry (safe: the refund carries a checksum)",
        );
      }
      if (error instanceof IamportError) {
        await record("refund_refused", message).catch(() => {});
        throw new AppError(
          409,
          "refund_refused",
          `Iamport refused the refund (${message}). If it was refunded elsewhere, sync the order first.`,
        );
      }
      throw error;
    }
    log("info", "admin refund made", {
      merchant_uid: merchantUid,
      imp_uid: target.impUid,
      amount,
      currency: target.currency,
    });
    deps.countRefund?.("ok");
    if (amount === target.refundable) {
      await resolveRefundRequired(
        db,
        target.impUid,
        `refunded ${amount} (${target.currency} minor units) through the admin API: ${request.reason}`,
      ).catch(() => {});
    }

    try {
      await verifyPayment(deps.verify, { source: "admin", impUid: target.impUid, merchantUid });
    } catch (error) {
      // The money went back; only our record lags. A sync (or Iamport's webhook) completes it,
      // and a retry of this request is refused by its checksum rather than refunding again.
      log("error", "admin refund made but not recorded", {
        merchant_uid: merchantUid,
        imp_uid: target.impUid,
        error: error instanceof Error ? error.message : String(error),
      });
      throw new AppError(
        502,
        "iamport_error",
        "The refund was made but could not be recorded yet: sync the order",
      );
    }
    const row = await selectOrder(db, merchantUid);
    if (row === undefined) throw new AppError(404, "order_not_found", "No such order");
    return { order: toAdminOrder(row) };
  } finally {
    await lease.release();
  }
}

async function targetOf(db: Db, merchantUid: string, impUid: string | undefined): Promise<Target> {
  const order = await selectOrder(db, merchantUid);
  if (order === undefined) throw new AppError(404, "order_not_found", "No such order");
  const own = impUid === undefined || impUid === order.impUid;
  // A forged order's payment is not the order's money: it is refunded as the payment it is.
  if (own && order.status !== "forged") {
    const refundable = refundableOf(order);
    if (order.impUid === null || refundable === 0 || !isCurrency(order.currency)) {
      throw new AppError(409, "not_refundable", "The order has nothing paid left to refund");
    }
    return {
      impUid: order.impUid,
      currency: order.currency,
      refundable,
      payMethod: order.payMethod,
    };
  }
  // Another payment for this order: only one Iamport told us belongs to it.
  const paymentUid = impUid ?? order.impUid;
  const payment = paymentUid === null ? undefined : await lastSeenPayment(db, paymentUid);
  if (payment === undefined || payment.merchant_uid !== merchantUid) {
    throw new AppError(
      404,
      "payment_not_found",
      "No payment with that imp_uid was seen for this order",
    );
  }
  const currency = payment.currency;
  const refundable =
    payment.status === "paid" && isCurrency(currency)
      ? fromIamportAmount(payment.amount - payment.cancel_amount, currency)
      : null;
  if (refundable === null || refundable <= 0 || !isCurrency(currency)) {
    throw new AppError(409, "not_refundable", "That payment has nothing paid left to refund");
  }
  return {
    impUid: payment.imp_uid,
    currency,
    refundable,
    payMethod: payment.pay_method ?? null,
  };
}
