/**
 * Iamport (PortOne V1) REST API messages, as docs/iamport-notes.md and Iamport's OpenAPI
 * document describe them. Iamport's conventions are kept as they are: unix-second timestamps
 * where 0 means "unset" (never null), nullable strings, amounts in major units (see money.ts).
 */
import { z } from "zod";

/** Unix seconds; Iamport writes 0 for "not happened". */
export const UnixSeconds = z.number().int().nonnegative();
const nullableString = z.string().nullable();

export const PaymentStatus = z.enum(["ready", "paid", "cancelled", "failed"]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** Every Iamport answer: `code` 0 with `message` null on success, otherwise `response` null. */
export function iamportEnvelope<T extends z.ZodType>(response: T) {
  return z.object({
    code: z.number().int(),
    message: nullableString,
    response: response.nullable(),
  });
}
export type IamportEnvelope<T> = { code: number; message: string | null; response: T | null };

export const TokenRequest = z.object({
  imp_key: z.string().min(1),
  imp_secret: z.string().min(1),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

export const Token = z.object({
  access_token: z.string().min(1),
  now: UnixSeconds,
  expired_at: UnixSeconds,
});
export type Token = z.infer<typeof Token>;

export const CancelHistoryEntry = z.object({
  pg_tid: nullableString,
  amount: z.number().nonnegative(),
  cancelled_at: UnixSeconds,
  reason: nullableString,
  receipt_url: nullableString,
  // Newer answers carry it (2023+); older payments may not.
  cancellation_id: nullableString.optional(),
});
export type CancelHistoryEntry = z.infer<typeof CancelHistoryEntry>;

/**
 * The Payment object in its full, current shape: every field the OpenAPI document lists. Only
 * for answers we produce (the sandbox); the server reads Iamport with `IamportPayment` below,
 * because real answers of earlier years lack fields this schema requires.
 */
export const Payment = z.object({
  imp_uid: z.string().min(1),
  merchant_uid: z.string().min(1),
  pay_method: nullableString,
  channel: z.enum(["pc", "mobile", "api"]).nullable(),
  pg_provider: nullableString,
  emb_pg_provider: nullableString,
  pg_tid: nullableString,
  pg_id: nullableString,
  escrow: z.boolean(),
  apply_num: nullableString,
  bank_code: nullableString,
  bank_name: nullableString,
  card_code: nullableString,
  card_name: nullableString,
  card_issuer_code: nullableString.optional(),
  card_issuer_name: nullableString.optional(),
  card_publisher_code: nullableString.optional(),
  card_publisher_name: nullableString.optional(),
  card_quota: z.number().int().nonnegative(),
  card_number: nullableString,
  // 0 credit, 1 debit (OpenAPI: integer); null when not a card payment.
  card_type: z.number().int().nullable(),
  vbank_code: nullableString,
  vbank_name: nullableString,
  vbank_num: nullableString,
  vbank_holder: nullableString,
  vbank_date: UnixSeconds,
  vbank_issued_at: UnixSeconds,
  name: nullableString,
  amount: z.number().nonnegative(),
  cancel_amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, "a 3-letter ISO 4217 code"),
  buyer_name: nullableString,
  buyer_email: nullableString,
  buyer_tel: nullableString,
  buyer_addr: nullableString,
  buyer_postcode: nullableString,
  custom_data: nullableString,
  user_agent: nullableString,
  status: PaymentStatus,
  started_at: UnixSeconds,
  paid_at: UnixSeconds,
  failed_at: UnixSeconds,
  cancelled_at: UnixSeconds,
  fail_reason: nullableString,
  cancel_reason: nullableString,
  receipt_url: nullableString,
  cancel_history: z.array(CancelHistoryEntry),
  cancel_receipt_urls: z.array(z.string()),
  cash_receipt_issued: z.boolean(),
  customer_uid: nullableString,
  customer_uid_usage: nullableString,
  // Required by the OpenAPI document since 2026-01; a production server must refuse `true`.
  sandbox: z.boolean().optional(),
  deposit_history: z.array(z.unknown()).optional(),
  promotion: z.unknown().optional(),
});
export type Payment = z.infer<typeof Payment>;

// Display-only fields: a value of an unexpected type is dropped to null rather than refusing
// a payment whose money is right (nothing is decided on them).
const shown = z.string().nullish().catch(null);
const shownSeconds = z.number().nullish().catch(null);

/**
 * A Payment as the server reads it from Iamport (tolerant reader). Strictly required: what a
 * verify decision needs, `imp_uid`, `merchant_uid`, `amount`, `cancel_amount`, `currency` and
 * `status` (a missing or malformed one is an Iamport error). Everything else is optional and
 * nullable; unknown fields are kept as they came. `status` may be a value Iamport adds later:
 * it is recorded and never pays an order. An absent `sandbox` means a live payment (answers
 * from before 2026 lack the flag).
 */
export const IamportPayment = z.looseObject({
  imp_uid: z.string().min(1),
  merchant_uid: z.string().min(1),
  amount: z.number().nonnegative().finite(),
  cancel_amount: z.number().nonnegative().finite(),
  currency: z.string().min(1),
  status: z.string().min(1) as z.ZodType<PaymentStatus | (string & {})>,
  // Decided on (test channels, ALLOWED_PG): null or absent is fine, a wrong type is not.
  sandbox: z.boolean().nullish(),
  pg_provider: z.string().nullish(),
  pg_id: z.string().nullish(),
  pay_method: shown,
  emb_pg_provider: shown,
  pg_tid: shown,
  name: shown,
  vbank_code: shown,
  vbank_name: shown,
  vbank_num: shown,
  vbank_holder: shown,
  vbank_date: shownSeconds,
  paid_at: shownSeconds,
  failed_at: shownSeconds,
  cancelled_at: shownSeconds,
  fail_reason: shown,
  cancel_reason: shown,
  receipt_url: shown,
});
export type IamportPayment = z.infer<typeof IamportPayment>;

/** The statuses that Iamport documents; anything else is recorded and never pays. */
export function isKnownPaymentStatus(status: string): status is PaymentStatus {
  return PaymentStatus.safeParse(status).success;
}

/** `POST /payments/cancel`'s fields; the sandbox extends them with what Iamport also accepts. */
export const CancelRequestFields = z.object({
  imp_uid: z.string().min(1).optional(),
  merchant_uid: z.string().min(1).optional(),
  /** Partial cancel; absent means everything still cancellable. */
  amount: z.number().positive().optional(),
  tax_free: z.number().nonnegative().optional(),
  vat_amount: z.number().nonnegative().optional(),
  /** The cancellable amount the caller believes is left: refused when it differs. */
  checksum: z.number().nonnegative().optional(),
  reason: z.string().max(1000).optional(),
  refund_holder: z.string().optional(),
  refund_bank: z.string().optional(),
  refund_account: z.string().optional(),
  refund_tel: z.string().optional(),
  enable_webhook: z.boolean().optional(),
});

/** Iamport's rule for a cancel: it names the payment by `imp_uid` or `merchant_uid`. */
export const namesPayment: [
  (body: { imp_uid?: string | undefined; merchant_uid?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (body) => body.imp_uid !== undefined || body.merchant_uid !== undefined,
  { message: "imp_uid or merchant_uid is required", path: ["imp_uid"] },
];

export const CancelRequest = CancelRequestFields.refine(...namesPayment);
export type CancelRequest = z.infer<typeof CancelRequest>;

export const PrepareRequest = z.object({
  merchant_uid: z.string().min(1),
  amount: z.number().positive(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});
export type PrepareRequest = z.infer<typeof PrepareRequest>;

export const Prepared = z.object({
  merchant_uid: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string().nullable().optional(),
});
export type Prepared = z.infer<typeof Prepared>;

export const TokenEnvelope = iamportEnvelope(Token);
export const PaymentEnvelope = iamportEnvelope(Payment);
export const IamportPaymentEnvelope = iamportEnvelope(IamportPayment);
export const PreparedEnvelope = iamportEnvelope(Prepared);

/**
 * Iamport's notification (webhook) body, JSON or form-encoded. Not signed, so only `imp_uid` is
 * ever used, to re-read the payment.
 */
export const IamportWebhook = z.object({
  imp_uid: z.string().min(1).max(200),
  merchant_uid: z.string().min(1).max(200),
  status: z.string().max(50).optional(),
  cancellation_id: z.string().max(200).optional(),
});
export type IamportWebhook = z.infer<typeof IamportWebhook>;
