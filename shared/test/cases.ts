/**
 * Each schema with the fixtures it must accept and the malformed inputs it must refuse, with the
 * field the error must name. Run by both the Node tests and the Chromium tests, so the schemas
 * are known to behave the same on the server and in a browser.
 */
import type { z } from "zod";
import {
  CancelRequest,
  CompleteRequest,
  CompleteResponse,
  ConfigResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  ErrorBody,
  IamportWebhook,
  MobileReturnQuery,
  OrderView,
  PaymentEnvelope,
  PreparedEnvelope,
  PrepareRequest,
  RequestPayParam,
  RequestPayResponse,
  TokenEnvelope,
  TokenRequest,
} from "../src/index.js";
import {
  cancelledPayment,
  envelopeError,
  envelopeOk,
  failedPayment,
  issuedVbankPayment,
  orderView,
  paidCardPayment,
  partiallyCancelledPayment,
  requestPayParam,
  rspShopperClosedV1,
  rspSuccess,
  token,
  vbankOrderView,
} from "./fixtures.js";

export type SchemaCase = {
  schema: string;
  parser: z.ZodType;
  accepts: Record<string, unknown>;
  /** description → [input, the field path the error must name] */
  refuses: Record<string, [unknown, string]>;
};

const { amount: _amount, ...paymentWithoutAmount } = paidCardPayment;

