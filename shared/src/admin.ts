/**
 * The admin API (`/admin`, behind ADMIN_TOKEN): what the console and the command line send and
 * read. Amounts are integers in the currency's minor unit, as everywhere in our API.
 */
import { z } from "zod";
import { OrderStatus, OrderView } from "./order.js";

const Amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** An order as the shop's staff see it: the public view plus buyer, refund and PG details. */
export const AdminOrder = OrderView.extend({
  /** What a refund may still return (minor units); 0 when nothing paid is left. */
  refundable_amount: Amount,
  pg: z.string().nullable(),
  buyer: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    tel: z.string().nullable(),
    addr: z.string().nullable(),
    postcode: z.string().nullable(),
  }),
  items: z.array(
    z.object({ sku: z.string(), name: z.string(), quantity: z.number(), amount: z.number() }),
  ),
});
export type AdminOrder = z.infer<typeof AdminOrder>;

export const AdminOrderList = z.object({
  orders: z.array(AdminOrder),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type AdminOrderList = z.infer<typeof AdminOrderList>;

/** One Iamport payment seen for an order, as last read from Iamport (amounts in minor units). */
export const AdminPayment = z.object({
  imp_uid: z.string(),
  /** True for the payment the order is settled by. */
  is_order_payment: z.boolean(),
  status: z.string(),
  amount: z.number().nullable(),
  cancel_amount: z.number().nullable(),
  currency: z.string(),
  pay_method: z.string().nullable(),
  pg_provider: z.string().nullable(),
  paid_at: z.iso.datetime().nullable(),
  cancelled_at: z.iso.datetime().nullable(),
  vbank_name: z.string().nullable(),
  vbank_num: z.string().nullable(),
  receipt_url: z.string().nullable(),
  /** When our server last read it. */
  seen_at: z.iso.datetime(),
});
export type AdminPayment = z.infer<typeof AdminPayment>;

/** One row of the order's `payment_events` log: every verify call and what we decided. */
export const AdminEvent = z.object({
  id: z.number(),
  source: z.string(),
  imp_uid: z.string(),
  iamport_status: z.string().nullable(),
  decision: z.string(),
  detail: z.string().nullable(),
  created_at: z.iso.datetime(),
});
export type AdminEvent = z.infer<typeof AdminEvent>;

export const AdminOrderDetail = z.object({
  order: AdminOrder,
  payments: z.array(AdminPayment),
  events: z.array(AdminEvent),
});
export type AdminOrderDetail = z.infer<typeof AdminOrderDetail>;

export const AdminOrderQuery = z.strictObject({
  /** One status or a comma list (`paid,cancelled`). */
  status: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return undefined;
      const list = value.split(",").map((s) => s.trim());
      for (const s of list) {
        if (!OrderStatus.safeParse(s).success) {
          ctx.addIssue({ code: "custom", message: `"${s}" is not an order status` });
          return z.NEVER;
        }
      }
      return list as OrderStatus[];
    }),
  /**
   * The start of a merchant_uid, buyer e-mail or name (letters in any case), an exact imp_uid,
   * or a phone number's last digits (4 or more): docs/admin.md.
   */
  q: z.string().max(200).optional(),
  created_from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  created_to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type AdminOrderQuery = z.infer<typeof AdminOrderQuery>;

const AccountText = z.string().trim().min(1).max(100);

export const AdminRefundRequest = z.strictObject({
  /** Minor units; absent = everything still refundable. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  reason: z.string().trim().min(1).max(200),
  /** Refund this payment of the order (a forged or duplicate deposit) instead of its own. */
  imp_uid: z.string().min(1).max(200).optional(),
  /** A virtual-account refund goes to the shopper's bank account: all three are needed. */
  refund_holder: AccountText.optional(),
  /** The bank's code (Iamport's bank codes, e.g. "004"). */
  refund_bank: AccountText.optional(),
  refund_account: z
    .string()
    .trim()
    .regex(/^[0-9-]{4,40}$/, "digits and '-'")
    .optional(),
});
export type AdminRefundRequest = z.infer<typeof AdminRefundRequest>;

export const AdminSyncResponse = z.object({
  order: AdminOrder,
  /** Each payment re-read, with what verify decided or why it could not. */
  payments: z.array(
    z.object({ imp_uid: z.string(), status: z.string().nullable(), error: z.string().nullable() }),
  ),
});
export type AdminSyncResponse = z.infer<typeof AdminSyncResponse>;
