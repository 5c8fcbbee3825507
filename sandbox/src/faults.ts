/**
 * Injected failures for tests (`POST /control/faults`): the next `count` calls to a group of REST
 * routes fail with a 500, hang until the faults are cleared, or wait `ms` first.
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { IAMPORT_ERROR } from "./envelope.js";

export const FaultTarget = z.enum(["token", "payments", "cancel", "prepare", "all"]);
export type FaultTarget = z.infer<typeof FaultTarget>;

export const FaultRequest = z.object({
  target: FaultTarget,
  mode: z.enum(["error", "hang", "latency"]),
  /** How many calls it affects; absent = until `DELETE /control/faults`. */
  count: z.number().int().positive().optional(),
  /** Latency in ms (default 1000). */
  ms: z.number().int().nonnegative().max(600_000).optional(),
});
export type FaultRequest = z.infer<typeof FaultRequest>;

interface ActiveFault extends FaultRequest {
  remaining: number;
}

export interface Faults {
  add(fault: FaultRequest): void;
  list(): FaultRequest[];
  /** Removes every fault and lets hanging or delayed calls go. */
  clear(): void;
  middleware(target: Exclude<FaultTarget, "all">): MiddlewareHandler;
}

export function createFaults(): Faults {
  let active: ActiveFault[] = [];
  let release = new AbortController();

  function take(target: FaultTarget): ActiveFault | undefined {
    const fault = active.find((f) => f.target === target || f.target === "all");
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) active = active.filter((f) => f !== fault);
    return fault;
  }

  function pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  return {
    add(fault) {
      active.push({ ...fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
    },
    list: () => active.map(({ remaining: _remaining, ...fault }) => fault),
    clear() {
      active = [];
      release.abort();
      release = new AbortController();
    },
    middleware(target) {
      return async function faultInjection(c, next) {
        const fault = take(target);
        if (!fault) return next();
        const signal = release.signal;
        if (fault.mode === "latency") {
          await pause(fault.ms ?? 1000, signal);
          return next();
        }
        if (fault.mode === "hang") {
          await pause(Number.POSITIVE_INFINITY, signal);
          // Reached only once the faults are cleared; the caller has usually given up by then.
          return c.json(
            { code: IAMPORT_ERROR, message: "Sandbox fault: hang released", response: null },
            503,
          );
        }
        return c.json(
          { code: IAMPORT_ERROR, message: "Sandbox fault: injected error", response: null },
          500,
        );
      };
    },
  };
}
