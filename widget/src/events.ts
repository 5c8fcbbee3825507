/**
 * One small class per event: a typed `detail`, `bubbles` and `composed` fixed here so a page
 * (or a framework) can listen anywhere above the element, even across shadow roots.
 */
import type {
  PayFailureDetail,
  PayStartDetail,
  PaySuccessDetail,
  PayVbankIssuedDetail,
} from "@iamport-pay/shared";

abstract class PayEvent<T> extends Event {
  readonly detail: T;
  constructor(type: string, detail: T) {
    super(type, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

/** The server priced the cart; Iamport's payment window is about to open. */
export class PayStartEvent extends PayEvent<PayStartDetail> {
  constructor(detail: PayStartDetail) {
    super("iamport-pay-start", detail);
  }
}

/** The server verified the payment as paid. */
export class PaySuccessEvent extends PayEvent<PaySuccessDetail> {
  constructor(detail: PaySuccessDetail) {
    super("iamport-pay-success", detail);
  }
}

/** A virtual account was issued (verified by the server); the money is not in yet. */
export class PayVbankIssuedEvent extends PayEvent<PayVbankIssuedDetail> {
  constructor(detail: PayVbankIssuedDetail) {
    super("iamport-pay-vbank-issued", detail);
  }
}

/** The payment did not go through; `detail.code` says why. */
export class PayFailureEvent extends PayEvent<PayFailureDetail> {
  constructor(detail: PayFailureDetail) {
    super("iamport-pay-failure", detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    "iamport-pay-start": PayStartEvent;
    "iamport-pay-success": PaySuccessEvent;
    "iamport-pay-vbank-issued": PayVbankIssuedEvent;
    "iamport-pay-failure": PayFailureEvent;
  }
}
