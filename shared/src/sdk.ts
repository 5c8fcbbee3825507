/**
 * The browser SDK's messages: `IMP.request_pay(param, callback)` and the callback's `rsp`.
 */
import { z } from "zod";

const optionalString = z.string().optional();

export const RequestPayParam = z.object({
  pg: optionalString,
  pay_method: z.string().min(1).optional(),
  merchant_uid: z.string().min(1),
  name: z.string().min(1).optional(),
  amount: z.number().positive(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  tax_free: z.number().nonnegative().optional(),
  buyer_email: optionalString,
  buyer_name: optionalString,
  buyer_tel: optionalString,
  buyer_addr: optionalString,
  buyer_postcode: optionalString,
  m_redirect_url: z.url().optional(),
  notice_url: z.union([z.url(), z.array(z.url())]).optional(),
  custom_data: z.unknown().optional(),
  /** Virtual account deposit deadline, `YYYYMMDDhhmm` (or `YYYYMMDD`). */
  vbank_due: z
    .string()
    .regex(/^\d{8}(\d{4})?$/)
    .optional(),
  digital: z.boolean().optional(),
  app_scheme: optionalString,
  language: z.enum(["ko", "en"]).optional(),
  popup: z.boolean().optional(),
});
export type RequestPayParam = z.infer<typeof RequestPayParam>;

/**
 * The callback's `rsp`. With `v1/iamport.js` newer PGs send only `imp_uid`, `merchant_uid`,
 * `error_code`, `error_msg`: failure is then the presence of `error_code`, and `success` may be
 * absent. Every field but `merchant_uid` is therefore optional.
 */
export const RequestPayResponse = z.object({
  success: z.boolean().optional(),
  error_code: z.string().nullish(),
  error_msg: z.string().nullish(),
  imp_uid: z.string().nullish(),
  merchant_uid: z.string(),
  pay_method: optionalString,
  paid_amount: z.number().optional(),
  status: z.enum(["ready", "paid", "cancelled", "failed"]).optional(),
  name: optionalString,
  pg_provider: optionalString,
  pg_tid: optionalString,
  buyer_name: optionalString,
  buyer_email: optionalString,
  buyer_tel: optionalString,
  buyer_addr: optionalString,
  buyer_postcode: optionalString,
  custom_data: z.unknown().optional(),
  paid_at: z.number().int().nonnegative().optional(),
  receipt_url: optionalString,
  apply_num: optionalString,
  vbank_num: optionalString,
  vbank_name: optionalString,
  vbank_holder: optionalString,
  vbank_date: z.number().int().nonnegative().optional(),
});
export type RequestPayResponse = z.infer<typeof RequestPayResponse>;

export { isRequestPayFailure } from "./request-pay.js";
