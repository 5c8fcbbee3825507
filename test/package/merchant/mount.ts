// A merchant's own Hono app with the payment API mounted under /pay: type-checked against the
// installed packages' declarations, then run on plain Node. Prints what each request answered.
import { createSandbox, sandboxDefaults } from "@iamport-pay/sandbox";
import {
  createApp,
  createIamportClient,
  demoCatalog,
  openDb,
  silentLogger,
} from "@iamport-pay/server";
import { Hono } from "hono";

const sandbox = createSandbox();
const iamportUrl = "http://iamport.invalid";
const db = await openDb("memory://");

const pay = createApp({
  db,
  iamport: createIamportClient({
    baseUrl: iamportUrl,
    key: sandboxDefaults.impKey,
    secret: sandboxDefaults.impSecret,
    fetch: async (input, init) => sandbox.app.request(input, init),
    // Sandbox payments are test-channel ones, which Iamport leaves out unless asked for.
    includeSandbox: true,
  }),
  catalog: demoCatalog,
  impCode: sandboxDefaults.impCode,
  sdkUrl: `${iamportUrl}/iamport.payment.js`,
  log: silentLogger,
  // Every sandbox payment says `sandbox: true`; a real shop keeps the default (refuse them).
  refuseSandboxPayments: false,
});

const shop = new Hono();
shop.get("/", (c) => c.text("the shop's home page"));
shop.route("/pay", pay);

type Answer = { status: number; type: string | null; body: unknown };
async function call(app: Hono, path: string, body?: unknown): Promise<Answer> {
  const response = await app.request(
    path,
    body === undefined
      ? {}
      : {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        },
  );
  const type = response.headers.get("content-type");
  const text = await response.text();
  return {
    status: response.status,
    type,
    body: type?.includes("json") ? JSON.parse(text) : text.slice(0, 80),
  };
}

const answers: Record<string, Answer> = {};
answers.home = await call(shop, "/");
answers.healthz = await call(shop, "/pay/healthz");
answers.config = await call(shop, "/pay/config");
answers.unknown = await call(shop, "/pay/no-such-route");
answers.widget = await call(shop, "/pay/iamport-pay-button.js");
answers.order = await call(shop, "/pay/orders", { items: [{ sku: "mug-002", quantity: 2 }] });
const order = answers.order.body as { merchant_uid: string; amount: number };
// The shopper pays in the sandbox; the widget would then report the imp_uid to the server.
answers.payment = await call(sandbox.app, "/control/payments", {
  merchant_uid: order.merchant_uid,
  amount: order.amount,
});
const payment = answers.payment.body as { imp_uid: string };
answers.complete = await call(shop, "/pay/payments/complete", {
  imp_uid: payment.imp_uid,
  merchant_uid: order.merchant_uid,
});
answers.paid = await call(shop, `/pay/orders/${encodeURIComponent(order.merchant_uid)}`);

console.log(JSON.stringify(answers));
await sandbox.close();
await db.close();
