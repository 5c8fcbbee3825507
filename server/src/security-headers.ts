/**
 * Security headers. Every answer says `X-Content-Type-Options: nosniff`, so a JSON body (which
 * may echo a shopper's input) is never sniffed into HTML or script. Our HTML pages also get a
 * Content-Security-Policy each page satisfies (no inline scripts; the mobile result page's one
 * `<style>` by hash) and hono's secure headers, except HSTS: that belongs to the TLS-terminating
 * proxy, which knows whether every subdomain is on HTTPS. The sandbox's own pages (its checkout
 * page, inline by design) are a development tool and are left as they are.
 */
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

export const noSniff: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("x-content-type-options", "nosniff");
};

/** The SHA-256 CSP source of an inline `<style>` or `<script>` body. */
export function cspHash(body: string): string {
  return `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`;
}

const common = {
  // HSTS with includeSubDomains from a route mounted in a merchant's app could reach domains it
  // knows nothing of: the proxy that terminates TLS sets it.
  strictTransportSecurity: false,
  // The Iamport SDK's PG windows are cross-origin popups that report back to their opener.
  crossOriginOpenerPolicy: "same-origin-allow-popups",
} as const;

/**
 * The demo shop and the sandbox console (sandbox mode): scripts, styles and frames from this
 * server, plus the origins the pages are told to load the SDK from (the server's public URL may
 * name 127.0.0.1 while the browser came in through localhost).
 */
export function demoPageHeaders(otherOrigins: readonly string[] = []): MiddlewareHandler {
  const self = ["'self'", ...otherOrigins];
  return secureHeaders({
    ...common,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: self,
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: self,
      frameSrc: self,
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
    },
  });
}

/** The static result page after a redirect payment: no script at all, one hashed `<style>`. */
export function resultPageHeaders(styleHash: string): MiddlewareHandler {
  return secureHeaders({
    ...common,
    xFrameOptions: "DENY",
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [styleHash],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
}
