/**
 * Two of hono's middlewares with their common case made cheap on Node. Under @hono/node-server a
 * request is a light wrapper around Node's IncomingMessage, and a response built with `c.json` is
 * written straight from its string; touching `c.req.raw.body`, or replacing a finished response,
 * turns them into web `Request`/`Response` objects with a `ReadableStream` each, for every
 * request. What each answers is unchanged.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * hono's `bodyLimit`, without reading `c.req.raw.body` when the headers settle it: a body with a
 * Content-Length (and no Transfer-Encoding) is refused on that number alone, as hono does; only a
 * chunked body (or none declared) is counted as it streams, by hono's own middleware.
 */
export function limitBody(
  maxSize: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return function limitBody(c, next) {
    const method = c.req.method;
    // No body on these (a web Request cannot carry one, so hono's middleware lets them pass).
    if (method === "GET" || method === "HEAD" || method === "TRACE") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length || "0", 10) > maxSize ? Promise.resolve(onError(c)) : next();
    }
    return streamed(c, next);
  };
}

/**
 * hono's `cors` for preflights (OPTIONS); for every other request the same two headers it sets,
 * `Access-Control-Allow-Origin: <the request's Origin>` when one is sent and `Vary: Origin` on
 * the answer, without hono's `c.header` after the handler (which rebuilds the finished response
 * as a streamed one). Only for an origin function that allows every origin it is given, as ours
 * does: the refusal is a middleware of its own, after this one.
 */
export function apiCors(preflight: MiddlewareHandler): MiddlewareHandler {
  return async function apiCors(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    const origin = c.req.header("origin");
    if (origin) c.header("Access-Control-Allow-Origin", origin);
    await next();
    c.res.headers.append("Vary", "Origin");
  };
}
