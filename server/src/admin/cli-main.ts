/** `pnpm --filter @iamport-pay/server admin …`: the admin command line's entry (reads the env). */
import { runAdminCli } from "./cli.js";

const code = await runAdminCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);
