/**
 * The control API changes state without credentials, so a page on another site must not reach
 * it: a body must be `application/json` (a cross-site form or a `text/plain` fetch cannot send
 * that without a CORS preflight, which the sandbox never grants), and a request the browser marks
 * `Sec-Fetch-Site: cross-site` is refused even without a body. The Origin header is not compared
 * with the Host: a reverse proxy in front of a mounted sandbox often rewrites Host.
 */
import type { MiddlewareHandler } from "hono";
import { controlError } from "./envelope.js";

export const controlGuard: MiddlewareHandler = async function controlGuard(c, next) {
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") {
    return next();
  }
  const type = c.req.header("content-type");
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    return controlError(
      c,
      415,
      "unsupported_media_type",
      "The control API takes only application/json.",
    );
  }
  if (c.req.header("sec-fetch-site") === "cross-site") {
    return controlError(
      c,
      403,
      "cross_origin",
      "The control API refuses requests from other sites.",
    );
  }
  return next();
};
