#!/usr/bin/env node
/**
 * `iamport-pay-server [start|migrate|sandbox|admin]` (and `pnpm start`): the only reader of
 * process.env. `start` (the default) prints, listens, and shuts down on signals; `migrate`
 * applies pending migrations and exits; `sandbox` runs the standalone Iamport emulator.
 */
import { loadConfig } from "./config.js";
import { openDb } from "./db/open.js";
import { loadSandbox } from "./sandbox-loader.js";
import { startServer } from "./server.js";

const usage = `Usage: iamport-pay-server [command]

Commands:
  start     run the server (default); MIGRATE=false skips migrating at start
  migrate   apply pending database migrations to DATABASE_URL, then exit
  sandbox   run the standalone Iamport sandbox (PORT, default 8788)
  admin     the admin command line (orders, order, refund, sync, refunds-required), against
            ADMIN_URL with ADMIN_TOKEN; \`iamport-pay-server admin help\` lists its options

Configuration is read from the environment: see the package README.`;

const command = process.argv[2] ?? "start";
if (command === "start") await start();
else if (command === "migrate") await migrate();
else if (command === "sandbox") await sandbox();
else if (command === "admin") await admin();
else if (command === "help" || command === "--help" || command === "-h") console.log(usage);
else {
  console.error(`Unknown command "${command}".\n\n${usage}`);
  process.exit(2);
}

function configOrExit(): ReturnType<typeof loadConfig> {
  try {
    return loadConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

async function migrate(): Promise<void> {
  const config = configOrExit();
  try {
    const db = await openDb(config.databaseUrl, { migrate: true });
    await db.close();
  } catch (error) {
    console.error(`Could not migrate: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(
    `Migrations applied (${config.databaseUrl?.replace(/\/\/[^@/]*@/, "//") ?? "PGlite in ./.data/pglite"})`,
  );
}

async function sandbox(): Promise<void> {
  try {
    await loadSandbox();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  // The sandbox's own entry point reads its environment, listens and handles signals.
  await import("@iamport-pay/sandbox/main");
}

async function start(): Promise<void> {
  const config = configOrExit();

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
}

/** The admin command line, for installs without the repository's `pnpm … admin` script. */
async function admin(): Promise<void> {
  const { runAdminCli } = await import("./admin/cli.js");
  const code = await runAdminCli(process.argv.slice(3), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  process.exit(code);
}
