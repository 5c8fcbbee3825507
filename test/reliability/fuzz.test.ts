// Fuzzing every route with generated bodies, query strings, paths and headers: wrong types, huge
// strings, deep nesting, invalid UTF-8, wrong content types. The answer is always a 4xx JSON error
// (or a documented answer for input that happens to be valid), never a 5xx; nothing stored
// changes; and the server stays healthy.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, type Rig, rawRequest, request, snapshotTables, startRig } from "./harness.js";

export const FUZZ_RUNS = { body: 1000, query: 300, path: 300, method: 200 } as const;

let rig: Rig;
let paidOrder: { merchant_uid: string; impUid: string };
let before: unknown[];
/** Orders that generated input created by being valid (201): the only state change allowed. */
const created = new Set<string>();
/** The server's error log lines: a 5xx names its cause in the failure message. */
const serverErrors: unknown[] = [];

beforeAll(async () => {
  rig = await startRig({
    log: (level, message, fields) => {
      if (level === "error") serverErrors.push({ message, ...fields });
    },
  });
  // One paid order, so that fuzzing that names real ids is tried too.
  const order = await rig.createOrder();
  const paid = await rig.iamport.control("POST", "/payments", {
    merchant_uid: order.merchant_uid,
    amount: order.amount,
  });
  await rig.iamport.sandbox.settled();
  paidOrder = { merchant_uid: order.merchant_uid, impUid: paid.body.imp_uid };
  before = await snapshotTables(rig.server);
});
afterAll(async () => {
  await rig?.close();
});

const huge = fc.integer({ min: 1_000, max: 80_000 }).map((n) => "가".repeat(n));
const junkString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.constantFrom(
    "",
    " ",
    "null",
    "0",
    "-1",
    "1e309",
    "__proto__",
    "constructor",
    "\u0000",
    "\ud800",
  ),
  // Control characters inside otherwise plain text (PostgreSQL refuses U+0000 in text).
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom("\u0000", "\u0001", "\u001b", "\u2028"))
    .map(([text, control]) => `${text}${control}${text}`),
  huge,
);
const realIds = fc.constantFrom(
  () => paidOrder.merchant_uid,
  () => paidOrder.impUid,
);
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  junkString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  realIds.map((id) => id()),
);
const fields = [
  "items",
  "sku",
  "quantity",
  "buyer",
  "pg",
  "pay_method",
  "imp_uid",
  "merchant_uid",
  "status",
  "amount",
  "__proto__",
];
const objectBody = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string()), wrongValue, {
  maxKeys: 6,
});
const itemsBody = fc.record({
  items: fc.oneof(
    fc.array(fc.record({ sku: wrongValue, quantity: wrongValue }), { maxLength: 3 }),
    wrongValue,
  ),
});
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom("[", '{"a":'))
  .map(([n, open]) => `${open.repeat(n)}1${(open === "[" ? "]" : "}").repeat(n)}`);
const invalidUtf8 = fc
  .tuple(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28], [0xed, 0xa0]),
  )
  .map(([bytes, bad]) => {
    const prefix = new TextEncoder().encode('{"imp_uid":"');
    return new Uint8Array([...prefix, ...bytes, ...bad, 0x22, 0x7d]);
  });

const rawBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  objectBody.map((v) => JSON.stringify(v)),
  itemsBody.map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  objectBody.map((v) =>
    new URLSearchParams(
      Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]),
    ).toString(),
  ),
  junkString,
  deepNesting,
  invalidUtf8,
);
/** The right shape for each route with junk in its strings: where validation is thinnest. */
const shortJunk = junkString.filter((text) => text.length < 500);
const someId = fc.oneof(
  shortJunk,
  realIds.map((id) => id()),
);
const nearlyValid: Record<string, fc.Arbitrary<string>> = {
  "/orders": fc
    .record(
      {
        items: fc.constant([{ sku: "chair-001", quantity: 1 }]),
        buyer: fc.record(
          { name: shortJunk, addr: shortJunk, postcode: shortJunk, tel: shortJunk },
          { requiredKeys: [] },
        ),
        pg: shortJunk,
      },
      { requiredKeys: ["items"] },
    )
    .map((v) => JSON.stringify(v)),
  "/payments/complete": fc
    .record({ imp_uid: someId, merchant_uid: someId })
    .map((v) => JSON.stringify(v)),
  "/iamport-webhook": fc
    .record({
      imp_uid: someId,
      merchant_uid: shortJunk,
      status: fc.oneof(shortJunk, fc.constantFrom("paid", "ready", "cancelled")),
    })
    .map((v) => JSON.stringify(v)),
};

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/xml",
  "",
);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,300}$/);
const extraHeaders = fc.dictionary(
  fc.constantFrom("x-request-id", "origin", "accept", "content-encoding", "x-forwarded-for"),
  headerValue,
  { maxKeys: 3 },
);

/** Every UTF-8 byte percent-encoded (lone surrogates become U+FFFD, as a browser would send). */
function percentEncode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((byte) => `%${byte.toString(16).padStart(2, "0")}`)
    .join("");
}

/** The contract for a JSON route: a documented answer, or a 4xx error in our shape. */
function expectContract(answer: Answer, documented: number[]): void {
  expect(answer.status, JSON.stringify(serverErrors.slice(-2))).toBeLessThan(500);
  if (documented.includes(answer.status)) return;
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.headers.get("content-type") ?? "").toContain("application/json");
  expect(answer.body).toMatchObject({
    status: "error",
    code: expect.any(String),
    message: expect.any(String),
  });
}

