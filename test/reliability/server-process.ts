/**
 * The server as its own process, for the crash and two-process tests: `startServer` from the
 * environment (IMP_KEY/IMP_SECRET and IAMPORT_API_URL point at a standalone sandbox, whose
 * payments it accepts), with hooks that append one line per call to HOOK_LOG, so the test can
 * count them across processes and restarts. SIGTERM closes it; the crash test uses SIGKILL.
 */
import { appendFileSync } from "node:fs";
import { type HookEvent, loadConfig, silentLogger, startServer } from "@iamport-pay/server";

const hookLog = process.env.HOOK_LOG;
const record = (name: string) => (event: HookEvent) => {
  // One write(2) per line with O_APPEND: lines from two processes never interleave.
  if (hookLog) {
    appendFileSync(hookLog, `${name} ${event.order.merchant_uid} ${event.source} ${process.pid}\n`);
  }
};

const running = await startServer(loadConfig(process.env), {
  log: silentLogger,
  acceptSandboxPayments: true,
  hooks: {
    onPaid: record("onPaid"),
    onVbankIssued: record("onVbankIssued"),
    onCancelled: record("onCancelled"),
    onForgery: record("onForgery"),
    onDuplicate: record("onDuplicate"),
  },
});

process.on("SIGTERM", () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
