// Levelled one-line logging to stderr for the local stand-in servers (libSQL, relay), so
// stdout stays free for whatever wraps them.

export type LogLevel = "debug" | "info" | "warn";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn"];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export function createLogger(
  name: string,
  level: LogLevel,
  write = (line: string) => process.stderr.write(line),
): Logger {
  const at =
    (l: LogLevel) =>
    (message: string): void => {
      if (RANK[l] >= RANK[level]) write(`${new Date().toISOString()} ${l} ${name}: ${message}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn") };
}
