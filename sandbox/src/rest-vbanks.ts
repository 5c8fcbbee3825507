/**
 * Virtual accounts: `DELETE /vbanks/{imp_uid}` withdraws one still awaiting its deposit. An
 * expired one (its `vbank_date` has passed) stays `ready`, as at Iamport, but takes no deposit.
 */
import { Hono } from "hono";
import { fail, IAMPORT_ERROR, IAMPORT_REFUSED, ok } from "./envelope.js";
import type { SandboxState } from "./state.js";

export function createVbankRoutes(state: SandboxState): Hono {
  const routes = new Hono();

  routes.delete("/vbanks/:imp_uid", state.faults.middleware("cancel"), (c) => {
    const stored = state.store.payments.get(c.req.param("imp_uid"));
    if (!stored) return fail(c, 404, IAMPORT_REFUSED, "존재하지 않는 결제정보입니다.");
    const payment = stored.payment;
    if (payment.pay_method !== "vbank") {
      return fail(c, 400, IAMPORT_ERROR, "가상계좌 결제건이 아닙니다.");
    }
    if (payment.status !== "ready") {
      return fail(c, 400, IAMPORT_ERROR, "입금대기(ready) 상태의 가상계좌만 말소할 수 있습니다.");
    }
    const now = state.nowSeconds();
    // UNCONFIRMED: a withdrawn account reads `cancelled` with nothing refunded.
    const withdrawn = {
      ...payment,
      status: "cancelled" as const,
      cancelled_at: now,
      cancel_reason: "가상계좌 말소",
    };
    state.update(stored, withdrawn);
    return ok(c, state.present(withdrawn));
  });

  return routes;
}

/** Whether a virtual account's deadline has passed. */
export function vbankExpired(payment: { vbank_date: number }, nowSeconds: number): boolean {
  return payment.vbank_date > 0 && nowSeconds >= payment.vbank_date;
}
