/** What the shopper reads, one typed table per language. */
import type { PayFailureCode } from "@iamport-pay/shared";

export type Lang = "ko" | "en";

export interface Strings {
  pay: string;
  busy: string;
  success: string;
  vbankIssued: (bank: string, number: string) => string;
  pending: string;
  failure: Record<PayFailureCode, string>;
}

const ko: Strings = {
  pay: "결제하기",
  busy: "결제 중…",
  success: "결제가 완료되었습니다.",
  vbankIssued: (bank, number) =>
    `가상계좌가 발급되었습니다: ${bank} ${number}. 기한 안에 입금해 주세요.`,
  pending: "결제를 아직 확인하지 못했습니다. 잠시 후 주문 상태를 확인해 주세요.",
  failure: {
    shopper_cancelled: "결제를 취소하셨습니다.",
    pg_declined: "결제가 승인되지 않았습니다.",
    forgery: "결제 금액이 주문과 달라 결제를 취소했습니다.",
    order_rejected: "주문을 처리할 수 없습니다. 상품과 수량을 확인해 주세요.",
    server_error: "일시적인 오류로 결제하지 못했습니다. 잠시 후 다시 시도해 주세요.",
    network_error: "서버에 연결할 수 없습니다. 인터넷 연결을 확인해 주세요.",
    sdk_load_failed: "결제 모듈을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.",
    payment_failed: "결제가 완료되지 않았습니다.",
  },
};

const en: Strings = {
  pay: "Pay",
  busy: "Paying…",
  success: "Payment complete.",
  vbankIssued: (bank, number) =>
    `A virtual account was issued: ${bank} ${number}. Please deposit before the deadline.`,
  pending: "The payment is not confirmed yet. Please check your order shortly.",
  failure: {
    shopper_cancelled: "You cancelled the payment.",
    pg_declined: "The payment was declined.",
    forgery: "The paid amount did not match the order, so the payment was cancelled.",
    order_rejected: "This order cannot be placed. Please check the items and quantities.",
    server_error: "Something went wrong on our side. Please try again shortly.",
    network_error: "Cannot reach the server. Please check your connection.",
    sdk_load_failed: "The payment module could not be loaded. Please try again shortly.",
    payment_failed: "The payment did not go through.",
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
