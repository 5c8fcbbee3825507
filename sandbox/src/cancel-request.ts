/**
 * `POST /payments/cancel`'s body as Iamport takes it (JSON or form): `amount` absent or 0 is a
 * full cancel; `extra` (Naver Pay's `extra.requester`) and `retain_promotion` are accepted.
 */
import { z } from "zod";

export const SandboxCancelRequest = z
  .object({
    imp_uid: z.string().min(1).optional(),
    merchant_uid: z.string().min(1).optional(),
    amount: z.number().nonnegative().optional(),
    tax_free: z.number().nonnegative().optional(),
    vat_amount: z.number().nonnegative().optional(),
    checksum: z.number().nonnegative().optional(),
    reason: z.string().max(1000).optional(),
    refund_holder: z.string().optional(),
    refund_bank: z.string().optional(),
    refund_account: z.string().optional(),
    refund_tel: z.string().optional(),
    retain_promotion: z.boolean().optional(),
    enable_webhook: z.boolean().optional(),
    extra: z.object({ requester: z.enum(["customer", "admin"]).optional() }).optional(),
  })
  .refine((body) => body.imp_uid !== undefined || body.merchant_uid !== undefined, {
    message: "imp_uid or merchant_uid is required",
    path: ["imp_uid"],
  });
export type SandboxCancelRequest = z.infer<typeof SandboxCancelRequest>;
