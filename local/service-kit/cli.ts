// What the stand-ins' command lines share: a bad flag prints a readable reason plus the
// usage and exits 2, never a stack trace; a started server runs until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
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

  /** String flags by name plus -h/--help (prints the usage, exits 0); anything else fails. */
  function flags<K extends string>(names: readonly K[]): Partial<Record<K, string>> {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        options: {
          ...Object.fromEntries(names.map((n) => [n, { type: "string" as const }])),
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: false,
      });
    } catch (e) {
      return fail((e as Error).message);
    }
    if (parsed.values.help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return parsed.values as Partial<Record<K, string>>;
  }

  return { fail, integer, logLevel, flags };
}

/**
 * Waits for the server to start (exits 1 with the reason if it cannot), then on SIGINT or
 * SIGTERM closes it and exits 0, or 1 if the shutdown fails.
 */
export async function serveUntilSignal(
  name: string,
  starting: Promise<{ close(): Promise<void> }>,
): Promise<void> {
  const server = await starting.catch((e: Error) => {
    process.stderr.write(`${name}: cannot start: ${e.message}\n`);
    process.exit(1);
  });
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // A second signal means the operator does not want to wait for in-flight work.
      if (stopping) process.exit(1);
      stopping = true;
      server.close().then(
        () => process.exit(0),
        (e: Error) => {
          process.stderr.write(`${name}: shutdown failed: ${e.message}\n`);
          process.exit(1);
        },
      );
    });
  }
}
