/**
 * One JSON line per log entry. Callers pass fields, never secrets: nothing here can tell a token
 * from an order id, so the rule is kept at the call sites (and tested).
 */
export type LogLevel = "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export function createJsonLogger(
  write: (line: string) => void = (line) => console.log(line),
): Logger {
  return function log(level, message, fields) {
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  };
}

export const silentLogger: Logger = () => {};
