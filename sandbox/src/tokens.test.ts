import { TokenEnvelope } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("POST /users/getToken and the token rules", () => {
  let clock = Date.UTC(2026, 10, 25, 9, 0, 0);
  let s: RunningSandbox;
  const credentials = { imp_key: "sandbox_key", imp_secret: "sandbox_secret" };

  beforeEach(async () => {
    clock = Date.UTC(2026, 10, 25, 9, 0, 0);
    s = await startSandbox({ now: () => clock });
  });
  afterEach(() => s.close());

  it("issues a token that lives 30 minutes", async () => {
    const answer = await s.call("POST", "/users/getToken", { body: credentials });
    expect(answer.status).toBe(200);
    const token = TokenEnvelope.parse(answer.body).response!;
    expect(answer.body).toMatchObject({ code: 0, message: null });
    expect(token.now).toBe(clock / 1000);
    expect(token.expired_at - token.now).toBe(1800);
  });

  it("accepts a form-encoded body", async () => {
    const response = await fetch(`${s.url}/users/getToken`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(credentials).toString(),
    });
    expect(response.status).toBe(200);
    expect(TokenEnvelope.parse(await response.json()).code).toBe(0);
  });

  it("refuses a wrong secret with 401 and no token", async () => {
    const answer = await s.call("POST", "/users/getToken", {
      body: { ...credentials, imp_secret: "wrong" },
    });
    expect(answer.status).toBe(401);
    expect(answer.body.code).not.toBe(0);
    expect(answer.body.response).toBeNull();
  });

  it("refuses missing credentials and a malformed body with a 4xx envelope", async () => {
    const missing = await s.call("POST", "/users/getToken", { body: { imp_key: "sandbox_key" } });
    expect(missing.status).toBe(401);
    const broken = await fetch(`${s.url}/users/getToken`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: -1, response: null });
  });

  it("hands back the same token while it is valid, with the same expiry", async () => {
    const first = await s.call("POST", "/users/getToken", { body: credentials });
    clock += 10 * 60_000;
    const second = await s.call("POST", "/users/getToken", { body: credentials });
    const a = TokenEnvelope.parse(first.body).response!;
    const b = TokenEnvelope.parse(second.body).response!;
    expect(b.access_token).toBe(a.access_token);
    expect(b.expired_at).toBe(a.expired_at);
  });

  it("moves the expiry 5 minutes later when asked in the token's last minute", async () => {
    const first = TokenEnvelope.parse(
      (await s.call("POST", "/users/getToken", { body: credentials })).body,
    ).response!;
    clock += (1800 - 30) * 1000;
    const second = TokenEnvelope.parse(
      (await s.call("POST", "/users/getToken", { body: credentials })).body,
    ).response!;
    expect(second.access_token).toBe(first.access_token);
    expect(second.expired_at).toBe(first.expired_at + 300);
  });

  it("answers 401 to an expired token and issues a new one afterwards", async () => {
    const token = await s.token();
    clock += 1800 * 1000;
    const answer = await s.call("GET", "/payments/imp_000000000000", { token });
    expect(answer.status).toBe(401);
    expect(answer.body.response).toBeNull();
    expect(await s.token()).not.toBe(token);
  });

  it("accepts the token as Bearer, bare, or in X-ImpTokenHeader", async () => {
    const token = await s.token();
    const forms: Record<string, string>[] = [
      { authorization: `Bearer ${token}` },
      { authorization: token },
      { "x-imptokenheader": token },
    ];
    for (const headers of forms) {
      // 404 (not 401) proves the token was accepted: the payment does not exist.
      const answer = await s.call("GET", "/payments/imp_000000000000", { headers });
      expect(answer.status).toBe(404);
    }
  });

  it("answers 401 to a missing or unknown token", async () => {
    expect((await s.call("GET", "/payments/imp_000000000000")).status).toBe(401);
    expect((await s.call("GET", "/payments/imp_000000000000", { token: "nope" })).status).toBe(401);
  });
});
