// The widget against the real thing: a whole server (memory:// PGlite, sandbox mode) started
// inside the test runner, mounted under /pay on the test page's own origin by a small reverse
// proxy, as a shop would mount it. Same origin, so a test can reach into the sandbox's checkout
// iframe and press its buttons like a shopper. Run with tsx (the server is TypeScript).
import { request } from "node:http";
import { createServer } from "node:net";
import { loadConfig, startServer } from "@iamport-pay/server";
import { browserTestConfig } from "../wtr.base.mjs";

const PREFIX = "/pay";
const HOST = "127.0.0.1";
// The test page's origin is known before the server starts, so the server can allow it as a
// mobile `return` target (ALLOWED_ORIGINS), as a shop would configure its own origin.
const port = await freePort();
const server = await startServer(
  loadConfig({
    PORT: "0",
    DATABASE_URL: "memory://",
    ALLOWED_ORIGINS: `http://${HOST}:${port}`,
  }),
  { log: () => {} },
);
const target = new URL(server.url);

let closing;
function closeServer() {
  closing ??= server.close();
  return closing;
}
process.once("exit", () => void closeServer());

/** Forwards `/pay/...` to the server, untouched (no dev-server transforms). */
async function mountServer(ctx, next) {
  if (ctx.path !== PREFIX && !ctx.path.startsWith(`${PREFIX}/`)) return next();
  const url = new URL(ctx.url.slice(PREFIX.length) || "/", target);
  // The shop's reverse proxy speaks for the shop's origin.
  const headers = { ...ctx.req.headers, host: target.host };
  ctx.respond = false;
  await new Promise((resolve) => {
    const upstream = request(url, { method: ctx.method, headers }, (response) => {
      ctx.res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(ctx.res);
      response.on("end", resolve);
    });
    upstream.on("error", (error) => {
      ctx.res.writeHead(502, { "content-type": "text/plain" });
      ctx.res.end(String(error));
      resolve();
    });
    ctx.req.pipe(upstream);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const config = browserTestConfig({
  hostname: HOST,
  port,
  tsconfig: new URL("./tsconfig.json", import.meta.url).pathname,
  files: ["widget-*.browser.test.ts"],
  middleware: [mountServer],
  // A bound for a hung test, not a speed target: three engines share one server on a busy machine.
  testFramework: { config: { timeout: 120_000 } },
});
// The dev server's own shutdown hook: the server (and its PGlite) must not outlive the run.
config.plugins.push({ name: "iamport-pay-server", serverStop: closeServer });
export default config;
