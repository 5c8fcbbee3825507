/**
 * A local Iamport V1: REST API, stand-in browser SDK, checkout page, webhooks and a
 * control API, all on one Hono app that can be mounted under any prefix.
 */
import { Hono } from "hono";
import { createCheckoutRoutes } from "./checkout.js";
import { createControlRoutes } from "./control.js";
import { controlError, fail, IAMPORT_ERROR } from "./envelope.js";
import { resolveOptions, type SandboxOptions } from "./options.js";
import { createRestRoutes } from "./rest.js";
import { createState } from "./state.js";
import { unknownRoute } from "./unknown-route.js";

export type { RecordedCall } from "./calls.js";
export type { FaultRequest } from "./faults.js";
export {
  PAYMENT_SHAPES,
  type PaymentShape,
  type SandboxOptions,
  sandboxDefaults,
  type WebhookContentType,
} from "./options.js";
export { SCENARIO_NAMES, type ScenarioName } from "./scenarios.js";
export type { WebhookAttempt } from "./webhooks.js";

export interface Sandbox {
  app: Hono;
  /** Forgets payments, tokens, prepared amounts, faults and logs. */
  reset(): void;
  /** Resolves when no webhook delivery is in flight. */
  settled(): Promise<void>;
  /** Releases hanging calls and abandons webhook retries. */
  close(): Promise<void>;
}

export function createSandbox(options?: SandboxOptions): Sandbox {
  const state = createState(resolveOptions(options));
  const app = new Hono();
  app.route("/", createRestRoutes(state));
  app.route("/", createControlRoutes(state));
  app.route("/", createCheckoutRoutes(state));

  app.notFound((c) =>
    c.req.path.includes("/control/")
      ? controlError(c, 404, "not_found", `No route ${c.req.method} ${c.req.path}`)
      : unknownRoute(c),
  );
  app.onError((error, c) => {
    // A bug in the sandbox must still answer in Iamport's shape, without internals.
    console.error("sandbox error:", error);
    return fail(c, 500, IAMPORT_ERROR, "Sandbox internal error");
  });

  return {
    app,
    reset: () => state.reset(),
    settled: () => state.webhooks.settled(),
    async close() {
      state.faults.clear();
      state.webhooks.reset();
      await state.webhooks.settled();
    },
  };
}
