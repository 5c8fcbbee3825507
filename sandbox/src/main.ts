#!/usr/bin/env node
/** Runs the sandbox on its own, REST API at the root: `IAMPORT_API_URL=http://127.0.0.1:PORT`. */
import { serve } from "@hono/node-server";
import { z } from "zod";
import { createSandbox, sandboxDefaults } from "./index.js";

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8788),
  HOST: z.string().default("127.0.0.1"),
  IMP_CODE: z
    .string()
    .regex(/^imp\d{8}$/, "imp followed by 8 digits")
    .default(sandboxDefaults.impCode),
  IMP_KEY: z.string().min(1).default(sandboxDefaults.impKey),
  IMP_SECRET: z.string().min(1).default(sandboxDefaults.impSecret),
  NOTICE_URL: z.url().optional(),
  WEBHOOK_CONTENT_TYPE: z
    .enum(["application/json", "application/x-www-form-urlencoded"])
    .default("application/json"),
  PAYMENT_SHAPE: z.enum(["full", "legacy", "sparse"]).default("full"),
  SHAPE_SEED: z.coerce.number().int().default(1),
  REDIRECT_MERCHANT_UID_ONLY: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(
    `sandbox: bad environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
  );
  process.exit(1);
}
const env = parsed.data;
const sandbox = createSandbox({
  impCode: env.IMP_CODE,
  impKey: env.IMP_KEY,
  impSecret: env.IMP_SECRET,
  noticeUrl: env.NOTICE_URL,
  webhookContentType: env.WEBHOOK_CONTENT_TYPE,
  paymentShape: env.PAYMENT_SHAPE,
  shapeSeed: env.SHAPE_SEED,
  redirectMerchantUidOnly: env.REDIRECT_MERCHANT_UID_ONLY,
});
const server = serve({ fetch: sandbox.app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const url = `http://${env.HOST}:${info.port}`;
  console.log(`Iamport sandbox at ${url} (IMP_CODE ${env.IMP_CODE}, IMP_KEY ${env.IMP_KEY})`);
  console.log(`  SDK: ${url}/iamport.payment.js   control API: ${url}/control/...`);
  console.log(`  webhooks: ${env.NOTICE_URL ?? "none (set NOTICE_URL)"}`);
  console.log(`  payment shape: ${env.PAYMENT_SHAPE} (PUT /control/settings changes it)`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void sandbox.close().finally(() => server.close(() => process.exit(0)));
  });
}
