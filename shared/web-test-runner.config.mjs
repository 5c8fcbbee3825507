import { browserTestConfig } from "../wtr.base.mjs";

export default browserTestConfig({
  tsconfig: new URL("./tsconfig.json", import.meta.url).pathname,
  files: ["test/**/*.browser.test.ts"],
});
