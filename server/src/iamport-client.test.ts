// The Iamport client against the sandbox over real HTTP, with one clock for both sides.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSandbox, type Sandbox } from "@iamport-pay/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createIamportClient,
  IamportError,
  IamportUnavailableError,
  PaymentNotFoundError,
} from "./iamport-client.js";
import { manualTimeouts } from "./test-support.js";

let clock = Date.now();
let sandbox: Sandbox;
let baseUrl: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  sandbox = createSandbox({ impKey: "key", impSecret: "the-secret-value", now: () => clock });
  const server = serve({ fetch: sandbox.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});
afterAll(async () => {
  await sandbox?.close();
  await closeServer?.();
});
beforeEach(() => {
  sandbox.reset();
});

// Deadlines end only when a test says so: a loaded machine can never make a call "time out".
let timeouts = manualTimeouts();
beforeEach(() => {
  timeouts = manualTimeouts();
});

const client = (secret = "the-secret-value") =>
  createIamportClient({
    baseUrl,
    key: "key",
    secret,
    // The sandbox's payments are test-channel ones, hidden without include_sandbox=true.
    includeSandbox: true,
    now: () => clock,
    timeoutMs: 300,
    timeoutSignal: (ms) => timeouts.signal(ms),
    retryDelayMs: 10,
  });

async function calls(): Promise<{ path: string; status: number }[]> {
  return (await fetch(`${baseUrl}/control/calls`)).json() as Promise<
    { path: string; status: number }[]
  >;
}
const tokenCalls = async () =>
  (await calls()).filter((c) => c.path.endsWith("/users/getToken")).length;

async function makePayment(): Promise<string> {
  const response = await fetch(`${baseUrl}/control/payments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ merchant_uid: `m-${Math.random()}`, amount: 1000 }),
  });
  return ((await response.json()) as { imp_uid: string }).imp_uid;
}

describe("the access token", () => {
  it("is fetched once for many concurrent calls and reused after", async () => {
    const impUid = await makePayment();
    const iamport = client();

    const payments = await Promise.all(
      Array.from({ length: 10 }, () => iamport.getPayment(impUid)),
    );
    await iamport.getPayment(impUid);

    expect(payments.every((p) => p.imp_uid === impUid)).toBe(true);
    expect(await tokenCalls()).toBe(1);
  });

  it("is renewed shortly before it expires", async () => {
    const impUid = await makePayment();
    const iamport = client();
    await iamport.getPayment(impUid);

    clock += 25 * 60_000;
    await iamport.getPayment(impUid);
    expect(await tokenCalls()).toBe(1);

    clock += 4.5 * 60_000; // inside the last minute of its 30
    await iamport.getPayment(impUid);
    expect(await tokenCalls()).toBe(2);
  });

  it("is renewed once when Iamport answers 401", async () => {
    const iamport = client();
    await iamport.getToken();
    sandbox.reset(); // Iamport forgets the token: the next call gets 401
    const impUid = await makePayment();

    const payment = await iamport.getPayment(impUid);

    expect(payment.imp_uid).toBe(impUid);
    // payments → 401, getToken → 200, payments again → 200
    expect((await calls()).map((c) => c.status)).toEqual([401, 200, 200]);
  });

  it("is refused for a wrong secret, with an error that does not carry it", async () => {
    const error = await client("wrong-secret-value")
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IamportError);
    expect((error as Error).message).not.toContain("secret-value");
  });
});

describe("errors", () => {
  it("maps an unknown payment to PaymentNotFoundError", async () => {
    await expect(client().getPayment("imp_000000000000")).rejects.toBeInstanceOf(
      PaymentNotFoundError,
    );
  });

  it("retries a read once on a 5xx, then reports Iamport unavailable", async () => {
    const impUid = await makePayment();
    const iamport = client();
    await iamport.getToken();
    await fetch(`${baseUrl}/control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "payments", mode: "error", count: 1 }),
    });
    expect((await iamport.getPayment(impUid)).imp_uid).toBe(impUid);

    await fetch(`${baseUrl}/control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "payments", mode: "error" }),
    });
    await expect(iamport.getPayment(impUid)).rejects.toBeInstanceOf(IamportUnavailableError);
    await fetch(`${baseUrl}/control/faults`, { method: "DELETE" });
  });

  it("never retries a cancel", async () => {
    const impUid = await makePayment();
    const iamport = client();
    await iamport.getToken();
    await fetch(`${baseUrl}/control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "cancel", mode: "error", count: 1 }),
    });

    await expect(iamport.cancelPayment({ imp_uid: impUid })).rejects.toBeInstanceOf(
      IamportUnavailableError,
    );
    expect((await calls()).filter((c) => c.path.endsWith("/payments/cancel"))).toHaveLength(1);
  });

  it("gives up on a hanging Iamport at its timeout", async () => {
    const impUid = await makePayment();
    const iamport = client();
    await iamport.getToken();
    await fetch(`${baseUrl}/control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "payments", mode: "hang" }),
    });

    const before = timeouts.handedOut;
    const pending = iamport.getPayment(impUid).catch((e: unknown) => e);
    while (timeouts.handedOut === before) await new Promise((resolve) => setImmediate(resolve));
    // The call is out and Iamport holds it: its deadline passes (and its retry's).
    timeouts.expire();
    const error = await pending;
    await fetch(`${baseUrl}/control/faults`, { method: "DELETE" });

    expect(error).toBeInstanceOf(IamportUnavailableError);
    expect((error as Error).message).toMatch(/within 300 ms/);
  });
});

describe("prepare", () => {
  it("registers an amount Iamport then reports back", async () => {
    const prepared = await client().preparePayment({ merchant_uid: "prep-1", amount: 64_900 });
    expect(prepared).toMatchObject({ merchant_uid: "prep-1", amount: 64_900 });
  });
});

describe("payment look-ups", () => {
  it("ask for test-channel payments with include_sandbox=true only when told to", async () => {
    const impUid = await makePayment();
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const options = { baseUrl, key: "key", secret: "the-secret-value", fetch: recording };
    // Without include_sandbox the sandbox, like Iamport, answers as if a test payment did not exist.
    await expect(createIamportClient(options).getPayment(impUid)).rejects.toBeInstanceOf(
      PaymentNotFoundError,
    );
    await createIamportClient({ ...options, includeSandbox: true }).getPayment(impUid);
    await createIamportClient({ ...options, includeSandbox: true }).findPayment!(
      "m-1",
      "paid",
    ).catch((error) => expect(error).toBeInstanceOf(PaymentNotFoundError));

    const lookups = urls.filter((url) => !url.endsWith("/users/getToken"));
    expect(lookups.map((url) => new URL(url).search)).toEqual([
      "",
      "?include_sandbox=true",
      "?include_sandbox=true",
    ]);
  });

  it("find an order's payment in a given status, or its latest, and say when there is none", async () => {
    const merchantUid = `m-${Math.random()}`;
    const pay = (status: string) =>
      fetch(`${baseUrl}/control/payments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ merchant_uid: merchantUid, amount: 1000, status }),
      }).then((r) => r.json() as Promise<{ imp_uid: string }>);
    const paid = await pay("paid");
    const failed = await pay("failed");
    const iamport = client();

    expect((await iamport.findPayment!(merchantUid)).imp_uid).toBe(failed.imp_uid);
    expect((await iamport.findPayment!(merchantUid, "paid", "-started")).imp_uid).toBe(
      paid.imp_uid,
    );
    await expect(iamport.findPayment!(merchantUid, "ready")).rejects.toBeInstanceOf(
      PaymentNotFoundError,
    );
  });
});
