/**
 * Sync: re-read every payment seen for an order from Iamport and apply each through the one
 * verify function (source `admin`). Catches what no webhook told us: a refund made in Iamport's
 * console or API, a deposit, a payment we never heard of (Iamport's latest for the order).
 */
import type { AdminSyncResponse } from "@iamport-pay/shared";
import { AppError } from "../errors.js";
import { PaymentNotFoundError } from "../iamport-client.js";
import { selectOrder } from "../order-statements.js";
import { type VerifyDeps, verifyPayment } from "../verify.js";
import { toAdminOrder } from "./admin-order.js";
import { lastSeenPayment, selectOrderEvents } from "./order-queries.js";
import { resolveRefundRequired } from "./refunds-required.js";

export interface SyncDeps {
  verify: VerifyDeps;
}

export async function syncOrder(deps: SyncDeps, merchantUid: string): Promise<AdminSyncResponse> {
  const { db, iamport } = deps.verify;
  const order = await selectOrder(db, merchantUid);
  if (order === undefined) throw new AppError(404, "order_not_found", "No such order");

  const impUids = new Set<string>();
  if (order.impUid) impUids.add(order.impUid);
  for (const event of await selectOrderEvents(db, merchantUid)) {
    // Only payments Iamport said are this order's: verify refuses a payment of another order.
    if (event.merchantUid === merchantUid) impUids.add(event.impUid);
  }
  // Payments waiting in refunds_required (their events may name them for this order too).
  for (const row of await db.query(
    "select imp_uid from refunds_required where merchant_uid = $1::text and resolved_at is null",
    [merchantUid],
  )) {
    impUids.add(String(row.imp_uid));
  }
  if (iamport.findPayment) {
    try {
      impUids.add((await iamport.findPayment(merchantUid)).imp_uid);
    } catch (error) {
      // No payment yet is an answer; an outage shows again in the reads below, or here alone.
      if (!(error instanceof PaymentNotFoundError) && impUids.size === 0) {
        throw new AppError(503, "iamport_unavailable", "Iamport is unavailable; try again later");
      }
    }
  }

  const payments: AdminSyncResponse["payments"] = [];
  let firstFailure: AppError | undefined;
  for (const impUid of impUids) {
    try {
      const result = await verifyPayment(deps.verify, { source: "admin", impUid, merchantUid });
      payments.push({ imp_uid: impUid, status: result.status, error: null });
      // Refunded elsewhere (Iamport's console): nothing is owed any more.
      if ((await lastSeenPayment(db, impUid))?.status === "cancelled") {
        await resolveRefundRequired(
          db,
          impUid,
          "fully refunded outside this server (found by sync)",
        );
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      firstFailure ??= error;
      payments.push({ imp_uid: impUid, status: null, error: error.code });
    }
  }
  // Nothing could be read: say so with verify's own status (502/503) rather than a stale 200.
  if (firstFailure && payments.every((p) => p.error !== null)) throw firstFailure;

  const current = (await selectOrder(db, merchantUid)) ?? order;
  return { order: toAdminOrder(current), payments };
}
