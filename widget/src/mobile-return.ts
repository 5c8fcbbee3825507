/**
 * The shopper's way back from a mobile redirect: the server verified the payment and sent the
 * browser here (303) with `merchant_uid` and `iamport_pay` added to this page's URL.
 */
import type { PayResult } from "./pay-flow.js";
import { failure, orderResult, sdkFailureCode } from "./pay-flow.js";
import type { ServerApi } from "./server-api.js";
import type { Strings } from "./strings.js";

/** Every parameter Iamport or our server adds; removed so a reload does not fire twice. */
export const RETURN_PARAMS = [
  "merchant_uid",
  "imp_uid",
  "imp_success",
  "success",
  "error_code",
  "error_msg",
  "iamport_pay",
];

export interface ReturnParams {
  merchant_uid: string;
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
  const marked = ["iamport_pay", "imp_uid", "imp_success", "success"].some((k) => q.has(k));
  if (!merchant_uid || !marked) return undefined;
  return {
    merchant_uid,
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

/** Reads the verified order and turns it into the same result as a desktop payment. */
export async function resolveReturn(
  api: ServerApi,
  params: ReturnParams,
  t: Strings,
): Promise<PayResult> {
  const { merchant_uid } = params;
  let order: Awaited<ReturnType<ServerApi["order"]>>;
  try {
    order = await api.order(merchant_uid);
  } catch (error) {
    const network = (error as { kind?: string }).kind === "network";
    return failure(t, network ? "network_error" : "server_error", { merchant_uid });
  }
  // The shopper closed the window before any payment existed: the order is still pending, and
  // only Iamport's message (passed through, when the server keeps it) tells a close from a refusal.
  if (order.status === "pending" && (params.error_code || params.error_msg)) {
    return failure(t, sdkFailureCode(params), { merchant_uid });
  }
  if (order.status === "failed" && (params.error_code || params.error_msg)) {
    return failure(t, sdkFailureCode(params), { merchant_uid, imp_uid: order.imp_uid });
  }
  const settled = orderResult(t, order);
  if (settled) return settled;
  // Still pending: a failed redirect says so; otherwise the webhook may yet confirm it.
  const failed = params.iamport_pay === "error" || params.iamport_pay === "failed";
  return failure(t, "payment_failed", { merchant_uid }, failed ? undefined : t.pending);
}
