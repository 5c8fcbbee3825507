/**
 * `pnpm --filter @iamport-pay/sandbox scenario <name> --merchant-uid <id> [--amount N]
 * [--url http://127.0.0.1:8788] [--notice-url URL] [--live] [--delay-ms N] [--count N]`:
 * sets up a named scenario on a running sandbox through its control API. `--list` lists them.
 */
import { parseArgs } from "node:util";

export interface CliIo {
  fetch: typeof fetch;
  out(line: string): void;
  err(line: string): void;
}

const USAGE =
  "usage: scenario <name> --merchant-uid <id> [--amount N] [--currency KRW] [--url http://127.0.0.1:8788] [--notice-url URL] [--live] [--delay-ms N] [--count N]\n       scenario --list [--url …]";

/** Runs the command; resolves to the process exit code. */
export async function runScenarioCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const base = (values.url ?? "http://127.0.0.1:8788").replace(/\/+$/, "");
  try {
    if (values.list) {
      const list = (await (await io.fetch(`${base}/control/scenarios`)).json()) as {
        name: string;
        summary: string;
        sends: string;
      }[];
      for (const s of list) io.out(`${s.name.padEnd(18)} ${s.summary} Sends: ${s.sends}.`);
      return 0;
    }
    const [name] = positionals;
    if (!name || !values["merchant-uid"]) {
      io.err(USAGE);
      return 2;
    }
    const body: Record<string, unknown> = { merchant_uid: values["merchant-uid"] };
    if (values.amount !== undefined) body.amount = Number(values.amount);
    if (values.currency !== undefined) body.currency = values.currency;
    if (values["notice-url"] !== undefined) body.notice_url = values["notice-url"];
    if (values.live) body.sandbox = false;
    if (values["delay-ms"] !== undefined) body.delay_ms = Number(values["delay-ms"]);
    if (values.count !== undefined) body.count = Number(values.count);
    const response = await io.fetch(`${base}/control/scenarios/${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      io.err(`scenario ${name}: ${String(answer.message ?? response.status)}`);
      return 1;
    }
    io.out(JSON.stringify(answer, null, 2));
    return 0;
  } catch (error) {
    io.err(`scenario: cannot reach the sandbox at ${base} (${(error as Error).message})`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "merchant-uid": { type: "string" },
      amount: { type: "string" },
      currency: { type: "string" },
      url: { type: "string" },
      "notice-url": { type: "string" },
      live: { type: "boolean" },
      "delay-ms": { type: "string" },
      count: { type: "string" },
      list: { type: "boolean" },
    },
  });
}
