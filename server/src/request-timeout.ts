/**
 * A deadline for every request: past it the caller gets `504 { status: "error", code: "timeout" }`
 * instead of a connection held open, whatever is stuck behind it (a hung Iamport, a locked row).
 * The work itself is not aborted: a verification that finishes later still commits, and the
 * caller's retry (or the webhook, or reconciliation) reads the result, as after any lost answer.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "./errors.js";

/** Calls `fire` after `ms` unless the returned function is called first. */
export type ScheduleTimer = (fire: () => void, ms: number) => () => void;

export const realTimer: ScheduleTimer = (fire, ms) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

export function requestTimeout(ms: number, schedule: ScheduleTimer = realTimer): MiddlewareHandler {
  return async function timeLimit(_c, next) {
    let cancel: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      cancel = schedule(
        () =>
          reject(
            new AppError(504, "timeout", `The request did not finish within ${ms} ms; retry it`),
          ),
        ms,
      );
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      cancel?.();
    }
  };
}