export const cases: SchemaCase[] = [
  {
    schema: "Iamport payment envelope",
    parser: PaymentEnvelope,
    accepts: {
      "a paid card payment": envelopeOk(paidCardPayment),
      "an issued virtual account": envelopeOk(issuedVbankPayment),
      "a failed payment": envelopeOk(failedPayment),
      "a cancelled payment": envelopeOk(cancelledPayment),
      "a partial cancel with cancel_history": envelopeOk(partiallyCancelledPayment),
      "an error answer with a null response": envelopeError(-1, "존재하지 않는 결제정보입니다."),
    },
    refuses: {
      "a payment without amount": [envelopeOk(paymentWithoutAmount), "response.amount"],
      "an amount sent as a string": [
        envelopeOk({ ...paidCardPayment, amount: "64900" }),
        "response.amount",
      ],
      "a null timestamp (Iamport writes 0)": [
        envelopeOk({ ...paidCardPayment, paid_at: null }),
        "response.paid_at",
      ],
      "an unknown status": [
        envelopeOk({ ...paidCardPayment, status: "approved" }),
        "response.status",
      ],
      "a cancel_history entry without amount": [
        envelopeOk({
          ...partiallyCancelledPayment,
          cancel_history: [{ pg_tid: null, cancelled_at: 1, reason: null, receipt_url: null }],
        }),
        "response.cancel_history.0.amount",
      ],
      "a lowercase currency": [
        envelopeOk({ ...paidCardPayment, currency: "krw" }),
        "response.currency",
      ],
    },
  },
  {
    schema: "Iamport token",
    parser: TokenEnvelope,
    accepts: { "a token answer": envelopeOk(token) },
    refuses: {
      "an expiry in milliseconds as a string": [
        envelopeOk({ ...token, expired_at: "1764033600000" }),
        "response.expired_at",
      ],
      "an empty access token": [
        envelopeOk({ ...token, access_token: "" }),
        "response.access_token",
      ],
    },
  },
  {
    schema: "Iamport token request",
    parser: TokenRequest,
    accepts: { "a key and secret": { imp_key: "1234567890", imp_secret: "s3cr3t" } },
    refuses: { "a missing secret": [{ imp_key: "1234567890" }, "imp_secret"] },
  },
  {
    schema: "Iamport cancel request",
    parser: CancelRequest,
    accepts: {
      "a full cancel by imp_uid": { imp_uid: "imp_1", reason: "고객 요청" },
      "a partial cancel with checksum by merchant_uid": {
        merchant_uid: "order_1",
        amount: 10000,
        checksum: 64900,
      },
    },
    refuses: {
      "neither imp_uid nor merchant_uid": [{ amount: 1000 }, "imp_uid"],
      "a negative amount": [{ imp_uid: "imp_1", amount: -5 }, "amount"],
    },
  },
  {
    schema: "Iamport prepare",
    parser: PrepareRequest,
    accepts: { "an order's amount": { merchant_uid: "order_1", amount: 64900 } },
    refuses: { "a zero amount": [{ merchant_uid: "order_1", amount: 0 }, "amount"] },
  },
  {
    schema: "Iamport prepared answer",
    parser: PreparedEnvelope,
    accepts: { "a registered amount": envelopeOk({ merchant_uid: "order_1", amount: 64900 }) },
    refuses: {
      "a missing merchant_uid": [envelopeOk({ amount: 64900 }), "response.merchant_uid"],
    },
  },
  {
    schema: "Iamport webhook",
    parser: IamportWebhook,
    accepts: {
      "a paid notification": { imp_uid: "imp_1", merchant_uid: "order_1", status: "paid" },
      "a cancellation with its id": {
        imp_uid: "imp_1",
        merchant_uid: "order_1",
        status: "cancelled",
        cancellation_id: "CANC-1",
      },
    },
    refuses: {
      "a missing imp_uid": [{ merchant_uid: "order_1", status: "paid" }, "imp_uid"],
      "an imp_uid that is a number": [{ imp_uid: 1, merchant_uid: "order_1" }, "imp_uid"],
    },
  },
  {
    schema: "request_pay param",
    parser: RequestPayParam,
    accepts: { "a card payment with a mobile redirect": requestPayParam },
    refuses: {
      "a missing merchant_uid": [{ ...requestPayParam, merchant_uid: undefined }, "merchant_uid"],
      "a vbank_due in the wrong format": [
        { ...requestPayParam, vbank_due: "2026-11-27" },
        "vbank_due",
      ],
      "an m_redirect_url that is not a URL": [
        { ...requestPayParam, m_redirect_url: "/relative" },
        "m_redirect_url",
      ],
    },
  },
  {
    schema: "request_pay callback rsp",
    parser: RequestPayResponse,
    accepts: {
      "a success": rspSuccess,
      "a v1 shopper cancel without success": rspShopperClosedV1,
    },
    refuses: {
      "a paid_amount sent as a string": [{ ...rspSuccess, paid_amount: "64900" }, "paid_amount"],
    },
  },
  {
    schema: "create order request",
    parser: CreateOrderRequest,
    accepts: {
      "a cart of two lines with a buyer": {
        items: [
          { sku: "chair-001", quantity: 1 },
          { sku: "cushion-002", quantity: 2 },
        ],
        buyer: { name: "홍길동", email: "gildong@example.com", tel: "010-1234-5678" },
        pay_method: "vbank",
      },
    },
    refuses: {
      "an empty cart": [{ items: [] }, "items"],
      "a fractional quantity": [
        { items: [{ sku: "chair-001", quantity: 1.5 }] },
        "items.0.quantity",
      ],
      "a quantity over the limit": [
        { items: [{ sku: "chair-001", quantity: 1000 }] },
        "items.0.quantity",
      ],
      "a SKU with a slash": [{ items: [{ sku: "../etc", quantity: 1 }] }, "items.0.sku"],
      "a bad buyer email": [
        { items: [{ sku: "chair-001", quantity: 1 }], buyer: { email: "nope" } },
        "buyer.email",
      ],
    },
  },
  {
    schema: "create order response",
    parser: CreateOrderResponse,
    accepts: {
      "a pending order": {
        merchant_uid: orderView.merchant_uid,
        name: "원목 의자 외 1건",
        amount: 64900,
        currency: "KRW",
        status: "pending",
      },
    },
    refuses: {
      "a fractional amount": [
        {
          merchant_uid: "o",
          name: "x",
          amount: 649.5,
          currency: "KRW",
          status: "pending",
        },
        "amount",
      ],
    },
  },
  {
    schema: "order view",
    parser: OrderView,
    accepts: { "a paid order": orderView, "a virtual account order": vbankOrderView },
    refuses: {
      "an unknown status": [{ ...orderView, status: "approved" }, "status"],
      "a vbank without number": [
        { ...vbankOrderView, vbank: { ...vbankOrderView.vbank, number: undefined } },
        "vbank.number",
      ],
    },
  },
  {
    schema: "complete request",
    parser: CompleteRequest,
    accepts: { "both ids": { imp_uid: "imp_1", merchant_uid: "order_1" } },
    refuses: { "a missing imp_uid": [{ merchant_uid: "order_1" }, "imp_uid"] },
  },
  {
    schema: "complete response",
    parser: CompleteResponse,
    accepts: {
      success: { status: "success", message: "결제가 완료되었습니다.", order: orderView },
      vbankIssued: { status: "vbankIssued", message: "가상계좌 발급", order: vbankOrderView },
      forgery: { status: "forgery", message: "위조된 결제시도", order: orderView },
    },
    refuses: {
      "a status from another vocabulary": [
        { status: "paid", message: "", order: orderView },
        "status",
      ],
    },
  },
  {
    schema: "mobile return query",
    parser: MobileReturnQuery,
    accepts: {
      "imp_success as a string": {
        imp_uid: "imp_1",
        merchant_uid: "order_1",
        imp_success: "true",
        return: "https://shop.example.com/cart",
      },
      "success instead of imp_success, with an error": {
        imp_uid: "imp_1",
        merchant_uid: "order_1",
        success: "false",
        error_code: "F400",
        error_msg: "사용자가 결제를 취소하셨습니다",
      },
      "neither flag (KG Inicis bank transfer)": { imp_uid: "imp_1", merchant_uid: "order_1" },
    },
    refuses: {
      "imp_success that is not true or false": [
        { merchant_uid: "order_1", imp_success: "yes" },
        "imp_success",
      ],
      "a missing merchant_uid": [{ imp_uid: "imp_1" }, "merchant_uid"],
    },
  },
  {
    schema: "error body",
    parser: ErrorBody,
    accepts: { "an error": { status: "error", code: "unknown_sku", message: "no such product" } },
    refuses: { "a missing code": [{ status: "error", message: "x" }, "code"] },
  },
  {
    schema: "config",
    parser: ConfigResponse,
    accepts: {
      "a sandbox config": {
        impCode: "imp12345678",
        sdkUrl: "http://localhost:8787/sandbox/iamport.payment.js",
        sandbox: true,
        payMethods: ["card", "trans", "vbank"],
      },
    },
    refuses: {
      "a merchant code of the wrong shape": [
        { impCode: "imp123", sdkUrl: "https://cdn.iamport.kr/v1/iamport.js" },
        "impCode",
      ],
    },
  },
];
