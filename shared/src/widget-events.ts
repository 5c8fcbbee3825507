/**
 * The `detail` of each DOM event `<iamport-pay-button>` fires. Types only: the widget imports
 * them with `import type`, so nothing here reaches its bundle.
 */
import type { OrderView, VbankInfo } from "./order.js";

/** `iamport-pay-start`: the server priced the cart and the payment window is about to open. */
export interface PayStartDetail {
  merchant_uid: string;
  /** Integer minor units, as the server set it. */
  amount: number;
  currency: string;
  name: string;
}

/** `iamport-pay-success`: the server verified the payment as paid. */
export interface PaySuccessDetail {
  merchant_uid: string;
  imp_uid: string;
  order: OrderView;
}

/** `iamport-pay-vbank-issued`: a virtual account was issued and waits for the shopper's deposit. */
export interface PayVbankIssuedDetail {
  merchant_uid: string;
  imp_uid: string;
  order: OrderView;
  vbank: VbankInfo;
}

/**
 * Why a payment did not go through:
 * - `shopper_cancelled`: the shopper closed the payment window;
 * - `pg_declined`: the PG (card company, bank) refused the payment;
 * - `forgery`: the server found the paid amount or currency did not match the order;
 * - `order_rejected`: the server refused the cart (unknown product, bad quantity: a 4xx);
 * - `server_error`: the server answered 5xx or something it should not have;
 * - `network_error`: the server could not be reached;
 * - `sdk_load_failed`: Iamport's browser SDK could not be loaded;
 * - `payment_failed`: the server's verdict was failed, cancelled or a duplicate refunded;
 * - `payment_unconfirmed`: Iamport approved (or a redirect came back) but the server gave no
 *   verdict within the confirmation bound: the payment may have gone through, do not pay again;
 * - `origin_not_allowed`: the server refuses pages on this origin (ALLOWED_ORIGINS).
 */
export type PayFailureCode =
  | "shopper_cancelled"
  | "pg_declined"
  | "forgery"
  | "order_rejected"
  | "server_error"
  | "network_error"
  | "sdk_load_failed"
  | "payment_failed"
  | "payment_unconfirmed"
  | "origin_not_allowed";

/** `iamport-pay-failure`. */
export interface PayFailureDetail {
  code: PayFailureCode;
  /** For the shopper, in the element's language. */
  message: string;
  merchant_uid?: string;
  imp_uid?: string;
}
