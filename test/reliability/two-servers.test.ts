// Two server processes on one PostgreSQL database behind a round-robin (the test alternates the
// base URL): completions, webhooks and mobile returns for the same payments, spread over both and
// fired at once, give exactly one transition and one hook call per transition.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  freePort,
  postgresUrl,
  request,
  type ServerProcess,
  type StandaloneSandbox,
  spawnServer,
  startSandbox,
  type TestDatabase,
} from "./harness.js";

const ORDERS = 30;

describe.skipIf(postgresUrl === undefined)("two server processes on one PostgreSQL", () => {
  let database: TestDatabase;
  let iamport: StandaloneSandbox;
  let servers: ServerProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), "iamport-pay-two-"));
    iamport = await startSandbox("http://127.0.0.1:9/unused");
    const ports = [await freePort(), await freePort()];
    servers = await Promise.all(
      ports.map((port) =>
        spawnServer(port, {
          DATABASE_URL: database.url,
          IAMPORT_API_URL: iamport.url,
          HOOK_LOG: join(dir, "hooks.log"),
        }),
      ),
    );
  }, 90_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await iamport?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives exactly one transition and one hook call per payment step across both", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const base = (i: number) => (i % 2 === 0 ? a.url : b.url);
    const orders: { merchant_uid: string; amount: number; impUid: string }[] = [];

    // Everything for one order at once, alternating servers: 2 completions, 2 webhooks, 1 return.
    const storm = (order: { merchant_uid: string; impUid: string }, status: string) =>
      Promise.all(
        [0, 1, 2, 3, 4].map((i) => {
          const url = base(i);
          const ids = { imp_uid: order.impUid, merchant_uid: order.merchant_uid };
          if (i < 2) return request("POST", `${url}/payments/complete`, ids);
          if (i < 4) return request("POST", `${url}/iamport-webhook`, { ...ids, status });
          return request(
            "GET",
            `${url}/payments/complete/mobile?${new URLSearchParams({ ...ids, imp_success: "true" })}`,
          );
        }),
      );

    for (let i = 0; i < ORDERS; i++) {
      const created = await request("POST", `${base(i)}/orders`, {
        items: [{ sku: "chair-001", quantity: 1 }],
      });
      expect(created.status).toBe(201);
      // Iamport's own webhook goes to the other server.
      const payment = await iamport.control("POST", "/payments", {
        merchant_uid: created.body.merchant_uid,
        amount: created.body.amount,
        notice_url: `${base(i + 1)}/iamport-webhook`,
      });
      orders.push({ ...created.body, impUid: payment.body.imp_uid });
    }
    const paidAnswers = await Promise.all(orders.map((order) => storm(order, "paid")));
    for (const answer of paidAnswers.flat()) expect(answer.status).toBeLessThan(500);

    // Then a partial refund in Iamport's console for every other order, stormed the same way.
    const refunded = orders.filter((_, i) => i % 2 === 0);
    for (const [i, order] of refunded.entries()) {
      await iamport.control("POST", `/payments/${order.impUid}/cancel`, {
        amount: Math.floor(order.amount / 2),
        notice_url: `${base(i)}/iamport-webhook`,
      });
    }
    await Promise.all(refunded.map((order) => storm(order, "cancelled")));
    await iamport.sandbox.settled();
    // Hooks are called after the answers that owe them: a graceful stop waits for every one
    // (and the delete of its outbox row) before the process exits.
    await Promise.all(servers.map((server) => server.stop()));

    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const transitions = await sql<{ merchant_uid: string; decision: string; n: number }[]>`
        select merchant_uid, decision, count(*)::int as n from payment_events
        where decision in ('paid', 'partially_refunded', 'cancelled')
        group by merchant_uid, decision`;
      const hookLines = readFileSync(join(dir, "hooks.log"), "utf8").trim().split("\n");
      const pids = new Set(hookLines.map((line) => line.split(" ")[3]));
      // Both processes did some of the work.
      expect(pids.size).toBe(2);
      for (const [i, order] of orders.entries()) {
        const count = (decision: string) =>
          transitions.find((t) => t.merchant_uid === order.merchant_uid && t.decision === decision)
            ?.n ?? 0;
        const hooks = (name: string) =>
          hookLines.filter((line) => line.startsWith(`${name} ${order.merchant_uid} `)).length;
        const wasRefunded = i % 2 === 0;
        expect({
          paid: count("paid"),
          // A half refund keeps the order paid: its transition is partially_refunded.
          refunded: count("partially_refunded"),
          cancelled: count("cancelled"),
          onPaid: hooks("onPaid"),
          onCancelled: hooks("onCancelled"),
        }).toEqual({
          paid: 1,
          refunded: wasRefunded ? 1 : 0,
          cancelled: 0,
          onPaid: 1,
          onCancelled: wasRefunded ? 1 : 0,
        });
      }
      // Each hook call's outbox row went with it: nothing is left for a sweeper to repeat.
      const [owed] = await sql<{ n: number }[]>`select count(*)::int as n from hook_outbox`;
      expect(owed?.n).toBe(0);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 90_000);
});
