/** Test helpers: a sandbox and a webhook receiver on real ports, and a tiny REST client. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Payment } from "@iamport-pay/shared";
import { Hono } from "hono";
import { createSandbox, type Sandbox, type SandboxOptions, sandboxDefaults } from "./index.js";

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(
  fetchHandler: (request: Request) => Response | Promise<Response>,
): Promise<Listening> {
  const server = serve({ fetch: fetchHandler, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  body: { code: number; message: string | null; response: unknown } & Record<string, unknown>;
}

export interface RunningSandbox {
  sandbox: Sandbox;
  url: string;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
  token(): Promise<string>;
  /** A payment made through the control API (`POST /control/payments`), as the sandbox stored it. */
  createPayment(body: Record<string, unknown>): Promise<Payment>;
  close(): Promise<void>;
}

export async function startSandbox(options?: SandboxOptions): Promise<RunningSandbox> {
  const sandbox = createSandbox(options);
  const server = await listen(sandbox.app.fetch);
  const call: RunningSandbox["call"] = async (method, path, { body, token, headers = {} } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer["body"] };
  };
  return {
    sandbox,
    url: server.url,
    call,
    async token() {
      const answer = await call("POST", "/users/getToken", {
        body: {
          imp_key: options?.impKey ?? sandboxDefaults.impKey,
          imp_secret: options?.impSecret ?? sandboxDefaults.impSecret,
        },
      });
      return (answer.body.response as { access_token: string }).access_token;
    },
    async createPayment(body) {
      return Payment.parse((await call("POST", "/control/payments", { body })).body);
    },
    async close() {
      await sandbox.close();
      await server.close();
    },
  };
}

export interface ReceivedWebhook {
  contentType: string | null;
  text: string;
}

/** A merchant's webhook endpoint that records what arrives and answers `statuses` in turn. */
export async function startReceiver(statuses: number[] = [200]) {
  const received: ReceivedWebhook[] = [];
  const app = new Hono();
  app.post("/webhook", async (c) => {
    received.push({ contentType: c.req.header("content-type") ?? null, text: await c.req.text() });
    const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
    return c.text("ok", status as 200);
  });
  const server = await listen(app.fetch);
  return { url: `${server.url}/webhook`, received, close: server.close };
}
