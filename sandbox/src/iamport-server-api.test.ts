/**
 * "A client we did not write": samchon's iamport-server-api talks to the sandbox unchanged but
 * for its base URL. The package has no find or prepare functions, so those calls use its
 * connector's connection (token header and host) with plain fetch, as its users would.
 */
import { Payment } from "@iamport-pay/shared";
import imp from "iamport-server-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("the iamport-server-api SDK against the sandbox", () => {
  let s: RunningSandbox;

  beforeEach(async () => {
    s = await startSandbox();
  });
  afterEach(() => s.close());

  it("gets a token, reads, finds, prepares and cancels payments", async () => {
    const connector = new imp.IamportConnector(s.url, {
      imp_key: "sandbox_key",
      imp_secret: "sandbox_secret",
    });
    const token = await imp.functional.users.getToken(
      { host: s.url },
      { imp_key: "sandbox_key", imp_secret: "sandbox_secret" },
    );
    expect(token.code).toBe(0);
    expect(token.response.expired_at).toBeGreaterThan(token.response.now);

    const connection = await connector.get();
    const created = Payment.parse(
      (
        await s.call("POST", "/control/payments", {
          // A live-channel payment: this client cannot send include_sandbox.
          body: { merchant_uid: "sdk-1", amount: 30000, sandbox: false },
        })
      ).body,
    );

    const read = await imp.functional.payments.at(connection, created.imp_uid, {});
    expect(read.code).toBe(0);
    expect(read.response).toMatchObject({
      imp_uid: created.imp_uid,
      status: "paid",
      amount: 30000,
    });

    const headers = {
      ...(connection.headers as Record<string, string>),
      "content-type": "application/json",
    };
    const found = await (await fetch(`${connection.host}/payments/find/sdk-1`, { headers })).json();
    expect(found).toMatchObject({ code: 0, response: { imp_uid: created.imp_uid } });

    const prepared = await fetch(`${connection.host}/payments/prepare`, {
      method: "POST",
      headers,
      body: JSON.stringify({ merchant_uid: "sdk-2", amount: 5000 }),
    });
    expect(await prepared.json()).toMatchObject({
      code: 0,
      response: { merchant_uid: "sdk-2", amount: 5000 },
    });

    const partial = await imp.functional.payments.cancel(connection, {
      imp_uid: created.imp_uid,
      merchant_uid: "sdk-1",
      amount: 10000,
      checksum: 30000,
      reason: "partial",
    });
    expect(partial.code).toBe(0);
    expect(partial.response).toMatchObject({ status: "paid", cancel_amount: 10000 });

    const rest = await imp.functional.payments.cancel(connection, {
      imp_uid: created.imp_uid,
      merchant_uid: "sdk-1",
      checksum: null,
      reason: "rest",
    });
    expect(rest.response).toMatchObject({ status: "cancelled", cancel_amount: 30000 });

    const again = await imp.functional.payments.cancel(connection, {
      imp_uid: created.imp_uid,
      merchant_uid: "sdk-1",
      checksum: null,
      reason: "again",
    });
    expect(again.code).not.toBe(0);
  });
});
