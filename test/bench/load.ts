/**
 * A fixed number of requests with autocannon, each one built from its index (so every request can
 * name a different order), each answer checked. Throughput is answers per second of wall clock,
 * from the start to the last answer.
 */
import autocannon from "autocannon";

export interface LoadSpec {
  /** Origin, e.g. http://127.0.0.1:8787 */
  url: string;
  connections: number;
  /** How many requests in all. */
  amount: number;
  method: "GET" | "POST";
  headers?: Record<string, string>;
  /** The i-th request's path and JSON body; i may pass `amount` by up to `connections`. */
  request(i: number): { path: string; body?: unknown };
  /** Whether an answer is right; a 2xx with the wrong body is an error too. Default: any 2xx. */
  check?(status: number, body: string, i: number): boolean;
}

export interface LoadResult {
  connections: number;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts, non-2xx answers and failed checks. */
  errors: number;
  seconds: number;
}

interface Context {
  index?: number;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let failed = 0;
  const check = spec.check ?? ((status: number) => status >= 200 && status < 300);
  const started = performance.now();
  let lastAnswer = started;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    amount: spec.amount,
    timeout: 30,
    requests: [
      {
        method: spec.method,
        setupRequest(request, context) {
          const index = next++;
          (context as Context).index = index;
          const built = spec.request(index);
          return {
            ...request,
            path: built.path,
            headers: {
              ...spec.headers,
              ...(built.body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(built.body === undefined ? {} : { body: JSON.stringify(built.body) }),
          };
        },
        onResponse(status, body, context) {
          lastAnswer = performance.now();
          if (!check(status, body, (context as Context).index ?? -1)) failed++;
        },
      },
    ],
  });
  // Up to the last answer: autocannon reports only at its next one-second sample tick, which
  // would round short runs up to whole seconds.
  const seconds = (lastAnswer - started) / 1000;
  return {
    connections: spec.connections,
    requests: result.requests.total,
    perSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: failed + result.errors + result.timeouts,
    seconds,
  };
}
