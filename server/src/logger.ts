/**
 * One JSON line per log entry. Callers pass fields, never secrets: nothing here can tell a token
 * from an order id, so the rule is kept at the call sites (and tested).
 */
export type LogLevel = "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
/** `LOG_LEVEL`: the least severe level written (`debug` writes everything, `silent` nothing). */
export type LogThreshold = "debug" | LogLevel | "silent";

const severity: Record<LogThreshold, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Drops lines less severe than `threshold`. */
export function atLevel(log: Logger, threshold: LogThreshold): Logger {
  const least = severity[threshold];
  if (least === 0) return log;
  return (level, message, fields) => {
    if (severity[level] >= least) log(level, message, fields);
  };
}

export function createJsonLogger(write: (line: string) => void = writeStdout): Logger {
  return function log(level, message, fields) {
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  };
}

export const silentLogger: Logger = () => {};

// stdout to a file or pipe is a synchronous write(2) per call: at a request line per request,
// that was a syscall on every answer. Lines written in one turn of the event loop leave together,
// right after it (setImmediate), or at once past 64 KiB; the rest are written on exit.
const FLUSH_AT = 64 * 1024;
let pending = "";
let scheduled = false;
let exitHooked = false;

function flushStdout(): void {
  scheduled = false;
  if (pending === "") return;
  const out = pending;
  pending = "";
  process.stdout.write(out);
}

function writeStdout(line: string): void {
  pending += `${line}\n`;
  if (pending.length >= FLUSH_AT) {
    flushStdout();
    return;
  }
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", flushStdout);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushStdout).unref();
  }
}
