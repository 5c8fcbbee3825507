// The same fixtures as schemas.test.ts, parsed inside Chromium: the schemas behave the same in a
// browser, and this proves the browser test pipeline end to end.
import { expect } from "@open-wc/testing";
import { formatZodError } from "../src/index.js";
import { cases } from "./cases.js";

for (const { schema, parser, accepts, refuses } of cases) {
  describe(`${schema} in Chromium`, () => {
    for (const [what, input] of Object.entries(accepts)) {
      it(`accepts ${what}`, () => {
        const result = parser.safeParse(input);
        expect(result.success ? "ok" : formatZodError(result.error)).to.equal("ok");
      });
    }
    for (const [what, [input, field]] of Object.entries(refuses)) {
      it(`refuses ${what}, naming ${field}`, () => {
        const result = parser.safeParse(input);
        expect(result.success).to.equal(false);
        if (!result.success) expect(formatZodError(result.error)).to.contain(`${field}: `);
      });
    }
  });
}

describe("the browser running these tests", () => {
  it("is a real Chromium, Firefox or WebKit", () => {
    expect(navigator.userAgent).to.match(/Chrome\/|Firefox\/|AppleWebKit\//);
  });
});
