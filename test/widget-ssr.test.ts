import { describe, expect, it } from "vitest";

// A string, so tsc does not follow it: the widget's source compiles with its own tsconfig
// (Lit's legacy decorators), which this package's does not enable.
const widget = "@iamport-pay/widget";

describe("the widget on a server (SSR)", () => {
  it("importing the module in Node does not throw and exports the element and its events", async () => {
    const mod = (await import(widget)) as Record<string, unknown>;

    expect(typeof mod.IamportPayButton).toBe("function");
    expect(typeof mod.PaySuccessEvent).toBe("function");
    expect(typeof mod.PayFailureEvent).toBe("function");
  });
});
