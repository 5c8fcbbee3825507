// The default JSON logger writes to stdout in batches: every line still arrives, whole and in order.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createJsonLogger } from "./logger.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the default JSON logger", () => {
  it("writes the lines of one turn to stdout together, in order, once the turn is over", async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const log = createJsonLogger();

    log("info", "request", { request_id: "a" });
    log("warn", "order updated", { request_id: "b" });
    const duringTurn = writes.length;
    await new Promise((resolve) => setImmediate(resolve));

    expect(duringTurn).toBe(0);
    expect(writes).toHaveLength(1);
    const lines = (writes[0] ?? "").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toMatchObject([
      { level: "info", message: "request", request_id: "a" },
      { level: "warn", message: "order updated", request_id: "b" },
    ]);
  });

  it("hands each line to a given writer at once", () => {
    const lines: string[] = [];
    const log = createJsonLogger((line) => lines.push(line));

    log("error", "hook onPaid threw", { error: "boom" });

    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: "error", message: "hook onPaid threw", error: "boom" },
    ]);
  });
});
