/**
 * The shopper's way back from a mobile redirect: the server verified the payment and sent the
 * browser here (303) with `merchant_uid` and `iamport_pay` added to this page's URL.
 */
import type { ConfirmDeps, PayResult } from "./pay-flow.js";
import { confirmPayment, failure, orderResult, sdkFailureCode } from "./pay-flow.js";
import type { Strings } from "./strings.js";

/** Every parameter Iamport or our server adds; removed so a reload does not fire twice. */
export const RETURN_PARAMS = [
  "merchant_uid",
  "error_code",
  "error_msg",
  // From here on: the markers of a return (see readReturn).
  "imp_uid",
  "imp_success",
  "success",
  "iamport_pay",
];

export interface ReturnParams {
  merchant_uid: string;
  imp_uid: string | undefined;
  iamport_pay: string | null;
  error_code: string | null;
  error_msg: string | null;
}

/**
 * The return in `url`, if this is one. `merchant_uid` alone could be the shop's own parameter,
 * so one of the payment's markers must come with it.
 */
export function readReturn(url: URL): ReturnParams | undefined {
  const q = url.searchParams;
  const merchant_uid = q.get("merchant_uid");
  const marked = RETURN_PARAMS.slice(3).some((k) => q.has(k));
  if (!merchant_uid || !marked) return undefined;
  return {
    merchant_uid,
    imp_uid: q.get("imp_uid") || undefined,
    iamport_pay: q.get("iamport_pay"),
    error_code: q.get("error_code"),
    error_msg: q.get("error_msg"),
  };
}

/** `url` without the return's parameters (the rest of the shop's query and hash stay). */
export function withoutReturn(url: URL): string {
  const clean = new URL(url.href);
  for (const name of RETURN_PARAMS) clean.searchParams.delete(name);
  return clean.href;
}

/**
 * Reads the order the server verified and turns it into the same result as a desktop payment.
 * An order still pending (the server could not reach Iamport, or a PG's return carried only
 * `merchant_uid`) is confirmed like an approval: retried, never "pay again".
 */
export async function resolveReturn(
  deps: ConfirmDeps,
  params: ReturnParams,
  t: Strings,
): Promise<PayResult> {
  const { merchant_uid, imp_uid } = params;
  // Iamport's own message tells a closed window from a refusal (the order keeps only a reason).
  const declined = params.error_code || params.error_msg ? sdkFailureCode(params) : undefined;
  let settled: PayResult | undefined;
  try {
    settled = orderResult(t, await deps.api.order(merchant_uid));
  } catch {
    // Unreachable for now: confirmation below retries.
  }
  if (settled?.type === "failure" && declined && settled.detail.code !== "forgery") {
    return failure(t, declined, settled.detail);
  }
  if (settled) return settled;
  if (declined) return failure(t, declined, { merchant_uid, imp_uid });
  if (params.iamport_pay === "failed" || params.iamport_pay === "cancelled") {
    return failure(t, "payment_failed", { merchant_uid, imp_uid });
  }
  return confirmPayment(deps, t, merchant_uid, imp_uid);
}
