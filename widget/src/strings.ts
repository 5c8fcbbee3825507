/** What the shopper reads, one typed table per language. */
import type { PayFailureCode, VbankInfo } from "@iamport-pay/shared";

export type Lang = "ko" | "en";

export interface Strings {
  pay: string;
  busy: string;
  /** Iamport approved; the server has not confirmed yet. */
  confirming: string;
  /** The click's activation expired while the order was made: one more click opens Iamport. */
  continue: string;
  success: string;
  vbankIssued: (vbank: VbankInfo, due: string) => string;
  /** No `server`, or no `sku`/`items`. */
  misconfigured: string;
  failure: Record<PayFailureCode, string>;
}

const ko: Strings = {
  pay: "결제하기",
  busy: "결제 중…",
  confirming: "결제를 확인하고 있습니다. 다시 결제하지 마세요.",
  continue: "결제 계속하기",
  success: "결제가 완료되었습니다.",
  vbankIssued: (v, due) =>
    `가상계좌가 발급되었습니다: ${v.bank_name ?? ""} ${v.number}, 예금주 ${v.holder ?? "-"}. ${due ? `${due}까지` : "기한 안에"} 입금해 주세요.`,
  misconfigured: "결제 버튼이 설정되지 않았습니다.",
  failure: {
    shopper_cancelled: "결제를 취소하셨습니다.",
    pg_declined: "결제가 승인되지 않았습니다.",
    forgery: "결제 금액이 주문과 달라 결제를 취소했습니다.",
    order_rejected: "주문을 처리할 수 없습니다. 상품과 수량을 확인해 주세요.",
    server_error: "일시적인 오류로 결제하지 못했습니다. 잠시 후 다시 시도해 주세요.",
    network_error: "서버에 연결할 수 없습니다. 인터넷 연결을 확인해 주세요.",
    sdk_load_failed: "결제 모듈을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.",
    payment_failed: "결제가 완료되지 않았습니다.",
    payment_unconfirmed:
      "결제가 완료되었을 수 있습니다. 상점에서 확인할 예정이니 다시 결제하지 마세요.",
    origin_not_allowed: "이 상점의 결제 서버가 이 페이지의 결제를 받지 않습니다.",
  },
};

const en: Strings = {
  pay: "Pay",
  busy: "Paying…",
  confirming: "Confirming your payment. Do not pay again.",
  continue: "Continue to payment",
  success: "Payment complete.",
  vbankIssued: (v, due) =>
    `A virtual account was issued: ${v.bank_name ?? ""} ${v.number}, holder ${v.holder ?? "-"}. Please deposit by ${due || "the deadline"}.`,
  misconfigured: "This payment button is not set up.",
  failure: {
    shopper_cancelled: "You cancelled the payment.",
    pg_declined: "The payment was declined.",
    forgery: "The paid amount did not match the order; the payment was cancelled.",
    order_rejected: "This order cannot be placed. Please check the items and quantities.",
    server_error: "Server error. Please try again shortly.",
    network_error: "Cannot reach the server. Please check your connection.",
    sdk_load_failed: "Could not load the payment module. Please try again shortly.",
    payment_failed: "The payment did not go through.",
    payment_unconfirmed:
      "Your payment may have gone through. We will confirm it; do not pay again.",
    origin_not_allowed: "This shop's payment server does not accept this page.",
  },
};

const tables: Record<Lang, Strings> = { ko, en };

/** `ko` or `en` from a BCP 47 tag; Korean shops are the audience, so Korean is the default. */
export function pickLang(tag: string | null | undefined): Lang {
  return tag?.toLowerCase().startsWith("en") ? "en" : "ko";
}

export function strings(lang: Lang): Strings {
  return tables[lang];
}
