/**
 * A transport for the server's Iamport client (StartOptions.fetch) that stands in front of the
 * sandbox and answers payment look-ups the way the real Iamport may: with payments of other
 * shapes and eras (`serve`), reshaped sandbox answers (`reshape`), and Iamport's test-channel
 * filter (`hideTestPayments`: payments with `sandbox: true` are unknown unless the look-up asks
 * `include_sandbox=true`). Everything else goes to the sandbox unchanged.
 */
import type { Answer } from "./iamport-answers.js";

export interface FakeIamport {
  fetch: typeof fetch;
  /** Answers look-ups of this payment (by imp_uid or merchant_uid) with it, as given. */
  serve(payment: Answer): void;
  /** Rewrites every payment the sandbox answers (undefined: as it is). */
  reshape(transform: ((payment: Answer) => Answer) | undefined): void;
  hideTestPayments(on: boolean): void;
  /** Every look-up URL (path and query), in order. */
  lookups: string[];
  reset(): void;
}

const ok = (response: unknown) =>
  new Response(JSON.stringify({ code: 0, message: null, response }), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
const notFound = () =>
  new Response(
    JSON.stringify({ code: 1, message: "존재하지 않는 결제정보입니다.", response: null }),
    { status: 404, headers: { "content-type": "application/json" } },
  );

export function createFakeIamport(upstream: typeof fetch = fetch): FakeIamport {
  const served = new Map<string, Answer>();
  let transform: ((payment: Answer) => Answer) | undefined;
  let hide = false;
  const lookups: string[] = [];

  const visible = (payment: Answer, url: URL) =>
    !(hide && payment.sandbox === true && url.searchParams.get("include_sandbox") !== "true");

  const fake: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : (input as Request).url);
    const method = (init?.method ?? "GET").toUpperCase();
    const lookup = method === "GET" && /\/payments\/(?!prepare)/.test(url.pathname);
    if (!lookup) return upstream(input, init);
    lookups.push(`${url.pathname}${url.search}`);

    const find = /\/payments\/find\/([^/]+)(?:\/([a-z]+))?$/.exec(url.pathname);
    const own = find
      ? [...served.values()]
          .filter(
            (p) =>
              p.merchant_uid === decodeURIComponent(find[1]!) &&
              (find[2] === undefined || p.status === find[2]),
          )
          .at(-1)
      : served.get(decodeURIComponent(url.pathname.split("/").at(-1)!));
    if (own !== undefined) return visible(own, url) ? ok(own) : notFound();

    const response = await upstream(input, init);
    const body = (await response.json()) as { code: number; response: Answer | null };
    if (body.code !== 0 || body.response === null) {
      return new Response(JSON.stringify(body), {
        status: response.status,
        headers: { "content-type": "application/json" },
      });
    }
    if (!visible(body.response, url)) return notFound();
    return ok(transform ? transform(body.response) : body.response);
  };

  return {
    fetch: fake,
    lookups,
    serve(payment) {
      served.set(String(payment.imp_uid), payment);
    },
    reshape(next) {
      transform = next;
    },
    hideTestPayments(on) {
      hide = on;
    },
    reset() {
      served.clear();
      transform = undefined;
      hide = false;
      lookups.length = 0;
    },
  };
}
