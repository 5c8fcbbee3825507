import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCENARIO_NAMES } from "./scenarios.js";
import { type RunningSandbox, startReceiver, startSandbox } from "./test-support.js";

interface ScenarioAnswer {
  scenario: string;
  payments: { imp_uid: string; status: string; amount: number; cancel_amount: number }[];
  sends: string;
}

describe("named scenarios", () => {
  let s: RunningSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    receiver = await startReceiver();
    s = await startSandbox({ noticeUrl: receiver.url });
  });
  afterEach(async () => {
    await s.close();
    await receiver.close();
  });

  async function trigger(name: string, body: Record<string, unknown> = {}) {
    const answer = await s.call("POST", `/control/scenarios/${name}`, {
      body: { merchant_uid: `order-${name}`, amount: 10000, ...body },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as unknown as ScenarioAnswer;
  }
  async function webhookStatuses() {
    await s.sandbox.settled();
    return receiver.received.map((r) => JSON.parse(r.text).status as string);
  }
  async function read(impUid: string, token?: string) {
    return s.call("GET", `/payments/${impUid}?include_sandbox=true`, {
      token: token ?? (await s.token()),
    });
  }

  it("lists every scenario with what it sends", async () => {
    const list = (await s.call("GET", "/control/scenarios")).body as unknown as {
      name: string;
      sends: string;
    }[];
    expect(list.map((l) => l.name)).toEqual(SCENARIO_NAMES);
    expect(SCENARIO_NAMES).toHaveLength(14);
    for (const entry of list) expect(entry.sends).not.toBe("");
  });

  it.each([
    ["card-paid", ["paid"], ["paid"]],
    ["card-declined", ["failed"], []],
    ["shopper-closed", ["failed"], []],
    ["vbank-issued", ["ready"], ["ready"]],
    ["vbank-deposited", ["paid"], ["ready", "paid"]],
    ["vbank-expired", ["ready"], ["ready"]],
    ["partial-refund", ["paid"], ["paid", "paid"]],
    ["console-refund", ["cancelled"], ["paid", "cancelled"]],
    ["webhook-lost", ["paid"], []],
    ["duplicate-payment", ["paid", "paid"], ["paid", "paid"]],
    ["forged-amount", ["paid"], ["paid"]],
  ])("%s leaves payments %j and sends webhooks %j", async (name, statuses, webhooks) => {
    const result = await trigger(name);
    expect(result.payments.map((p) => p.status)).toEqual(statuses);
    const token = await s.token();
    for (const payment of result.payments) {
      expect((await read(payment.imp_uid, token)).body.response).toMatchObject({
        status: payment.status,
      });
    }
    expect(await webhookStatuses()).toEqual(webhooks);
  });

  it("forged-amount pays less than the order, partial-refund refunds half", async () => {
    expect((await trigger("forged-amount")).payments[0]).toMatchObject({ amount: 100 });
    expect((await trigger("partial-refund")).payments[0]).toMatchObject({ cancel_amount: 5000 });
  });

  it("vbank-expired refuses a deposit", async () => {
    const [account] = (await trigger("vbank-expired")).payments;
    expect((await s.call("POST", `/control/payments/${account!.imp_uid}/deposit`)).status).toBe(
      409,
    );
  });

  it("webhook-delayed sends its webhook only after delay_ms", async () => {
    const result = await trigger("webhook-delayed", { delay_ms: 50 });
    expect(receiver.received).toHaveLength(0);
    expect(await webhookStatuses()).toEqual(["paid"]);
    expect(JSON.parse(receiver.received[0]!.text).imp_uid).toBe(result.payments[0]!.imp_uid);
  });

  it("iamport-outage fails REST calls until the faults are cleared", async () => {
    await trigger("iamport-outage");
    const token = await s.call("POST", "/users/getToken", {
      body: { imp_key: "sandbox_key", imp_secret: "sandbox_secret" },
    });
    expect(token.status).toBe(500);
    await s.call("DELETE", "/control/faults");
    expect((await s.token()).length).toBeGreaterThan(0);
  });

  it("token-expired ends the tokens already handed out", async () => {
    const token = await s.token();
    const [paid] = (await trigger("token-expired")).payments;
    expect((await read(paid!.imp_uid, token)).status).toBe(401);
    expect((await read(paid!.imp_uid)).status).toBe(200);
  });

  it("makes a live-channel payment when asked, and refuses unknown names and bad bodies", async () => {
    const [live] = (await trigger("card-paid", { sandbox: false })).payments;
    const token = await s.token();
    expect((await s.call("GET", `/payments/${live!.imp_uid}`, { token })).status).toBe(200);
    expect((await s.call("POST", "/control/scenarios/card-stolen", { body: {} })).status).toBe(404);
    expect((await s.call("POST", "/control/scenarios/card-paid", { body: {} })).status).toBe(400);
    expect(
      (
        await s.call("POST", "/control/scenarios/card-paid", {
          body: { merchant_uid: "x", notice_url: "http://10.1.2.3/hook" },
        })
      ).status,
    ).toBe(400);
  });
});
