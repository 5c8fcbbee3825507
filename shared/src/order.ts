/**
 * Our server's HTTP API (server/README.md, "HTTP API"). Amounts are integers in the currency's
 * minor unit (see money.ts) and are always set by the server, never by the browser.
 */
import { z } from "zod";

/** A cart line may not ask for more than this many of one product. */
export const MAX_QUANTITY = 999;
/** A cart may not have more lines than this. */
export const MAX_ITEMS = 50;

const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' or '-'");
const Currency = z.string().regex(/^[A-Z]{3}$/, "a 3-letter ISO 4217 code");
/** Integer minor units, e.g. 64900 for 64,900 won. */
const Amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const PayMethod = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z_]+$/);

export const CartItem = z.object({
  sku: Sku,
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
});
export type CartItem = z.infer<typeof CartItem>;

export const Buyer = z.object({
  name: z.string().max(100).optional(),
  email: z.email().max(254).optional(),
  tel: z
    .string()
    .max(30)
    .regex(/^[0-9+\-() ]*$/, "digits, spaces, '+', '-', '(' or ')'")
    .optional(),
  addr: z.string().max(300).optional(),
  postcode: z.string().max(20).optional(),
});
export type Buyer = z.infer<typeof Buyer>;

export const CreateOrderRequest = z.object({
  items: z.array(CartItem).min(1).max(MAX_ITEMS),
  buyer: Buyer.optional(),
  /** Which PG contract to use (`html5_inicis`, or `provider.mid`). */
  pg: z.string().max(64).optional(),
  pay_method: PayMethod.optional(),
});
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

/** `expired`: a virtual account whose deposit deadline passed with no deposit (reconciliation). */
export const OrderStatus = z.enum([
  "pending",
  "ready",
  "paid",
  "failed",
  "cancelled",
  "forged",
  "expired",
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const CreateOrderResponse = z.object({
  merchant_uid: z.string().min(1),
  name: z.string(),
  amount: Amount,
  currency: Currency,
  status: z.literal("pending"),
});
export type CreateOrderResponse = z.infer<typeof CreateOrderResponse>;

/** A virtual account issued for an order, as the shopper must see it to pay. */
export const VbankInfo = z.object({
  bank_code: z.string().nullable(),
  bank_name: z.string().nullable(),
  number: z.string(),
  holder: z.string().nullable(),
  /** Deposit deadline, ISO 8601; null when the PG gave none. */
  due: z.iso.datetime().nullable(),
});
export type VbankInfo = z.infer<typeof VbankInfo>;

/**
 * What anyone holding a `merchant_uid` may read (`GET /orders/:merchant_uid`): no buyer PII.
 * `merchant_uid` is unguessable, so it is the capability to read this.
 */
export const OrderView = z.object({
  merchant_uid: z.string().min(1),
  status: OrderStatus,
  name: z.string(),
  amount: Amount,
  currency: Currency,
  /**
   * Refunded so far (minor units); a partial refund leaves it between 0 and `amount` with the
   * order still `paid`; a full one makes the order `cancelled`.
   */
  cancel_amount: Amount,
  imp_uid: z.string().nullable(),
  pay_method: z.string().nullable(),
  /** ISO 8601, when Iamport reported the payment paid. */
  paid_at: z.iso.datetime().nullable(),
  vbank: VbankInfo.nullable(),
  /** Why the payment failed or was cancelled, as Iamport said it. */
  reason: z.string().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type OrderView = z.infer<typeof OrderView>;

export const CompleteRequest = z.object({
  imp_uid: z.string().min(1).max(200),
  merchant_uid: z.string().min(1).max(200),
});
export type CompleteRequest = z.infer<typeof CompleteRequest>;

/**
 * The verdict of `/payments/complete` (names from Iamport's own guide): `success` paid (a
 * partial refund keeps it: the order's `cancel_amount` says how much went back), `vbankIssued`
 * virtual account waiting for a deposit, `pending` not paid yet, `failed`, `cancelled` (fully
 * refunded), `forgery` (amount, currency or PG channel did not match: the payment was cancelled,
 * or is to be refunded to the shopper's account when it was a virtual account deposit),
 * `duplicate` (a second payment for a paid order: refunded, or to be refunded likewise).
 */
export const CompleteStatus = z.enum([
  "success",
  "vbankIssued",
  "pending",
  "failed",
  "cancelled",
  "forgery",
  "duplicate",
]);
export type CompleteStatus = z.infer<typeof CompleteStatus>;

export const CompleteResponse = z.object({
  status: CompleteStatus,
  message: z.string(),
  order: OrderView,
});
export type CompleteResponse = z.infer<typeof CompleteResponse>;

/** `POST /iamport-webhook`: Iamport's notification, re-exported under our API's name. */
export { IamportWebhook as WebhookBody } from "./iamport.js";

const BooleanString = z.enum(["true", "false"]);

/**
 * `GET /payments/complete/mobile`: what Iamport appends to `m_redirect_url`, plus our `return`.
 * Some PGs send `success` instead of `imp_success`, KG Inicis bank transfer sends neither, and
 * none of them is trusted: the payment is re-read.
 */
export const MobileReturnQuery = z.object({
  imp_uid: z.string().min(1).max(200).optional(),
  merchant_uid: z.string().min(1).max(200),
  imp_success: BooleanString.optional(),
  success: BooleanString.optional(),
  error_code: z.string().max(200).optional(),
  error_msg: z.string().max(2000).optional(),
  /** The page to send the shopper back to; only an allowed origin is followed. */
  return: z.string().max(2000).optional(),
});
export type MobileReturnQuery = z.infer<typeof MobileReturnQuery>;

/** `GET /config`: what a widget needs to start; never a secret. */
export const ConfigResponse = z.object({
  impCode: z.string().regex(/^imp\d{8}$/, "imp followed by 8 digits"),
  sdkUrl: z.url(),
  pg: z.string().optional(),
  payMethods: z.array(PayMethod).optional(),
  /** True when payments go to the built-in sandbox rather than Iamport. */
  sandbox: z.boolean().optional(),
});
export type ConfigResponse = z.infer<typeof ConfigResponse>;

/** A catalog entry (`CATALOG` file). */
export const Product = z.object({
  sku: Sku,
  name: z.string().min(1).max(200),
  amount: Amount.refine((n) => n > 0, "a positive amount"),
  currency: Currency.default("KRW"),
});
export type Product = z.infer<typeof Product>;
export const Catalog = z.array(Product).min(1);
