/** The log of REST calls (`GET /control/calls`), so tests can see what a client asked. */
import type { MiddlewareHandler } from "hono";

export interface RecordedCall {
  method: string;
  /** The path as requested, including any prefix the sandbox is mounted under. */
  path: string;
  query: string;
  status: number;
  /** Iamport's `code` in the answer, when it had one. */
  code: number | null;
  at: number;
}

export interface CallLog {
  middleware(): MiddlewareHandler;
  list(): RecordedCall[];
  clear(): void;
}

export function createCallLog(nowMs: () => number): CallLog {
  let calls: RecordedCall[] = [];
  return {
    middleware() {
      return async function recordCall(c, next) {
        const at = Math.floor(nowMs() / 1000);
        await next();
        let code: number | null = null;
        try {
          const body: unknown = await c.res.clone().json();
          if (body && typeof body === "object" && "code" in body && typeof body.code === "number") {
            code = body.code;
          }
        } catch {
          // not JSON: no code to record
        }
        const url = new URL(c.req.url);
        calls.push({
          method: c.req.method,
          path: url.pathname,
          query: url.search,
          status: c.res.status,
          code,
          at,
        });
      };
    },
    list: () => [...calls],
    clear() {
      calls = [];
    },
  };
}
