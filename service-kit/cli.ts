// Flag checking shared by the stand-ins' command lines: a bad flag prints a readable
// reason plus the usage and exits 2, never a stack trace.
import { LOG_LEVELS, type LogLevel } from "./log.ts";

export function cliChecks(name: string, usage: string) {
  function fail(message: string): never {
    process.stderr.write(`${name}: ${message}\n\n${usage}`);
    process.exit(2);
  }

  function integer(value: string | undefined, flag: string, min: number, max: number) {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      fail(`${flag} must be an integer in ${min}..${max}`);
    return n;
  }

  function logLevel(value: string | undefined): LogLevel {
    const level = value ?? "info";
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      fail("--log-level must be debug, info or warn");
    return level as LogLevel;
  }

  return { fail, integer, logLevel };
}
