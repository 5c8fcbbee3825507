/**
 * Iamport Payment answers of several eras and PGs, for tests of the tolerant reader. Written
 * from the Payment fields Iamport's V1 OpenAPI document lists and from the shapes of answers
 * published in public code; values are made up. Each is a function of the order it pays, so a
 * test can aim it at an order of its own.
 */

export interface Aim {
  imp_uid: string;
  merchant_uid: string;
  /** In Iamport's major units (KRW: won). */
  amount: number;
}

export interface Answer {
  imp_uid: string;
  merchant_uid: string;
  [field: string]: unknown;
}

/**
 * The Payment fields of the OpenAPI document (`PaymentAnnotation`) with their JSON types. The
 * document requires the first seven; every other may be missing, and answers carry `null` for
 * many of them.
 */
export const paymentFields = {
  required: {
    imp_uid: "string",
    merchant_uid: "string",
    amount: "number",
    cancel_amount: "number",
    currency: "string",
    status: "string",
    // Required by the document since 2026; answers from before lack it.
    sandbox: "boolean",
  },
  optional: {
    pay_method: "string",
    channel: "string",
    pg_provider: "string",
    emb_pg_provider: "string",
    pg_tid: "string",
    pg_id: "string",
    escrow: "boolean",
    apply_num: "string",
    bank_code: "string",
    bank_name: "string",
    card_code: "string",
    card_name: "string",
    card_issuer_code: "string",
    card_issuer_name: "string",
    card_publisher_code: "string",
    card_publisher_name: "string",
    card_quota: "integer",
    card_number: "string",
    card_type: "integer",
    vbank_code: "string",
    vbank_name: "string",
    vbank_num: "string",
    vbank_holder: "string",
    vbank_date: "integer",
    vbank_issued_at: "integer",
    name: "string",
    buyer_name: "string",
    buyer_email: "string",
    buyer_tel: "string",
    buyer_addr: "string",
    buyer_postcode: "string",
    custom_data: "string",
    user_agent: "string",
    started_at: "integer",
    paid_at: "integer",
    failed_at: "integer",
    cancelled_at: "integer",
    fail_reason: "string",
    cancel_reason: "string",
    receipt_url: "string",
    cancel_history: "array",
    deposit_history: "array",
    cancel_receipt_urls: "array",
    cash_receipt_issued: "boolean",
    customer_uid: "string",
    customer_uid_usage: "string",
    promotion: "object",
  },
} as const;

export type FieldType = (typeof paymentFields.optional)[keyof typeof paymentFields.optional];

const T = 1_600_000_000; // 2020-09

/** A 2020 NHN KCP card payment: no emb_pg_provider, customer_uid(_usage), card_issuer_*, sandbox. */
export const kcpCard2020 = (aim: Aim): Answer => ({
  amount: aim.amount,
  apply_num: "30031234",
  bank_code: null,
  bank_name: null,
  buyer_addr: "서울특별시 강남구 신사동",
  buyer_email: "shopper@example.com",
  buyer_name: "홍길동",
  buyer_postcode: "01181",
  buyer_tel: "010-1234-5678",
  cancel_amount: 0,
  cancel_history: [],
  cancel_reason: null,
  cancel_receipt_urls: [],
  cancelled_at: 0,
  card_code: "366",
  card_name: "신한카드",
  card_number: "451842*********1",
  card_quota: 0,
  card_type: 0,
  cash_receipt_issued: false,
  channel: "pc",
  currency: "KRW",
  custom_data: null,
  escrow: false,
  fail_reason: null,
  failed_at: 0,
  imp_uid: aim.imp_uid,
  merchant_uid: aim.merchant_uid,
  name: "의자 외 1건",
  paid_at: T + 60,
  pay_method: "card",
  pg_id: "T0000",
  pg_provider: "kcp",
  pg_tid: "20200913123412345678",
  receipt_url: "https://admin8.kcp.co.kr/assist/bill.BillActionNew.do?cmd=card_bill&tno=1",
  started_at: T,
  status: "paid",
  user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
  vbank_code: null,
  vbank_date: 0,
  vbank_holder: null,
  vbank_issued_at: 0,
  vbank_name: null,
  vbank_num: null,
});

