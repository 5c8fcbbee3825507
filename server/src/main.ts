/** `pnpm start`: the only reader of process.env; prints, listens, and shuts down on signals. */
import { loadConfig } from "./config.js";
import { startServer } from "./server.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const running = await startServer(config).catch((error: Error) => {
  console.error(`Could not start: ${error.message}`);
  process.exit(1);
});

if (running.sandbox) {
  console.log(
    [
      "",
      "  ┌────────────────────────────────────────────────────────────┐",
      "  │  SANDBOX MODE: no IMP_KEY/IMP_SECRET set.                   │",
      "  │  Payments go to the built-in sandbox; no money moves.       │",
      "  └────────────────────────────────────────────────────────────┘",
      `  Demo shop:        ${running.url}/`,
      `  Sandbox console:  ${running.url}/sandbox-console/`,
      `  Sandbox API:      ${running.url}/sandbox`,
      "",
    ].join("\n"),
  );
}

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests, then closing`);
    running.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  });
}
