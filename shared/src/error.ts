import { z } from "zod";

/**
 * The codes our server answers with in `{ status: "error", code, message }`. Clients branch on
 * `code`, never on `message` (which is for humans and may change).
 */
export const errorCodes = [
  "bad_request", // body, query or header failed validation
  "unsupported_media_type",
  "payload_too_large",
  "not_found", // route or resource does not exist
  "order_not_found",
  "unknown_sku",
  "order_rejected", // the catalog or priceOrder refused the cart
  "order_mismatch", // the payment belongs to another order than the one named
  "payment_not_found", // Iamport knows no such payment
  "iamport_error", // Iamport answered an error (502)
  "iamport_unavailable", // Iamport timed out or could not be reached (503)
  "timeout", // the request did not finish within the server's deadline (504): retry it
  "not_ready", // /readyz: the database or Iamport cannot be reached (503)
  "unauthorized", // the admin API's token is missing or wrong
  "not_refundable", // the order has nothing paid to refund
  "refund_exceeds_refundable", // more than what is left to refund
  "refund_account_required", // a virtual-account refund needs the shopper's bank account
  "refund_in_progress", // another refund of the order (or with the key) is under way
  "refund_refused", // Iamport refused the refund (e.g. its checksum: refunded elsewhere; sync)
  "idempotency_key_reused", // the Idempotency-Key was used for another request
  "internal", // anything unexpected; never carries internals
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const ErrorBody = z.object({
  status: z.literal("error"),
  code: z.string().min(1),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
