/**
 * `request_pay`'s param as the checkout page takes it: shared's schema, with what Iamport accepts
 * widened (every documented `vbank_due` form and `language`) and what it refuses narrowed
 * (`merchant_uid` over 40 characters; `m_redirect_url` and `notice_url` that are not http(s)).
 */
import { RequestPayParam } from "@iamport-pay/shared";
import { z } from "zod";
import { MERCHANT_UID_MAX, MERCHANT_UID_TOO_LONG } from "./merchant-uid.js";
import { parseVbankDue, VBANK_DUE_PATTERN } from "./payment-factory.js";
import { isHttpUrl } from "./webhook-target.js";

const httpUrl = z.string().refine(isHttpUrl, "must be an http(s) URL");

/**
 * Payment-window languages: `ko`, `en`, `zh` and `jp` are in PortOne's V1 guides (Eximbay lists
 * `jp`); other PGs take more (UNCONFIRMED which), so any short language tag is let through.
 */
export const Language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/);

export const CheckoutParam = RequestPayParam.extend({
  merchant_uid: z.string().min(1).max(MERCHANT_UID_MAX, MERCHANT_UID_TOO_LONG),
  m_redirect_url: httpUrl.optional(),
  notice_url: z.union([httpUrl, z.array(httpUrl)]).optional(),
  vbank_due: z
    .union([z.string().regex(VBANK_DUE_PATTERN), z.number().int().nonnegative()])
    .refine((due) => parseVbankDue(due) !== undefined, "vbank_due is not a real date")
    .optional(),
  language: Language.optional(),
});
export type CheckoutParam = z.infer<typeof CheckoutParam>;
