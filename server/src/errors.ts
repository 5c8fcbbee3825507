/**
 * The server's one error type: a status, a code from shared's `errorCodes`, a message safe to
 * show anyone. `app.ts`'s `onError` maps it to `{ status: "error", code, message }`; anything
 * else becomes a generic 500 with no internals.
 */
import type { ErrorCode } from "@iamport-pay/shared";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** The body or query string failed validation. */
export const badRequest = (message: string) => new AppError(400, "bad_request", message);
