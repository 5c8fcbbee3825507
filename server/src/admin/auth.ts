/**
 * The admin API's one guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 * A missing or wrong token is `401 unauthorized`, logged with the path and the caller's address
 * (never with what was sent: a near-miss token is still a secret).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logger.js";

// Hashing both sides first gives equal-length buffers, so neither the comparison's time nor an
// early length check tells anything about the token.
const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export interface AdminAuthOptions {
  token: string;
  log: Logger;
}

export function adminAuth({ token, log }: AdminAuthOptions): MiddlewareHandler {
  return async function adminAuthorization(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer[ ]+(.+)$/i.exec(header.trim());
    if (!match || !tokenMatches(token, match[1]!)) {
      log("warn", "admin request unauthorized", {
        method: c.req.method,
        path: c.req.path,
        reason: header === "" ? "missing token" : "wrong token",
      });
      return c.json(
        { status: "error", code: "unauthorized", message: "A valid admin token is required" },
        401,
        { "www-authenticate": 'Bearer realm="admin"' },
      );
    }
    await next();
  };
}
