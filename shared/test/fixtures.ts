/**
 * Realistic messages as Iamport and our API send them, shared by the Node and Chromium tests.
 * Values follow Iamport's conventions: unix seconds with 0 for "unset", null for absent strings.
 */

const base = {
  imp_uid: "imp_448280090638",
  merchant_uid: "order_01JF3Q0R8Z7Y5X4W3V2U1T0S9R",
  pay_method: "card",
  channel: "pc",
  pg_provider: "html5_inicis",
  emb_pg_provider: null,
  pg_tid: "StdpayCARDINIpayTest20261125093012345678",
  pg_id: "INIpayTest",
  escrow: false,
  apply_num: "30001234",
  bank_code: null,
  bank_name: null,
  card_code: "361",
  card_name: "BC카드",
  card_quota: 0,
  card_number: "910020*********5",
  card_type: 0,
  vbank_code: null,
  vbank_name: null,
  vbank_num: null,
  vbank_holder: null,
  vbank_date: 0,
  vbank_issued_at: 0,
  name: "원목 의자 외 1건",
  amount: 64900,
  cancel_amount: 0,
  currency: "KRW",
  buyer_name: "홍길동",
  buyer_email: "gildong@example.com",
  buyer_tel: "010-1234-5678",
  buyer_addr: "서울특별시 강남구 테헤란로 1",
  buyer_postcode: "06236",
  custom_data: null,
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
  status: "paid",
  started_at: 1764031800,
  paid_at: 1764031812,
  failed_at: 0,
  cancelled_at: 0,
  fail_reason: null,
  cancel_reason: null,
  receipt_url: "https://iniweb.inicis.com/DefaultWebApp/mall/cr/cm/mCmReceipt_head.jsp?noTid=x",
  cancel_history: [],
  cancel_receipt_urls: [],
  cash_receipt_issued: false,
  customer_uid: null,
  customer_uid_usage: null,
  sandbox: false,
};

export const paidCardPayment = { ...base };

export const issuedVbankPayment = {
  ...base,
  imp_uid: "imp_448280090639",
  pay_method: "vbank",
  apply_num: null,
  card_code: null,
  card_name: null,
  card_number: null,
  card_type: null,
  vbank_code: "004",
  vbank_name: "KB국민은행",
  vbank_num: "T0309260000001",
  vbank_holder: "（주）이니시스",
  vbank_date: 1764291599,
  vbank_issued_at: 1764031812,
  status: "ready",
  paid_at: 0,
};

export const failedPayment = {
  ...base,
  imp_uid: "imp_448280090640",
  apply_num: null,
  status: "failed",
  paid_at: 0,
  failed_at: 1764031815,
  fail_reason: "[카드사 거절] 한도초과",
  receipt_url: null,
};

export const cancelledPayment = {
  ...base,
  imp_uid: "imp_448280090641",
  status: "cancelled",
  cancel_amount: 64900,
  cancelled_at: 1764035400,
  cancel_reason: "고객 요청",
  cancel_history: [
    {
      pg_tid: base.pg_tid,
      amount: 64900,
      cancelled_at: 1764035400,
      reason: "고객 요청",
      receipt_url: "https://iniweb.inicis.com/receipt/cancel/1",
      cancellation_id: "CANC-20261125-0001",
    },
  ],
  cancel_receipt_urls: ["https://iniweb.inicis.com/receipt/cancel/1"],
};

export const partiallyCancelledPayment = {
  ...base,
  imp_uid: "imp_448280090642",
  status: "paid",
  cancel_amount: 15000,
  cancelled_at: 1764035400,
  cancel_reason: "부분 환불: 쿠션 반품",
  cancel_history: [
    {
      pg_tid: base.pg_tid,
      amount: 10000,
      cancelled_at: 1764035000,
      reason: "쿠션 반품",
      receipt_url: "https://iniweb.inicis.com/receipt/cancel/2",
      cancellation_id: "CANC-20261125-0002",
    },
    {
      pg_tid: base.pg_tid,
      amount: 5000,
      cancelled_at: 1764035400,
      reason: "배송비 환불",
      receipt_url: null,
    },
  ],
  cancel_receipt_urls: [
    "https://iniweb.inicis.com/receipt/cancel/2",
    "https://iniweb.inicis.com/receipt/cancel/3",
  ],
};

export const envelopeOk = (response: unknown) => ({ code: 0, message: null, response });
export const envelopeError = (code: number, message: string) => ({
  code,
  message,
  response: null,
});

export const token = {
  access_token: "a1b2c3d4e5f60718293a4b5c6d7e8f9001122334",
  now: 1764031800,
  expired_at: 1764033600,
};

export const orderView = {
  merchant_uid: base.merchant_uid,
  status: "paid",
  name: "원목 의자 외 1건",
  amount: 64900,
  currency: "KRW",
  cancel_amount: 0,
  imp_uid: base.imp_uid,
  pay_method: "card",
  paid_at: "2026-11-25T00:50:12.000Z",
  vbank: null,
  reason: null,
  created_at: "2026-11-25T00:49:58.120Z",
  updated_at: "2026-11-25T00:50:12.480Z",
};

export const vbankOrderView = {
  ...orderView,
  status: "ready",
  pay_method: "vbank",
  paid_at: null,
  vbank: {
    bank_code: "004",
    bank_name: "KB국민은행",
    number: "T0309260000001",
    holder: "（주）이니시스",
    due: "2026-11-27T23:59:59.000Z",
  },
};

export const requestPayParam = {
  pg: "html5_inicis",
  pay_method: "card",
  merchant_uid: base.merchant_uid,
  name: "원목 의자 외 1건",
  amount: 64900,
  currency: "KRW",
  buyer_email: "gildong@example.com",
  buyer_name: "홍길동",
  buyer_tel: "010-1234-5678",
  m_redirect_url: "https://shop.example.com/pay/payments/complete/mobile?return=https%3A%2F%2Fx",
};

export const rspSuccess = {
  success: true,
  imp_uid: base.imp_uid,
  merchant_uid: base.merchant_uid,
  pay_method: "card",
  paid_amount: 64900,
  status: "paid",
  name: "원목 의자 외 1건",
  pg_provider: "html5_inicis",
  pg_tid: base.pg_tid,
  buyer_name: "홍길동",
  paid_at: 1764031812,
  receipt_url: base.receipt_url,
  apply_num: "30001234",
};

/** The newer `v1/iamport.js` style: no `success`, failure is the presence of `error_code`. */
export const rspShopperClosedV1 = {
  imp_uid: "imp_448280090643",
  merchant_uid: base.merchant_uid,
  error_code: "F400",
  error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
};
