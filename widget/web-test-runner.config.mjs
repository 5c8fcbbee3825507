import { browserTestConfig } from "../wtr.base.mjs";
import { fakeServer } from "./test/fake-server.mjs";

export default browserTestConfig({
  tsconfig: new URL("./tsconfig.json", import.meta.url).pathname,
  files: ["test/**/*.browser.test.ts"],
  // The repository root, so the IIFE test can load ../dist/ like a plain page would.
  rootDir: "..",
  middleware: [fakeServer],
  // A bound for a hung test, not a speed target: CI machines are shared and slow.
  testFramework: { config: { timeout: 60_000 } },
});
