/**
 * Writes a stored Payment in one of the shapes real Iamport answers come in, so clients are
 * tried against more than one tidy shape:
 * - `full`: every field of the current OpenAPI document.
 * - `legacy`: as older accounts got them (answers published from 2020–2021): no
 *   `emb_pg_provider`, `customer_uid`, `customer_uid_usage`, `sandbox`, nor the card
 *   issuer/publisher fields.
 * - `sparse`: only the fields the OpenAPI document marks required, plus those the payment's
 *   method needs; every other field is missing, null or present, chosen by a hash of the seed,
 *   the imp_uid and the field name, so one payment always answers the same way.
 */
import { createHash } from "node:crypto";
import type { Payment } from "@iamport-pay/shared";
import type { PaymentShape } from "./options.js";

export const LEGACY_MISSING = [
  "emb_pg_provider",
  "customer_uid",
  "customer_uid_usage",
  "sandbox",
  "card_issuer_code",
  "card_issuer_name",
  "card_publisher_code",
  "card_publisher_name",
] as const;

/** `required` in the OpenAPI document's PaymentAnnotation. */
export const REQUIRED = [
  "imp_uid",
  "merchant_uid",
  "amount",
  "cancel_amount",
  "currency",
  "status",
  "sandbox",
] as const;

/** What a payment of each method cannot be used without (a virtual account's number, due date). */
export function methodFields(payment: Payment): string[] {
  const fields = ["pay_method"];
  if (payment.pay_method === "vbank") {
    fields.push("vbank_code", "vbank_name", "vbank_num", "vbank_holder", "vbank_date");
  }
  return fields;
}

type Choice = "missing" | "null" | "kept";

function choose(seed: number, impUid: string, field: string): Choice {
  const byte = createHash("sha256").update(`${seed}:${impUid}:${field}`).digest()[0] ?? 0;
  return byte < 86 ? "missing" : byte < 171 ? "null" : "kept";
}

export function presentPayment(
  payment: Payment,
  shape: PaymentShape,
  seed: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payment };
  if (shape === "legacy") {
    for (const field of LEGACY_MISSING) delete out[field];
    return out;
  }
  if (shape === "sparse") {
    const keep = new Set<string>([...REQUIRED, ...methodFields(payment)]);
    for (const field of Object.keys(out)) {
      if (keep.has(field)) continue;
      const choice = choose(seed, payment.imp_uid, field);
      if (choice === "missing") delete out[field];
      else if (choice === "null") out[field] = null;
    }
  }
  return out;
}
