// The local QStash-compatible relay as a supervised process group of `npm start`, with
// its messages in <dataDir>/relay.db so they survive a restart.
import { join } from "node:path";
import { type ProcessGroup, readyOrStopped, spawnGroup } from "./processes.ts";
import { ROOT } from "./region.ts";

const RELAY_CLI = join(ROOT, "local", "relay", "cli.ts");

export async function startRelayProcess(options: {
  port: number;
  dataDir: string;
  /** Its token and signing keys (QSTASH_*), passed in its environment. */
  secrets: Record<string, string>;
  /** The origins it may deliver to: the API URLs of the regions this run starts. */
  allowedOrigins: readonly string[];
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}): Promise<ProcessGroup> {
  const relay = spawnGroup({
    name: "relay",
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      RELAY_CLI,
      "--port",
      String(options.port),
      "--data",
      join(options.dataDir, "relay.db"),
      "--log-level",
      "info",
      "--allow-origins",
      options.allowedOrigins.join(","),
    ],
    cwd: ROOT,
    env: { ...process.env, ...options.secrets },
    logPath: join(options.dataDir, "relay.log"),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return readyOrStopped(relay, `http://127.0.0.1:${options.port}/health`, {
    timeoutMs: 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
