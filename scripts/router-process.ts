// The global router worker (workers/router) as a supervised process group of `npm start`,
// in front of the regions this run started. Its port comes from its own wrangler.toml.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, type ProcessGroup, readyOrStopped, spawnGroup } from "./processes.ts";
import { ROOT } from "./region.ts";
import { parseToml } from "./toml.ts";

export const ROUTER_TOML = join(ROOT, "workers", "router", "wrangler.toml");

export function routerPort(): number {
  const dev = parseToml(readFileSync(ROUTER_TOML, "utf8")).dev;
  const port =
    typeof dev === "object" && dev !== null && !Array.isArray(dev) ? dev.port : undefined;
  if (typeof port !== "number") throw new Error(`${ROUTER_TOML}: [dev] port missing`);
  return port;
}

export async function startRouterProcess(options: {
  port: number;
  regions: string;
  dataDir: string;
  wranglerLogPath: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}): Promise<ProcessGroup> {
  const router = spawnGroup({
    name: "router",
    command: join(ROOT, "node_modules", ".bin", "wrangler"),
    args: [
      ["dev", "-c", ROUTER_TOML, "--ip", "127.0.0.1", "--port", String(options.port)],
      ["--inspector-port", String(await freePort()), "--show-interactive-dev-session=false"],
      ["--persist-to", join(options.dataDir, "wrangler"), "--var", `REGIONS:${options.regions}`],
    ].flat(),
    cwd: ROOT,
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_LOG_PATH: options.wranglerLogPath,
    },
    logPath: join(options.dataDir, "router.log"),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return readyOrStopped(router, `http://127.0.0.1:${options.port}/router/health`, {
    timeoutMs: 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
