/**
 * Builds Payment objects as Iamport fills them in for each method: every field of shared's
 * `Payment` schema, timestamps in unix seconds with 0 for "unset", strings null when absent.
 */
import { randomInt } from "node:crypto";
import type { Payment, PaymentStatus } from "@iamport-pay/shared";

export interface NewPayment {
  merchant_uid: string;
  amount: number;
  name?: string | null | undefined;
  currency?: string | undefined;
  pay_method?: string | undefined;
  /** `provider` or `provider.mid`, as in `request_pay`. */
  pg?: string | undefined;
  status: PaymentStatus;
  channel?: "pc" | "mobile" | "api" | undefined;
  buyer_name?: string | null | undefined;
  buyer_email?: string | null | undefined;
  buyer_tel?: string | null | undefined;
  buyer_addr?: string | null | undefined;
  buyer_postcode?: string | null | undefined;
  custom_data?: string | null | undefined;
  user_agent?: string | null | undefined;
  /** Virtual account deadline in unix seconds; default three days from now. */
  vbank_date?: number | undefined;
  fail_reason?: string | undefined;
  /** A test-channel payment (default true: everything the checkout makes is one). */
  sandbox?: boolean | undefined;
}

/** UNCONFIRMED: the console's default PG when `pg` is not given. */
export const DEFAULT_PG = "html5_inicis";

function digits(count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += String(randomInt(10));
  return out;
}

/** Iamport's ids look like `imp_` followed by 12 digits. */
export function newImpUid(): string {
  return `imp_${digits(12)}`;
}

export function newCancellationId(): string {
  return `sandbox_cancel_${digits(12)}`;
}

/**
 * `vbank_due` formats the sandbox accepts, all in Korean time: the guide's `YYYYMMDDhhmm`, and
 * (UNCONFIRMED which other forms every PG takes) `YYYYMMDD`, `YYYYMMDDhhmmss`, `YYYY-MM-DD`,
 * `YYYY-MM-DD hh:mm`, `YYYY-MM-DD hh:mm:ss`, and a unix timestamp in seconds.
 */
export const VBANK_DUE_PATTERN =
  /^(?:\d{8}(?:\d{4}(?:\d{2})?)?|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{10})$/;

/** Parses `vbank_due` into unix seconds, or undefined when it is not a real date. */
export function parseVbankDue(due: string | number | undefined): number | undefined {
  if (due === undefined) return undefined;
  const text = String(due);
  if (/^\d{10}$/.test(text)) return Number(text);
  const match = text.match(/^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$/);
  if (!match) return undefined;
  const [, y, mo, d, h = "23", mi = "59", sec = "00"] = match;
  const parts = [y, mo, d, h, mi, sec].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour - 9, minute, second);
  // Date.UTC rolls 31 February over into March: refuse it instead.
  if (new Date(ms + 9 * 3600_000).getUTCDate() !== day) return undefined;
  return Math.floor(ms / 1000);
}

export function createPayment(input: NewPayment, nowSeconds: number): Payment {
  const payMethod = input.pay_method ?? "card";
  const [provider = DEFAULT_PG, mid] = (input.pg ?? DEFAULT_PG).split(".");
  const impUid = newImpUid();
  const isCard = payMethod === "card";
  const isVbank = payMethod === "vbank";
  const isTrans = payMethod === "trans";
  const reachedPg = input.status !== "failed";
  const paid = input.status === "paid";
  return {
    imp_uid: impUid,
    merchant_uid: input.merchant_uid,
    pay_method: payMethod,
    channel: input.channel ?? "pc",
    pg_provider: provider,
    emb_pg_provider: null,
    pg_tid: reachedPg ? `sandbox_tid_${digits(14)}` : null,
    pg_id: mid ?? "INIpayTest",
    escrow: false,
    apply_num: isCard && paid ? digits(8) : null,
    bank_code: isTrans ? "004" : null,
    bank_name: isTrans ? "KB국민은행" : null,
    card_code: isCard && reachedPg ? "361" : null,
    card_name: isCard && reachedPg ? "BC카드" : null,
    card_issuer_code: isCard && reachedPg ? "361" : null,
    card_issuer_name: isCard && reachedPg ? "BC카드" : null,
    card_publisher_code: isCard && reachedPg ? "361" : null,
    card_publisher_name: isCard && reachedPg ? "BC카드" : null,
    card_quota: 0,
    card_number: isCard && reachedPg ? `910020******${digits(4)}` : null,
    card_type: isCard && reachedPg ? 0 : null,
    vbank_code: isVbank && reachedPg ? "004" : null,
    vbank_name: isVbank && reachedPg ? "KB국민은행" : null,
    vbank_num: isVbank && reachedPg ? `${digits(3)}-${digits(6)}-${digits(5)}` : null,
    vbank_holder: isVbank && reachedPg ? "(주)아임포트샌드박스" : null,
    vbank_date: isVbank && reachedPg ? (input.vbank_date ?? nowSeconds + 3 * 24 * 3600) : 0,
    vbank_issued_at: isVbank && input.status !== "failed" ? nowSeconds : 0,
    name: input.name ?? null,
    amount: input.amount,
    cancel_amount: 0,
    currency: input.currency ?? "KRW",
    buyer_name: input.buyer_name ?? null,
    buyer_email: input.buyer_email ?? null,
    buyer_tel: input.buyer_tel ?? null,
    buyer_addr: input.buyer_addr ?? null,
    buyer_postcode: input.buyer_postcode ?? null,
    custom_data: input.custom_data ?? null,
    user_agent: input.user_agent ?? null,
    status: input.status,
    started_at: nowSeconds,
    paid_at: paid ? nowSeconds : 0,
    failed_at: input.status === "failed" ? nowSeconds : 0,
    cancelled_at: 0,
    fail_reason:
      input.status === "failed" ? (input.fail_reason ?? "카드 승인이 거절되었습니다") : null,
    cancel_reason: null,
    receipt_url: paid ? `https://sandbox.iamport.invalid/receipts/${impUid}` : null,
    cancel_history: [],
    cancel_receipt_urls: [],
    cash_receipt_issued: false,
    customer_uid: null,
    customer_uid_usage: null,
    // A test-channel payment says so (Iamport's flag since 2026-01); the control API can make
    // live-channel ones for clients that cannot send include_sandbox.
    sandbox: input.sandbox ?? true,
  };
}
