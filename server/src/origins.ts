/**
 * Which page origins may call the API (CORS) and receive a shopper back after a mobile payment
 * (`return`): the server's own origin (PUBLIC_URL, or where it listens), the origin a request was
 * addressed to (a same-origin page), and ALLOWED_ORIGINS on top. In sandbox mode the loopback
 * names `localhost`, `127.0.0.1` and `[::1]` are one host: a page opened at any of them, on the
 * same scheme and port as an allowed loopback origin, is allowed too.
 */
export interface OriginPolicyOptions {
  /** The server's own origin, as shoppers reach it (PUBLIC_URL). */
  publicOrigin?: string | undefined;
  /** ALLOWED_ORIGINS: added to the server's own origin, never replacing it. */
  allowedOrigins?: readonly string[] | undefined;
  /** Treat the loopback names as one host (sandbox mode only: a developer's machine). */
  loopbackEquivalent?: boolean;
}

export interface OriginPolicy {
  /** Every origin allowed for a request addressed to `requestUrl`. */
  allowed(requestUrl: string): string[];
  allows(origin: string, requestUrl: string): boolean;
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** `origin` under each loopback name, when it is a loopback origin; else just `origin`. */
function loopbackVariants(origin: string): string[] {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return [origin];
  }
  if (!LOOPBACK.includes(url.hostname)) return [origin];
  return LOOPBACK.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`);
}

export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const fixed = [
    ...(options.publicOrigin ? [options.publicOrigin] : []),
    ...(options.allowedOrigins ?? []),
  ];
  const expand = (origins: string[]) =>
    options.loopbackEquivalent ? origins.flatMap(loopbackVariants) : origins;
  const fixedAllowed = new Set(expand(fixed));

  function allowed(requestUrl: string): string[] {
    const own = new URL(requestUrl).origin;
    return [...new Set([...expand([own]), ...fixedAllowed])];
  }
  return {
    allowed,
    allows: (origin, requestUrl) =>
      fixedAllowed.has(origin) || expand([new URL(requestUrl).origin]).includes(origin),
  };
}
