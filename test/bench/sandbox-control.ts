/** The few sandbox control-API calls the bench makes (sandbox/README.md, "Control API"). */
import { sandboxDefaults } from "@iamport-pay/sandbox";

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
}

export interface CallCounts {
  total: number;
  tokens: number;
  payments: number;
}

export function sandboxControl(url: string) {
  async function send(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  return {
    async counts(): Promise<CallCounts> {
      const calls = (await send("GET", "/control/calls")) as RecordedCall[];
      return {
        total: calls.length,
        tokens: calls.filter((call) => call.path.endsWith("/users/getToken")).length,
        payments: calls.filter((call) => /\/payments\/[^/]+$/.test(call.path)).length,
      };
    },
    setLatency: (ms: number) =>
      send("POST", "/control/faults", { target: "payments", mode: "latency", ms }),
    clearFaults: () => send("DELETE", "/control/faults"),
    async token(): Promise<string> {
      const answer = (await send("POST", "/users/getToken", {
        imp_key: sandboxDefaults.impKey,
        imp_secret: sandboxDefaults.impSecret,
      })) as { response: { access_token: string } };
      return answer.response.access_token;
    },
  };
}

/** Subtracts two snapshots: the calls made in between. */
export function callsBetween(before: CallCounts, after: CallCounts): CallCounts {
  return {
    total: after.total - before.total,
    tokens: after.tokens - before.tokens,
    payments: after.payments - before.payments,
  };
}