async function expectHealthyAndUnchanged(): Promise<void> {
  expect((await rig.api("GET", "/healthz")).status).toBe(200);
  const [orders, events, claims, products] = await snapshotTables(rig.server);
  const [ordersBefore, eventsBefore, claimsBefore, productsBefore] = before;
  const kept = (orders as { merchant_uid: string }[]).filter((o) => !created.has(o.merchant_uid));
  expect(kept).toEqual(ordersBefore);
  expect(claims).toEqual(claimsBefore);
  expect(products).toEqual(productsBefore);
  // The audit log may only have gained the record of calls that named no known payment, or that
  // re-verified the paid one (which changed nothing).
  const added = (events as { id: number; decision: string }[]).slice(
    (eventsBefore as unknown[]).length,
  );
  for (const event of added) {
    expect(["payment_not_found", "no_change", "order_mismatch"]).toContain(event.decision);
  }
}

describe("fuzzing every route", () => {
  it("answers generated bodies and headers on every POST route with a 4xx JSON error or a documented answer", async () => {
    const routes: [string, number[]][] = [
      // A valid order by chance (a real sku, junk buyer text) is created: 201, and set aside.
      ["/orders", [201]],
      ["/payments/complete", [200]],
      // The webhook answers 200 for payments that are not ours (Iamport's console test button).
      ["/iamport-webhook", [200]],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...routes)
          .chain((route) =>
            fc.tuple(fc.constant(route), fc.oneof(rawBody, nearlyValid[route[0]] ?? rawBody)),
          ),
        contentType,
        extraHeaders,
        async ([[path, documented], body], type, headers) => {
          const answer = await rawRequest("POST", `${rig.url}${path}`, body, {
            ...(type === undefined ? {} : { "content-type": type }),
            ...headers,
          });
          const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
          if (answer === undefined) {
            // A body over the 64 KiB limit may see its connection closed before the 413 arrives.
            expect(size).toBeGreaterThan(64 * 1024);
            return;
          }
          expectContract(answer, documented);
          if (answer.status === 201) created.add(answer.body.merchant_uid);
          if (path === "/iamport-webhook" && answer.status === 200) {
            expect(answer.body.status).toMatch(/^(ok|ignored)$/);
          }
        },
      ),
      { numRuns: FUZZ_RUNS.body },
    );
    await expectHealthyAndUnchanged();
  }, 90_000);

  it("answers generated query strings on the mobile return with a page or a redirect, never a 5xx", async () => {
    const key = fc.constantFrom(
      "imp_uid",
      "merchant_uid",
      "imp_success",
      "success",
      "error_code",
      "error_msg",
      "return",
      "x",
    );
    const rawQuery = fc.oneof(
      fc
        .array(
          fc.tuple(
            key,
            fc.oneof(
              junkString,
              realIds.map((id) => id()),
            ),
          ),
          { maxLength: 8 },
        )
        .map((pairs) => new URLSearchParams(pairs).toString()),
      fc
        .record(
          { imp_uid: someId, merchant_uid: someId, imp_success: fc.constantFrom("true", "false") },
          { requiredKeys: ["merchant_uid"] },
        )
        .map((record) => new URLSearchParams(record).toString()),
      fc.constantFrom(
        "%",
        "%ZZ",
        "imp_uid=%ff%fe",
        "merchant_uid=%E0%A4%A",
        "a=1&a=2",
        "&&&=",
        "return=javascript:alert(1)",
      ),
    );
    await fc.assert(
      fc.asyncProperty(rawQuery, async (query) => {
        const answer = await request("GET", `${rig.url}/payments/complete/mobile?${query}`);
        // 431: Node's HTTP parser refuses a request line over 16 KiB before any of our code runs.
        expect([200, 303, 400, 431], JSON.stringify(serverErrors.slice(-2))).toContain(
          answer.status,
        );
        if (answer.status === 303) {
          // Only to an allowed origin: never an open redirect.
          expect(new URL(answer.headers.get("location") ?? "").origin).toBe(rig.url);
        }
      }),
      { numRuns: FUZZ_RUNS.query },
    );
    await expectHealthyAndUnchanged();
  }, 90_000);

  it("answers generated paths under /orders and unknown routes with 404 JSON or the public order view", async () => {
    const segment = fc.oneof(
      junkString.filter((s) => s.length < 3000).map(percentEncode),
      fc.constantFrom("%ZZ", "%ff", "..%2f..%2fetc%2fpasswd", "%00", "a%2Fb"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/orders/", "/payments/", "/", "/sandbox/", "/orders/x/"),
        segment,
        async (prefix, tail) => {
          const answer = await request("GET", `${rig.url}${prefix}${tail}`);
          // Node's HTTP parser refuses a request line over 16 KiB before any of our code runs.
          if (answer.status === 431) return;
          // Valid by chance: /orders/<the paid order> answers its view.
          expectContract(answer, tail === paidOrder.merchant_uid ? [200] : []);
        },
      ),
      { numRuns: FUZZ_RUNS.path },
    );
    await expectHealthyAndUnchanged();
  }, 90_000);

  it("answers every route under the wrong method with a 4xx JSON error", async () => {
    const paths = [
      "/config",
      "/orders",
      `/orders/${"x".repeat(32)}`,
      "/payments/complete",
      "/iamport-webhook",
      "/payments/complete/mobile",
      "/healthz",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.constantFrom("PUT", "DELETE", "PATCH", "POST", "GET"),
        fc.option(rawBody, { nil: undefined }),
        async (path, method, body) => {
          const answer = await rawRequest(
            method,
            `${rig.url}${path}`,
            method === "GET" ? undefined : body,
            { "content-type": "application/json" },
          );
          if (answer !== undefined) expect(answer.status).toBeLessThan(500);
        },
      ),
      { numRuns: FUZZ_RUNS.method },
    );
    await expectHealthyAndUnchanged();
  }, 90_000);
});