/** A 2021 KG Inicis card payment: customer_uid present, emb_pg_provider and sandbox absent. */
export const inicisCard2021 = (aim: Aim): Answer => ({
  ...kcpCard2020(aim),
  pg_provider: "html5_inicis",
  pg_id: "INIpayTest",
  pg_tid: "StdpayCARDINIpayTest20210412345678901",
  card_code: "361",
  card_name: "BC카드",
  card_number: "910003*********0",
  card_quota: 3,
  customer_uid: null,
  customer_uid_usage: null,
  channel: "mobile",
  receipt_url: "https://iniweb.inicis.com/DefaultWebApp/mall/cr/cm/mCmReceipt_head.jsp?noTid=1",
});

/** A 2021 LG U+ virtual account, issued and waiting (`ready`), no emb_pg_provider nor sandbox. */
export const uplusVbank2021 = (aim: Aim): Answer => ({
  ...kcpCard2020(aim),
  pg_provider: "uplus",
  pg_id: "tlgdacomxpay",
  pay_method: "vbank",
  status: "ready",
  apply_num: null,
  card_code: null,
  card_name: null,
  card_number: null,
  card_quota: 0,
  card_type: null,
  paid_at: 0,
  receipt_url: null,
  vbank_code: "088",
  vbank_name: "신한은행",
  vbank_num: "56211105948400",
  vbank_holder: "(주)예시상점",
  vbank_date: T + 3 * 86_400,
  vbank_issued_at: T + 30,
});

/** A real-time bank transfer (2022), with cancel_history entries lacking cancellation_id. */
export const transfer2022 = (aim: Aim): Answer => ({
  ...kcpCard2020(aim),
  pg_provider: "nice",
  pg_id: "nictest00m",
  pay_method: "trans",
  bank_code: "004",
  bank_name: "KB국민은행",
  apply_num: null,
  card_code: null,
  card_name: null,
  card_number: null,
  card_type: null,
  customer_uid: null,
  customer_uid_usage: null,
  emb_pg_provider: null,
});

/** An easy-pay inside a PG (2023): KakaoPay through KG Inicis, card_issuer_* and nulls. */
export const kakaopayInInicis2023 = (aim: Aim): Answer => ({
  ...inicisCard2021(aim),
  pay_method: "point",
  emb_pg_provider: "kakaopay",
  card_code: null,
  card_name: null,
  card_number: null,
  card_quota: null,
  card_type: null,
  card_issuer_code: null,
  card_issuer_name: null,
  card_publisher_code: null,
  card_publisher_name: null,
  buyer_addr: null,
  buyer_postcode: null,
  user_agent: null,
  cancel_history: null,
});

/** A 2026 answer: every field of today, `sandbox: false`, and fields added after this code. */
export const current2026 = (aim: Aim): Answer => ({
  ...kakaopayInInicis2023(aim),
  pay_method: "card",
  emb_pg_provider: null,
  card_code: "361",
  card_name: "BC카드",
  card_number: "910003*********0",
  card_quota: 0,
  card_type: 0,
  sandbox: false,
  deposit_history: [],
  promotion: null,
  cancel_history: [],
  // Unknown to us: kept, never a reason to refuse.
  gift_certificate: null,
  naverpay_point: { amount: 0 },
  customer_id: "shopper-7",
});

/** The sparsest answer the OpenAPI document allows (before `sandbox` was added). */
export const sparse = (aim: Aim): Answer => ({
  imp_uid: aim.imp_uid,
  merchant_uid: aim.merchant_uid,
  amount: aim.amount,
  cancel_amount: 0,
  currency: "KRW",
  status: "paid",
});

export const answersByEra = {
  "NHN KCP card, 2020": kcpCard2020,
  "KG Inicis card, 2021": inicisCard2021,
  "LG U+ virtual account issued, 2021": uplusVbank2021,
  "NICE bank transfer, 2022": transfer2022,
  "KakaoPay inside KG Inicis, 2023": kakaopayInInicis2023,
  "today's answer with fields added since, 2026": current2026,
  "only the required fields": sparse,
} as const;
