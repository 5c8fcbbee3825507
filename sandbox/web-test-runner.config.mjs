// Chromium tests for the stand-in SDK and checkout page. The sandbox runs inside the test
// runner's own dev server under /sandbox/, so the checkout iframe is same-origin and the tests
// can drive it. Webhooks go to a stub fetch that answers 200 (they are checked through
// GET /sandbox/control/webhooks).
import { Hono } from "hono";
import { tsImport } from "tsx/esm/api";
import { browserTestConfig } from "../wtr.base.mjs";

const { createSandbox } = await tsImport("./src/index.ts", import.meta.url);

const sandbox = createSandbox({
  noticeUrl: "http://merchant.test/iamport-webhook",
  fetch: async () => new Response("ok", { status: 200 }),
});
const app = new Hono().route("/sandbox", sandbox.app);

/** Koa → fetch: hands /sandbox/* to the Hono app and writes its Response back. */
async function sandboxMiddleware(ctx, next) {
  if (!ctx.path.startsWith("/sandbox/")) return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const hasBody = ctx.method !== "GET" && ctx.method !== "HEAD";
  const request = new Request(new URL(ctx.url, `http://${ctx.host}`), {
    method: ctx.method,
    headers: ctx.req.headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await app.fetch(request);
  ctx.status = response.status;
  for (const [key, value] of response.headers) ctx.set(key, value);
  ctx.body = Buffer.from(await response.arrayBuffer());
}

export default browserTestConfig({
  tsconfig: new URL("./test/tsconfig.json", import.meta.url).pathname,
  files: ["test/**/*.browser.test.ts"],
  middleware: [sandboxMiddleware],
  testFramework: { config: { timeout: 10_000 } },
});
