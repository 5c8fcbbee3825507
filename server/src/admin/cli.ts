/**
 * The admin command line: the admin API's operations for scripts and support staff. It only
 * speaks HTTP to a running server (ADMIN_URL, ADMIN_TOKEN), so it needs no database access and
 * works against production from a laptop, through whatever restricts /admin.
 *
 *   admin orders [--status paid,cancelled] [--q text] [--from 2026-11-01] [--to 2026-11-30]
 *                [--limit 50] [--cursor c] [--all] [--json]
 *   admin order <merchant_uid>
 *   admin refund <merchant_uid> --reason text [--amount minor] [--imp-uid id]
 *                [--holder name --bank code --account number] [--idempotency-key key]
 *   admin sync <merchant_uid>
 *   admin refunds-required
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { AdminOrder, AdminOrderList } from "@iamport-pay/shared";

export const usage = `Usage: admin <command> [options]   (ADMIN_URL and ADMIN_TOKEN from the environment)

  orders [--status s[,s]] [--q text] [--from date] [--to date] [--limit n] [--cursor c] [--all] [--json]
  order <merchant_uid>
  refund <merchant_uid> --reason text [--amount minor-units] [--imp-uid id]
         [--holder name --bank code --account number] [--idempotency-key key]
  sync <merchant_uid>
  refunds-required

ADMIN_URL is where the server's /admin is, e.g. https://shop.example.com/pay/admin
Amounts are integers in the currency's minor unit (won; cents).`;

export interface CliIo {
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

/** Runs one command; resolves to the process exit code (0 ok, 1 refused or failed, 2 usage). */
export async function runAdminCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err((error as Error).message);
    io.err(usage);
    return 2;
  }
  const base = io.env.ADMIN_URL?.replace(/\/+$/, "");
  const token = io.env.ADMIN_TOKEN;
  if (!base || !token) {
    io.err("Set ADMIN_URL (e.g. http://127.0.0.1:8787/admin) and ADMIN_TOKEN.");
    return 2;
  }
  const doFetch = io.fetch ?? fetch;
  const call = async (method: string, path: string, body?: unknown, headers = {}) => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`Cannot reach ${base}: ${(error as Error).message}`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new Error(
        `${response.status} ${json.code ?? ""}: ${json.message ?? response.statusText}`,
      );
    }
    return json;
  };

  const { command, id, values } = parsed;
  try {
    switch (command) {
      case "orders": {
        const query = new URLSearchParams();
        const put = (key: string, value: string | undefined) => value && query.set(key, value);
        put("status", values.status);
        put("q", values.q);
        put("created_from", values.from);
        put("created_to", values.to);
        put("limit", values.limit);
        put("cursor", values.cursor);
        for (;;) {
          const page = (await call("GET", `/orders?${query}`)) as unknown as AdminOrderList;
          if (values.json) io.out(JSON.stringify(page));
          else for (const order of page.orders) io.out(orderLine(order));
          if (!values.all || page.next_cursor === null) {
            if (!values.json && page.next_cursor) io.err(`more: --cursor ${page.next_cursor}`);
            break;
          }
          query.set("cursor", page.next_cursor);
        }
        return 0;
      }
      case "order":
        io.out(JSON.stringify(await call("GET", `/orders/${encodeURIComponent(id!)}`), null, 2));
        return 0;
      case "sync":
        io.out(
          JSON.stringify(await call("POST", `/orders/${encodeURIComponent(id!)}/sync`), null, 2),
        );
        return 0;
      case "refunds-required":
        io.out(JSON.stringify(await call("GET", "/refunds-required"), null, 2));
        return 0;
      case "refund": {
        const body: Record<string, unknown> = { reason: values.reason };
        if (values.amount !== undefined) {
          if (!/^\d+$/.test(values.amount))
            throw new UsageError("--amount: an integer in minor units");
          body.amount = Number(values.amount);
        }
        if (values["imp-uid"]) body.imp_uid = values["imp-uid"];
        if (values.holder) body.refund_holder = values.holder;
        if (values.bank) body.refund_bank = values.bank;
        if (values.account) body.refund_account = values.account;
        // A key per invocation: rerun with the printed key to retry safely after a timeout.
        const key = values["idempotency-key"] ?? randomUUID();
        io.err(`Idempotency-Key: ${key}`);
        const answer = await call("POST", `/orders/${encodeURIComponent(id!)}/refund`, body, {
          "idempotency-key": key,
        });
        io.out(JSON.stringify(answer, null, 2));
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    io.err((error as Error).message);
    return 1;
  }
  return 2;
}

const commands = ["orders", "order", "refund", "sync", "refunds-required"] as const;

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      status: { type: "string" },
      q: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      all: { type: "boolean" },
      json: { type: "boolean" },
      reason: { type: "string" },
      amount: { type: "string" },
      "imp-uid": { type: "string" },
      holder: { type: "string" },
      bank: { type: "string" },
      account: { type: "string" },
      "idempotency-key": { type: "string" },
    },
  });
  const [command, id, ...rest] = positionals;
  if (!commands.includes(command as (typeof commands)[number])) {
    throw new Error(command ? `Unknown command: ${command}` : "No command given");
  }
  const needsId = command === "order" || command === "refund" || command === "sync";
  if (needsId && !id) throw new Error(`${command} needs a merchant_uid`);
  if ((!needsId && id !== undefined) || rest.length > 0) throw new Error("Too many arguments");
  if (command === "refund" && !values.reason) throw new Error("refund needs --reason");
  return { command: command as (typeof commands)[number], id, values };
}

function orderLine(order: AdminOrder): string {
  return [
    order.created_at,
    order.merchant_uid,
    order.status.padEnd(9),
    `${order.amount} ${order.currency}`,
    order.cancel_amount > 0 ? `refunded ${order.cancel_amount}` : "",
    order.buyer.name ?? "",
    order.buyer.email ?? "",
  ]
    .filter(Boolean)
    .join("\t");
}
