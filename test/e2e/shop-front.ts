// The shop's front door for the journeys: a reverse proxy to the server that adds an event
// recorder to every HTML page before the page's own scripts, and notes each request. WebDriver
// (WebKit, Safari) has no way to run a script before a page's own, so the recorder rides in the
// page itself, the same way in every engine. The Host header is passed through: the server
// sees the front's origin as its own, as behind a shop's real proxy.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** Records every iamport-pay event a document receives in `window.__events` (per document). */
export const recorderSource = `(() => {
  const events = [];
  window.__events = events;
  for (const type of ["iamport-pay-start", "iamport-pay-success", "iamport-pay-vbank-issued", "iamport-pay-failure"]) {
    document.addEventListener(type, (event) => {
      events.push({ type, detail: JSON.parse(JSON.stringify(event.detail)) });
    });
  }
  // What the engine refused under the page's Content-Security-Policy (every journey expects none).
  document.addEventListener("securitypolicyviolation", (event) => {
    events.push({ type: "csp-violation", detail: { directive: event.violatedDirective, blocked: String(event.blockedURI) } });
  });
})();`;
export const recorderScript = `<script>${recorderSource}</script>`;
const RECORDER_PATH = "/__e2e/recorder.js";

export type ShopFront = {
  url: string;
  /** Every request the front forwarded, in order. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
};

export async function startShopFront(target: () => string): Promise<ShopFront> {
  const requests: ShopFront["requests"] = [];
  const server = createServer((incoming, outgoing) => {
    // The recorder is a same-origin script file, so a Content-Security-Policy of 'self' allows it.
    if (incoming.url === RECORDER_PATH) {
      outgoing.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      outgoing.end(recorderSource);
      return;
    }
    requests.push({ method: incoming.method ?? "GET", path: incoming.url ?? "/" });
    const headers = { ...incoming.headers };
    delete headers["accept-encoding"]; // plain bodies, so HTML can be edited
    const upstream = request(
      new URL(incoming.url ?? "/", target()),
      { method: incoming.method, headers },
      (response) => {
        const type = String(response.headers["content-type"] ?? "");
        if (!type.startsWith("text/html")) {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
          return;
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const html = Buffer.concat(chunks).toString("utf8");
          // Before the page's first script (module scripts run after parsing anyway).
          const first = html.search(/<script/i);
          const at = first === -1 ? html.length : first;
          const tag = `<script src="${RECORDER_PATH}"></script>`;
          const body = html.slice(0, at) + tag + html.slice(at);
          const { "content-length": _length, ...rest } = response.headers;
          outgoing.writeHead(response.statusCode ?? 502, rest);
          outgoing.end(body);
        });
      },
    );
    upstream.on("error", (error) => {
      outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(String(error));
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
