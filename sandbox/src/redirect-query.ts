/**
 * What Iamport appends to `m_redirect_url` (docs/iamport-notes.md, "Mobile redirect"): `imp_uid`,
 * `merchant_uid`, a success flag and, on failure, `error_code` and `error_msg`. The flag's name
 * depends on the PG, so clients must not rely on it (they re-read the payment).
 *
 * | PG provider (the part of `pg` before the dot) | pay_method | flag |
 * | --- | --- | --- |
 * | the newer-style PGs (sdk-style.ts) | any | none |
 * | `kakaopay`, `naverpay`, `payco`, `tosspay`, `smilepay` | any | `success` |
 * | `html5_inicis` | `trans` | none |
 * | any other | any | `imp_success` |
 *
 * UNCONFIRMED: which PGs send `success` rather than `imp_success`; the easy-pay PGs above are our
 * guess. Inicis real-time bank transfer sending neither is documented.
 */
import { usesNewerStyle } from "./sdk-style.js";

export type SuccessFlag = "imp_success" | "success" | null;

const sendsSuccess = new Set(["kakaopay", "naverpay", "payco", "tosspay", "smilepay"]);

export function successFlagFor(pgProvider: string, payMethod: string): SuccessFlag {
  if (usesNewerStyle(pgProvider)) return null;
  if (sendsSuccess.has(pgProvider)) return "success";
  if (pgProvider === "html5_inicis" && payMethod === "trans") return null;
  return "imp_success";
}

export function redirectUrl(
  base: string,
  result: {
    pgProvider: string;
    payMethod: string;
    merchant_uid: string;
    imp_uid: string | null;
    success: boolean;
    error_code?: string | undefined;
    error_msg?: string | undefined;
    /** A success carries only `merchant_uid`, as the V1 guide's own redirect example. */
    merchantUidOnly?: boolean | undefined;
  },
): string {
  const url = new URL(base);
  if (result.success && result.merchantUidOnly) {
    url.searchParams.set("merchant_uid", result.merchant_uid);
    return url.toString();
  }
  if (result.imp_uid) url.searchParams.set("imp_uid", result.imp_uid);
  url.searchParams.set("merchant_uid", result.merchant_uid);
  const flag = successFlagFor(result.pgProvider, result.payMethod);
  if (flag) url.searchParams.set(flag, String(result.success));
  if (!result.success) {
    url.searchParams.set("error_code", result.error_code ?? "");
    url.searchParams.set("error_msg", result.error_msg ?? "");
  }
  return url.toString();
}
