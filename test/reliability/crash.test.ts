// Crash test (PostgreSQL only): the server as a child process under load, killed with SIGKILL,
// started again with reconciliation on. Every order the sandbox knows as paid is `paid` in our
// database, none twice, no request that got a 2xx is lost, and every paid order got its onPaid
// hook at least once (the outbox's sweeper delivers what the kill interrupted).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

const WORKERS = 8;
const ORDERS = 80;
const KILL_AFTER = 30;

describe.skipIf(postgresUrl === undefined)("kill -9 under load", () => {
  let database: TestDatabase;
  let iamport: StandaloneSandbox;
  let server: ServerProcess | undefined;
  let dir: string;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), "iamport-pay-crash-"));
    port = await freePort();
    iamport = await startSandbox(`http://127.0.0.1:${port}/iamport-webhook`);
    env = {
      DATABASE_URL: database.url,
      IAMPORT_API_URL: iamport.url,
      HOOK_LOG: join(dir, "hooks.log"),
      // Short, so the restarted server's sweeper may take over the killed one's hooks soon.
      HOOK_LEASE_MS: "1000",
    };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await iamport?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses no acknowledged order and pays every paid order exactly once after a restart", async () => {
    server = await spawnServer(port, env);
    const url = `http://127.0.0.1:${port}`;
    const created = new Set<string>();
    const completedOk = new Map<string, string>();
    let started = 0;
    let killed: Promise<void> | undefined;
    const inCheckout: { merchant_uid: string; amount: number }[] = [];

    const worker = async () => {
      while (started < ORDERS) {
        started++;
        if (created.size >= KILL_AFTER && !killed) killed = server?.kill();
        const order = await request("POST", `${url}/orders`, {
          items: [{ sku: "chair-001", quantity: 1 }],
        }).catch(() => undefined);
        if (order?.status !== 201) continue;
        created.add(order.body.merchant_uid);
        if (started % 3 === 0) {
          // This shopper is still in the checkout; they pay once the server is down (below).
          inCheckout.push(order.body);
          continue;
        }
        // The shopper pays at Iamport whether or not our server is up; its webhook may be lost.
        const payment = await iamport.control("POST", "/payments", {
          merchant_uid: order.body.merchant_uid,
          amount: order.body.amount,
        });
        const answer = await request("POST", `${url}/payments/complete`, {
          imp_uid: payment.body.imp_uid,
          merchant_uid: order.body.merchant_uid,
        }).catch(() => undefined);
        if (answer?.status === 200) completedOk.set(order.body.merchant_uid, answer.body.status);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await killed;
    for (const order of inCheckout) {
      await iamport.control("POST", "/payments", {
        merchant_uid: order.merchant_uid,
        amount: order.amount,
      });
    }
    await iamport.sandbox.settled();
    expect(created.size).toBeGreaterThanOrEqual(KILL_AFTER);

    // Restart with reconciliation on; it settles what the crash and lost webhooks left.
    server = await spawnServer(port, {
      ...env,
      RECONCILE_INTERVAL_MS: "100",
      RECONCILE_GRACE_MS: "0",
    });
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const paidAtIamport = (
        (await iamport.control("GET", "/payments")).body as {
          merchant_uid: string;
          imp_uid: string;
          status: string;
        }[]
      ).filter((p) => p.status === "paid");
      const ours = async () =>
        new Map(
          (
            await sql<{ merchant_uid: string; status: string; imp_uid: string | null }[]>`
              select merchant_uid, status, imp_uid from orders`
          ).map((row) => [row.merchant_uid, row]),
        );
      for (let i = 0; i < 300; i++) {
        const rows = await ours();
        if (paidAtIamport.every((p) => rows.get(p.merchant_uid)?.status === "paid")) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const rows = await ours();
      // No 2xx lost: every acknowledged order exists, every acknowledged success is paid.
      for (const merchantUid of created) expect(rows.has(merchantUid)).toBe(true);
      for (const [merchantUid, status] of completedOk) {
        if (status === "success") expect(rows.get(merchantUid)?.status).toBe("paid");
      }
      // Every payment Iamport knows as paid is paid here, by that payment.
      for (const payment of paidAtIamport) {
        expect(rows.get(payment.merchant_uid)).toMatchObject({
          status: "paid",
          imp_uid: payment.imp_uid,
        });
      }
      // None twice: one `paid` transition per order.
      const transitions = await sql<{ merchant_uid: string; n: number }[]>`
        select merchant_uid, count(*)::int as n from payment_events
        where decision = 'paid' group by merchant_uid`;
      for (const row of transitions) expect(row.n).toBe(1);
      // The shoppers who paid while the server was down were settled by reconciliation.
      const [reconciled] = await sql<{ n: number }[]>`
        select count(*)::int as n from payment_events where source = 'reconcile' and decision = 'paid'`;
      expect(reconciled?.n).toBeGreaterThanOrEqual(inCheckout.length);
      expect(transitions.length).toBe(paidAtIamport.length);
      // Every paid order gets its onPaid, at least once: the killed process's owed hooks are
      // delivered by the restarted one's sweeper once their lease passes.
      const onPaidLines = () => {
        const log = env.HOOK_LOG as string;
        const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n") : [];
        return lines.filter((line) => line.startsWith("onPaid "));
      };
      const onPaidPerOrder = () => {
        const perOrder = new Map<string, number>();
        for (const line of onPaidLines()) {
          const merchantUid = line.split(" ")[1] as string;
          perOrder.set(merchantUid, (perOrder.get(merchantUid) ?? 0) + 1);
        }
        return perOrder;
      };
      const owed = async () =>
        (await sql<{ n: number }[]>`select count(*)::int as n from hook_outbox`)[0]?.n;
      for (let i = 0; i < 300; i++) {
        const perOrder = onPaidPerOrder();
        if (paidAtIamport.every((p) => perOrder.has(p.merchant_uid)) && (await owed()) === 0) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const perOrder = onPaidPerOrder();
      for (const payment of paidAtIamport) {
        expect(perOrder.get(payment.merchant_uid) ?? 0).toBeGreaterThanOrEqual(1);
      }
      expect(perOrder.size).toBe(paidAtIamport.length);
      expect(await owed()).toBe(0);
      const twice = [...perOrder.values()].filter((n) => n > 1).length;
      // After the restart only reconciliation verifies; any other source there is the sweeper.
      const swept = onPaidLines().filter((line) => {
        const [, , source, pid] = line.split(" ");
        return pid === String(server?.pid) && source !== "reconcile";
      }).length;
      console.info(
        `crash test: ${created.size} orders acknowledged, ${paidAtIamport.length} paid at Iamport, ` +
          `${paidAtIamport.length} paid here (${reconciled?.n} by reconciliation), ` +
          `every one with onPaid (${swept} delivered by the sweeper after the kill, ${twice} twice), ` +
          "0 orders lost",
      );
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 90_000);
});
