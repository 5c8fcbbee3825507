/** The staff's view of an order (shared's AdminOrder): the public view plus what support needs. */
import type { AdminOrder } from "@iamport-pay/shared";
import type { OrderRow } from "../db/schema.js";
import { toOrderView } from "../order-view.js";

/**
 * What a refund of the order's own payment may still return, in minor units. A partly refunded
 * order may be `paid` (its status kept) or `cancelled` with money left (older records).
 */
export function refundableOf(row: OrderRow): number {
  if (row.status !== "paid" && row.status !== "cancelled") return 0;
  return Math.max(0, row.amount - row.cancelAmount);
}

export function toAdminOrder(row: OrderRow): AdminOrder {
  return {
    ...toOrderView(row),
    refundable_amount: refundableOf(row),
    pg: row.pg,
    buyer: {
      name: row.buyerName,
      email: row.buyerEmail,
      tel: row.buyerTel,
      addr: row.buyerAddr,
      postcode: row.buyerPostcode,
    },
    items: row.items,
  };
}
