/**
 * Iamport's answer shape `{ code, message, response }`: code 0 and message null on success,
 * otherwise a non-zero code, a reason and `response: null`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * UNCONFIRMED: Iamport's exact non-zero codes. We answer -1 for authentication and request
 * errors and 1 for "not found / refused" business failures, the values seen most in public
 * clients and samples.
 */
export const IAMPORT_ERROR = -1;
export const IAMPORT_REFUSED = 1;

// Plain `Response` return types: Hono's inferred JSON types are too large to emit as .d.ts.
export function ok<T>(c: Context, response: T): Response {
  return c.json({ code: 0, message: null, response }, 200);
}

export function fail(
  c: Context,
  status: ContentfulStatusCode,
  code: number,
  message: string,
): Response {
  return c.json({ code, message, response: null }, status);
}

/** Our own (control API) error shape, as every package of ours answers. */
export function controlError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  return c.json({ status: "error" as const, code, message }, status);
}
