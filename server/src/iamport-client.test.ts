// The Iamport client against the sandbox over real HTTP, with one clock for both sides.
import { createServer, type Server, type ServerResponse } from "node:http";
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

describe("the connection bound", () => {
  it("keeps calls over the bound waiting in a queue, then answers every one", async () => {
    // An Iamport that holds each payment lookup until the test lets it go, counting how many
    // it holds at once.
    const held: ServerResponse[] = [];
    let most = 0;
    const upstream = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/users/getToken") {
        const now = Math.floor(Date.now() / 1000);
        response.end(
          JSON.stringify({
            code: 0,
            message: null,
            response: { access_token: "t", now, expired_at: now + 1800 },
          }),
        );
        return;
      }
      held.push(response);
      most = Math.max(most, held.length);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const iamport = createIamportClient({ baseUrl: url, key: "k", secret: "s", maxConnections: 2 });
    // A payment as the sandbox describes one, renamed for each lookup.
    const template = await client().getPayment(await makePayment());
    const answer = (impUid: string) =>
      JSON.stringify({ code: 0, message: null, response: { ...template, imp_uid: impUid } });
    try {
      await iamport.getToken();
      const ids = Array.from({ length: 6 }, (_, i) => `imp_${i}`);
      const lookups = ids.map((id) => iamport.getPayment(id));
      let answered = 0;
      while (answered < ids.length) {
        await until(() => held.length > 0);
        const response = held.shift() as ServerResponse;
        const id = /\/payments\/(.+)$/.exec(response.req.url ?? "")?.[1] ?? "";
        response.end(answer(id));
        answered++;
      }
      const payments = await Promise.all(lookups);
      expect(payments.map((p) => p.imp_uid)).toEqual(ids);
      expect(most).toBe(2);
    } finally {
      await iamport.close?.();
      await new Promise<void>((resolve) => {
        upstream.closeAllConnections();
        upstream.close(() => resolve());
      });
    }
  });
});

describe("reading answers", () => {
  it("reads an answer sent in pieces, a character split between them, and one that starts with a BOM", async () => {
    const name = "원목 의자 ".repeat(500);
    const upstream = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      if (request.url === "/users/getToken") {
        const now = Math.floor(Date.now() / 1000);
        const token = { access_token: "t", now, expired_at: now + 1800 };
        response.end(`\ufeff${JSON.stringify({ code: 0, message: null, response: token })}`);
        return;
      }
      const payment = {
        imp_uid: "imp_1",
        merchant_uid: "m",
        amount: 1000,
        cancel_amount: 0,
        currency: "KRW",
        status: "paid",
        name,
      };
      const bytes = Buffer.from(JSON.stringify({ code: 0, message: null, response: payment }));
      // Cut inside the first (three-byte) Hangul character.
      const cut = bytes.indexOf(Buffer.from("원")) + 1;
      response.write(bytes.subarray(0, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 20);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const iamport = createIamportClient({ baseUrl: url, key: "k", secret: "s" });
    try {
      expect(await iamport.getToken()).toBe("t");
      expect((await iamport.getPayment("imp_1")).name).toBe(name);
    } finally {
      await iamport.close?.();
      await new Promise<void>((resolve) => {
        upstream.closeAllConnections();
        upstream.close(() => resolve());
      });
    }
  });
});

/** Polls until the condition holds (up to 20 s: the machine may be busy). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 20 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
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
