// Several real regions for multi-region tests and benchmarks: each is `startRegion` (its libSQL server and
// `wrangler dev`, each in its own process group) on free ports in a temp dir, sharing one
// REGIONS map and one set of secrets (each region given its own jurisdiction's keys) — so
// a region can be SIGKILLed and restarted alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./processes.ts";
import { type RegionHandle, startRegion } from "./region.ts";
import { newSecrets, workerSecrets } from "./secrets.ts";
import { devCredentials, devSeeds, seedRegion } from "./seed.ts";
import { readTopology, regionsVar } from "./topology.ts";

export const DEV_KEY = devCredentials().apiKey;

export type Topology = {
  /** The REGIONS var these regions share (JSON), e.g. for a router in front of them. */
  regions: string;
  /** What /__local/* needs in the Lifeline-Local-Admin header. */
  localAdminSecret: string;
  url(region: string): string;
  handle(region: string): RegionHandle;
  dataDir(region: string): string;
  kill(region: string): Promise<void>;
  restart(region: string): Promise<void>;
  stop(): Promise<void>;
};

export async function startTopology(
  names: string[],
  options: {
    vars?: Record<string, string>;
    secrets?: Record<string, string>;
    /** Run this inference worker beside each region's API (see `startRegion`). */
    inferenceConfig?: string;
    /** Wait for its models to load before the region counts as started (default true). */
    waitForInference?: boolean;
  } = {},
): Promise<Topology> {
  const root = mkdtempSync(join(tmpdir(), "lifeline-topology-"));
  const secrets = newSecrets();
  const all = readTopology().filter((t) => names.includes(t.region));
  const ports = new Map<string, { api: number; libsql: number }>();
  for (const t of all) ports.set(t.region, { api: await freePort(), libsql: await freePort() });
  const regions = regionsVar(
    all.map((t) => ({
      region: t.region,
      jurisdiction: t.jurisdiction,
      apiUrl: `http://127.0.0.1:${ports.get(t.region)!.api}`,
    })),
  );
  const jurisdictionOf = (region: string) => all.find((t) => t.region === region)!.jurisdiction;
  const handles = new Map<string, RegionHandle>();
  const start = async (region: string) => {
    const p = ports.get(region)!;
    const handle = await startRegion({
      region,
      dataDir: join(root, region),
      authTokenSecret: secrets.AUTH_TOKEN_SECRET,
      apiPort: p.api,
      libsqlPort: p.libsql,
      topology: all,
      secrets: { ...workerSecrets(secrets, jurisdictionOf(region)), ...options.secrets },
      vars: { REGIONS: regions, ...options.vars },
      ...(options.inferenceConfig ? { inferenceConfig: options.inferenceConfig } : {}),
      ...(options.waitForInference === false ? { waitForInference: false } : {}),
      seed: (url) => seedRegion(url, devSeeds(devCredentials()), secrets.LOCAL_ADMIN_SECRET),
    });
    handles.set(region, handle);
  };
  // Every start settles before a failure is handled: stopping only the regions that were up
  // at the first failure left the others' processes running once they came up.
  const failed = (await Promise.allSettled(names.map(start))).find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all([...handles.values()].map((h) => h.stop()));
    throw failed.reason;
  }
  return {
    regions,
    localAdminSecret: secrets.LOCAL_ADMIN_SECRET,
    url: (r) => `http://127.0.0.1:${ports.get(r)!.api}`,
    handle: (r) => handles.get(r)!,
    dataDir: (r) => join(root, r),
    async kill(r) {
      await handles.get(r)!.kill();
      handles.delete(r);
    },
    async restart(r) {
      if (handles.has(r)) await handles.get(r)!.stop();
      await start(r);
    },
    async stop() {
      await Promise.all([...handles.values()].map((h) => h.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
