// Chromium tests for the stand-in SDK and checkout page. The sandbox runs inside the test
// runner's own dev server under /sandbox/, so the checkout iframe is same-origin and the tests
// can drive it. Webhooks go to a stub fetch that answers 200 (they are checked through
// GET /sandbox/control/webhooks).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
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

// axe-core from npm, served to the page so a test can load it into the checkout frame.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"));
async function axeMiddleware(ctx, next) {
  if (ctx.path !== "/axe.min.js") return next();
  ctx.type = "text/javascript";
  ctx.body = axeSource;
}

export default browserTestConfig({
  tsconfig: new URL("./test/tsconfig.json", import.meta.url).pathname,
  files: ["test/**/*.browser.test.ts"],
  middleware: [axeMiddleware, sandboxMiddleware],
  // A bound for a hung test, not a speed target: CI machines are shared and slow.
  testFramework: { config: { timeout: 60_000 } },
});
