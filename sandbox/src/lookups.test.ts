import { Payment } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("payment lookups", () => {
  let s: RunningSandbox;
  let token: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2026, 10, 1);
    s = await startSandbox({ now: () => clock });
    token = await s.token();
  });
  afterEach(() => s.close());

  async function create(body: Record<string, unknown>) {
    const answer = await s.call("POST", "/control/payments", { body });
    expect(answer.status).toBe(201);
    return Payment.parse(answer.body);
  }
  const get = (path: string) => s.call("GET", path, { token });

  describe("include_sandbox", () => {
    it("leaves test-channel payments out of every lookup unless include_sandbox=true", async () => {
      const test = await create({ merchant_uid: "t-1", amount: 1000 });
      expect(test.sandbox).toBe(true);
      for (const path of [
        `/payments/${test.imp_uid}`,
        "/payments/find/t-1",
        "/payments/findAll/t-1",
        `/payments?imp_uid[]=${test.imp_uid}`,
      ]) {
        expect((await get(path)).status, path).toBe(404);
        const joined = path.includes("?") ? "&" : "?";
        const included = await get(`${path}${joined}include_sandbox=true`);
        expect(included.status, path).toBe(200);
      }
      const byStatus = await get("/payments/status/paid");
      expect(byStatus.body.response).toMatchObject({ total: 0, list: [] });
      const included = await get("/payments/status/paid?include_sandbox=true");
      expect(included.body.response).toMatchObject({ total: 1 });
    });

    it("shows a live-channel payment made through the control API without include_sandbox", async () => {
      const live = await create({ merchant_uid: "l-1", amount: 1000, sandbox: false });
      const answer = await get(`/payments/${live.imp_uid}`);
      expect(answer.status).toBe(200);
      expect(answer.body.response).toMatchObject({ imp_uid: live.imp_uid, sandbox: false });
    });
  });

  describe("find, findAll, status and the multi-id list", () => {
    async function history() {
      const first = await create({ merchant_uid: "o-1", amount: 1000, status: "failed" });
      clock += 60_000;
      const second = await create({ merchant_uid: "o-1", amount: 1000 });
      clock += 60_000;
      const third = await create({ merchant_uid: "o-1", amount: 1000, status: "failed" });
      return { first, second, third };
    }
    const q = "include_sandbox=true";

    it("finds the latest payment by start time, or the earliest with sorting=started", async () => {
      const { first, second, third } = await history();
      expect((await get(`/payments/find/o-1?${q}`)).body.response).toMatchObject({
        imp_uid: third.imp_uid,
      });
      expect((await get(`/payments/find/o-1?sorting=started&${q}`)).body.response).toMatchObject({
        imp_uid: first.imp_uid,
      });
      expect((await get(`/payments/find/o-1/paid?${q}`)).body.response).toMatchObject({
        imp_uid: second.imp_uid,
      });
      expect((await get(`/payments/find/o-1?sorting=-paid&${q}`)).body.response).toMatchObject({
        imp_uid: second.imp_uid,
      });
      expect((await get(`/payments/find/o-1?sorting=sideways&${q}`)).status).toBe(400);
    });

    it("lists every payment of an order, paged, newest first", async () => {
      const { first, second, third } = await history();
      const page1 = await get(`/payments/findAll/o-1?limit=2&${q}`);
      expect(page1.body.response).toMatchObject({ total: 3, previous: 0, next: 2 });
      const list1 = (page1.body.response as { list: Payment[] }).list;
      expect(list1.map((p) => p.imp_uid)).toEqual([third.imp_uid, second.imp_uid]);
      const page2 = await get(`/payments/findAll/o-1?limit=2&page=2&${q}`);
      expect(page2.body.response).toMatchObject({ total: 3, previous: 1, next: 0 });
      expect((page2.body.response as { list: Payment[] }).list[0]?.imp_uid).toBe(first.imp_uid);
      const failed = await get(`/payments/findAll/o-1/failed?${q}`);
      expect(failed.body.response).toMatchObject({ total: 2 });
      expect((await get(`/payments/findAll/o-1/bogus?${q}`)).status).toBe(400);
      expect((await get(`/payments/findAll/nobody?${q}`)).status).toBe(404);
      expect((await get(`/payments/findAll/o-1?limit=1001&${q}`)).status).toBe(400);
    });

    it("lists payments by status within from/to, and refuses a page past the end", async () => {
      const { second } = await history();
      const paid = await get(`/payments/status/paid?${q}`);
      expect(paid.body.response).toMatchObject({ total: 1, previous: 0, next: 0 });
      expect((paid.body.response as { list: Payment[] }).list[0]?.imp_uid).toBe(second.imp_uid);
      expect((await get(`/payments/status/all?${q}`)).body.response).toMatchObject({ total: 3 });
      const before = Math.floor(Date.UTC(2026, 9, 1) / 1000);
      expect(
        (await get(`/payments/status/all?from=${before}&to=${before + 60}&${q}`)).body.response,
      ).toMatchObject({ total: 0 });
      expect((await get(`/payments/status/paid?page=5&${q}`)).status).toBe(400);
      expect((await get(`/payments/status/unpaid?${q}`)).status).toBe(400);
    });

    it("answers several imp_uids at once, 207 with what it found when some are unknown", async () => {
      const { first, second } = await history();
      const both = await get(
        `/payments?imp_uid[]=${first.imp_uid}&imp_uid[]=${second.imp_uid}&${q}`,
      );
      expect(both.status).toBe(200);
      expect((both.body.response as Payment[]).map((p) => p.imp_uid)).toEqual([
        first.imp_uid,
        second.imp_uid,
      ]);
      const partial = await get(
        `/payments?imp_uid[]=${first.imp_uid}&imp_uid[]=imp_000000000000&${q}`,
      );
      expect(partial.status).toBe(207);
      expect(partial.body.code).toBe(0);
      expect((partial.body.response as Payment[]).map((p) => p.imp_uid)).toEqual([first.imp_uid]);
      expect((await get(`/payments?imp_uid[]=imp_000000000000&${q}`)).status).toBe(404);
      expect((await get("/payments")).status).toBe(400);
    });
  });

  it("answers a route it does not serve as an unknown route, never as a missing payment", async () => {
    for (const path of [
      "/payments/findAll",
      "/payments/status",
      "/payments/find",
      "/subscribe/customers/x",
      "/escrows/logis/imp_1",
    ]) {
      const response = await fetch(`${s.url}${path}`, { headers: { authorization: token } });
      expect(response.status, path).toBe(404);
      const text = await response.text();
      expect(text, path).not.toContain("결제정보");
      expect(() => JSON.parse(text), path).toThrow();
    }
  });
});
