/** Entry point of `pnpm --filter @iamport-pay/sandbox scenario …` (see scenario-cli.ts). */
import { runScenarioCli } from "./scenario-cli.js";

process.exitCode = await runScenarioCli(process.argv.slice(2), {
  fetch: (input, init) => fetch(input, init),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
