import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScenarioCli } from "./scenario-cli.js";
import { type RunningSandbox, startSandbox } from "./test-support.js";

describe("the scenario command", () => {
  let s: RunningSandbox;
  let out: string[];
  let err: string[];
  const io = () => ({
    fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init),
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
  });

  beforeEach(async () => {
    s = await startSandbox();
    out = [];
    err = [];
  });
  afterEach(() => s.close());

  it("sets up a scenario on a running sandbox and prints what it made", async () => {
    const code = await runScenarioCli(
      ["vbank-issued", "--merchant-uid", "cli-1", "--amount", "3000", "--url", s.url],
      io(),
    );
    expect(code).toBe(0);
    const printed = JSON.parse(out.join("\n"));
    expect(printed).toMatchObject({
      scenario: "vbank-issued",
      payments: [{ merchant_uid: "cli-1", amount: 3000, status: "ready" }],
    });
    const listed = (await s.call("GET", "/control/payments")).body as unknown as unknown[];
    expect(listed).toHaveLength(1);
  });

  it("lists the scenarios", async () => {
    expect(await runScenarioCli(["--list", "--url", s.url], io())).toBe(0);
    expect(out).toHaveLength(14);
    expect(out[0]).toMatch(/^card-paid /);
  });

  it("exits non-zero with a reason for an unknown scenario, missing arguments or no sandbox", async () => {
    expect(await runScenarioCli(["card-stolen", "--merchant-uid", "x", "--url", s.url], io())).toBe(
      1,
    );
    expect(err.at(-1)).toContain("No scenario card-stolen");
    expect(await runScenarioCli(["card-paid"], io())).toBe(2);
    expect(await runScenarioCli(["card-paid", "--bogus"], io())).toBe(2);
    expect(
      await runScenarioCli(
        ["card-paid", "--merchant-uid", "x", "--url", "http://127.0.0.1:9"],
        io(),
      ),
    ).toBe(1);
    expect(err.at(-1)).toContain("cannot reach the sandbox");
  });
});
