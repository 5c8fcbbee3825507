// The admin command line against a running server in sandbox mode, over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support.js";
import { runAdminCli } from "./cli.js";

const TOKEN = "cli-test-token-0123456789abcdef0123456789ab";
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ ADMIN_TOKEN: TOKEN });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.reset();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(args, {
    env: { ADMIN_URL: `${t.url}/admin`, ADMIN_TOKEN: TOKEN, ...env },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function paidOrder() {
  const order = await t.createOrder();
  const payment = await t.pay(order.merchant_uid, order.amount, { webhook: false });
  await t.complete(payment.imp_uid, order.merchant_uid);
  return order.merchant_uid;
}

describe("admin command line", () => {
  it("lists orders, shows one, refunds part of it and syncs it", async () => {
    const merchantUid = await paidOrder();

    const list = await cli(["orders", "--status", "paid"]);
    expect(list.code).toBe(0);
    expect(list.out).toContain(merchantUid);

    const shown = await cli(["order", merchantUid]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).order.merchant_uid).toBe(merchantUid);

    const refunded = await cli(["refund", merchantUid, "--amount", "1000", "--reason", "cli"]);
    expect(refunded.code, refunded.err).toBe(0);
    expect(JSON.parse(refunded.out).order.cancel_amount).toBe(1_000);
    expect(refunded.err).toMatch(/Idempotency-Key: \S+/);

    const synced = await cli(["sync", merchantUid]);
    expect(synced.code).toBe(0);
    expect(JSON.parse(synced.out).order.cancel_amount).toBe(1_000);

    const all = await cli(["orders", "--all", "--limit", "1", "--json"]);
    expect(all.code).toBe(0);
    expect(all.out.split("\n").map((line) => JSON.parse(line).orders.length)).toEqual([1]);
  });

  it("replays a refund run again with the same --idempotency-key", async () => {
    const merchantUid = await paidOrder();
    const args = [
      "refund",
      merchantUid,
      "--amount",
      "500",
      "--reason",
      "x",
      "--idempotency-key",
      "k-1",
    ];
    expect((await cli(args)).code).toBe(0);
    expect((await cli(args)).code).toBe(0);
    expect(
      (
        await t.api("GET", `/admin/orders/${merchantUid}`, undefined, {
          authorization: `Bearer ${TOKEN}`,
        })
      ).body.order.cancel_amount,
    ).toBe(500);
  });

  it("exits 1 with the server's refusal, and 2 on bad usage or missing settings", async () => {
    const merchantUid = await paidOrder();
    const over = await cli(["refund", merchantUid, "--amount", "99999999", "--reason", "x"]);
    expect(over.code).toBe(1);
    expect(over.err).toContain("refund_exceeds_refundable");

    expect((await cli(["orders"], { ADMIN_TOKEN: "wrong-token" })).err).toContain("unauthorized");
    expect((await cli(["refund", merchantUid])).code).toBe(2);
    expect((await cli(["explode"])).code).toBe(2);
    expect((await cli(["orders", "--bogus"])).code).toBe(2);
    expect((await cli(["refund", merchantUid, "--amount", "1.5", "--reason", "x"])).code).toBe(2);
    expect((await cli(["orders"], { ADMIN_URL: "" })).code).toBe(2);
  });
});
