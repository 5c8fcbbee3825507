/**
 * Ceilings (a) and (c), as their own process on bare Hono:
 * - `GET /upstream/:imp_uid`: one keep-alive `GET /payments/{imp_uid}` to the sandbox through the
 *   server's own Iamport client (token cached, answer parsed with shared's schema), returned as
 *   JSON: the least work a verification can do;
 * - `GET /trivial`: a constant JSON body.
 */
import { serve } from "@hono/node-server";
import { createIamportClient } from "@iamport-pay/server";
import { Hono } from "hono";

const port = Number(process.env.PORT ?? 0);
const baseUrl = process.env.IAMPORT_API_URL;
const key = process.env.IMP_KEY;
const secret = process.env.IMP_SECRET;
if (!baseUrl || !key || !secret) {
  console.error("ceiling-server: set IAMPORT_API_URL, IMP_KEY and IMP_SECRET");
  process.exit(1);
}
// include_sandbox as the verify server under test sends it (ACCEPT_TEST_PAYMENTS): the same call.
const iamport = createIamportClient({ baseUrl, key, secret, includeSandbox: true });

const app = new Hono();
app.get("/trivial", (c) => c.json({ status: "ok" }));
app.get("/upstream/:imp_uid", async (c) =>
  c.json(await iamport.getPayment(c.req.param("imp_uid"))),
);

const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" });
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});
