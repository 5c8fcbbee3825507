/**
 * Statements and CPU per verification on the happy path, in one process, without HTTP: `createApp`
 * on a counted `Db` (every `Db.query` call is one statement; the happy path sends nothing through
 * drizzle), an Iamport stand-in that answers from memory at once, and `POST /payments/complete`
 * through `app.request`, `CONNECTIONS` at a time. Reports statements sent before the answers
 * (the response path) and after them (hooks and their deletes), and the process's CPU time per
 * verification (user + system, so the machine's load matters less than for rates).
 *
 *   tsx bench/statements.ts [path to a server build's index.js] [verifications]
 *
 * The path lets an A/B compare two builds in one run (alternate them, repeat). DATABASE_URL picks
 * the database (a scratch database is made and dropped on PostgreSQL; unset: in-memory PGlite).
 */
import { randomBytes } from "node:crypto";

const serverPath = process.argv[2] ?? "@iamport-pay/server";
const verifications = Number(process.argv[3] ?? 2_000);
const CONNECTIONS = 32;
const WARMUP = 300;

const server = (await import(serverPath)) as typeof import("@iamport-pay/server");
const base = process.env.DATABASE_URL;
const scratch =
  base && /^postgres(ql)?:\/\//.test(base)
    ? await server.createScratchDatabase(base, "bench_statements")
    : { url: "memory://", drop: async () => {} };
const db = await server.openDb(scratch.url);

const counts = new Map<string, number>();
let statements = 0;
const counted: typeof db = {
  ...db,
  query(text, params) {
    statements++;
    const key = text.trim().split(/\s+/).slice(0, 4).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return db.query(text, params);
  },
};

type Payment = Awaited<ReturnType<typeof server.createIamportClient>["getPayment"]>;
const payments = new Map<string, Payment>();
const iamport = {
  getPayment: async (impUid: string) => payments.get(impUid) as Payment,
  findPayment: async () => {
    throw new Error("not used");
  },
  cancelPayment: async () => {
    throw new Error("not used");
  },
  preparePayment: async () => {
    throw new Error("not used");
  },
  getToken: async () => "token",
} as unknown as ReturnType<typeof server.createIamportClient>;

let hooked = 0;
const app = server.createApp({
  db: counted,
  iamport,
  catalog: server.demoCatalog,
  impCode: "imp00000000",
  sdkUrl: "http://127.0.0.1:9/iamport.js",
  refuseSandboxPayments: false,
  log: () => {},
  hooks: {
    onPaid: () => {
      hooked++;
    },
  },
});
const settled = async () =>
  (app as unknown as { hooksSettled?: () => Promise<void> }).hooksSettled?.();

async function paidOrders(n: number): Promise<{ imp_uid: string; merchant_uid: string }[]> {
  const made = Array.from({ length: n }, () => {
    const id = randomBytes(8).toString("hex");
    return { imp_uid: `imp_${id}`, merchant_uid: `order_${id}` };
  });
  for (let i = 0; i < made.length; i += 500) {
    await db.drizzle.insert(server.orders).values(
      made.slice(i, i + 500).map((m) => ({
        merchantUid: m.merchant_uid,
        name: "Mug",
        amount: 12_000,
        currency: "KRW",
        items: [{ sku: "mug-002", name: "Mug", quantity: 1, amount: 12_000 }],
      })),
    );
  }
  for (const m of made) {
    payments.set(m.imp_uid, {
      imp_uid: m.imp_uid,
      merchant_uid: m.merchant_uid,
      amount: 12_000,
      cancel_amount: 0,
      currency: "KRW",
      status: "paid",
      pay_method: "card",
      pg_provider: "html5_inicis",
      paid_at: Math.floor(Date.now() / 1000),
      fail_reason: null,
      cancel_reason: null,
    } as unknown as Payment);
  }
  return made;
}

async function verifyAll(made: { imp_uid: string; merchant_uid: string }[]): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < made.length) {
      const m = made[next++] as { imp_uid: string; merchant_uid: string };
      const answer = await app.request("/payments/complete", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(m),
      });
      const body = (await answer.json()) as { status?: string };
      if (answer.status !== 200 || body.status !== "success") failures++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return failures;
}

await verifyAll(await paidOrders(WARMUP));
await settled();
const made = await paidOrders(verifications);
statements = 0;
counts.clear();
hooked = 0;
const cpu = process.cpuUsage();
const failures = await verifyAll(made);
const used = process.cpuUsage(cpu);
const beforeHooks = statements;
const answeredCounts = new Map(counts);
await settled();
const total = statements;
// Every delivered hook's outbox row must be gone once the hooks settled.
const [left] = await db.query("select count(*)::int as n from hook_outbox", []);

const perVerification = (n: number) => Math.round((n / verifications) * 100) / 100;
console.log(
  JSON.stringify({
    server: serverPath,
    database: db.kind,
    verifications,
    failures,
    hooks: hooked,
    outboxRowsLeft: left?.n,
    statementsBeforeAnswers: perVerification(beforeHooks),
    statementsTotal: perVerification(total),
    cpuMsPerVerification:
      Math.round(((used.user + used.system) / 1000 / verifications) * 1000) / 1000,
    byStatement: Object.fromEntries(counts),
    answeredByStatement: Object.fromEntries(answeredCounts),
  }),
);
await db.close();
await scratch.drop();
