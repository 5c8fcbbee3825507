/**
 * `POST /payments/cancel`'s body as Iamport takes it (JSON or form): `amount` absent or 0 is a
 * full cancel; `extra` (Naver Pay's `extra.requester`) and `retain_promotion` are accepted.
 */
import { CancelRequestFields, namesPayment } from "@iamport-pay/shared";
import { z } from "zod";

export const SandboxCancelRequest = CancelRequestFields.extend({
  amount: z.number().nonnegative().optional(),
  retain_promotion: z.boolean().optional(),
  extra: z.object({ requester: z.enum(["customer", "admin"]).optional() }).optional(),
}).refine(...namesPayment);
export type SandboxCancelRequest = z.infer<typeof SandboxCancelRequest>;
