// What every `npm run bench*` command shares: its arguments (readable errors, bounded
// numbers, --help) and a private region to measure (free ports, temp data dir, no peers,
// the dev seed applied), so nothing leaks into a running `npm start`.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { freePort } from "../scripts/processes.ts";
import { type RegionHandle, type StartRegionOptions, startRegion } from "../scripts/region.ts";
import { newSecrets, workerSecrets } from "../scripts/secrets.ts";
import { devCredentials, devSeeds, seedRegion } from "../scripts/seed.ts";
import { readTopology, regionsVar, selectRegions } from "../scripts/topology.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What every bench takes: --region, --out, --keep-data, --help. */
const COMMON = {
  region: { type: "string" },
  out: { type: "string" },
  "keep-data": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/**
 * Parses a bench command's options (its own plus COMMON); prints `usage` and exits 0 on
 * --help, 2 on bad input.
 */
export function benchArgs<const O extends Options>(command: string, usage: string, own: O) {
  const options = { ...own, ...COMMON };
  const fail = (message: string): never => {
    process.stderr.write(`${command}: ${message}\n\n${usage}`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs<{ options: O & typeof COMMON }>>["values"];
  try {
    values = parseArgs({ options }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  /** An integer option in min..max, or `fallback` when it is not given. */
  const int = (
    text: string | undefined,
    fallback: number,
    name: string,
    min: number,
    max: number,
  ) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      fail(`--${name} must be an integer in ${min}..${max}`);
    return n;
  };
  return { values, fail, int };
}

export interface BenchRegion {
  region: RegionHandle;
  credentials: ReturnType<typeof devCredentials>;
  localAdminSecret: string;
  dataDir: string;
  /** Stops the region; removes its data unless `keep` (then says where it is). */
  stop(keep: boolean): Promise<void>;
}

/** A private, seeded region of `regionName`'s jurisdiction on free ports in a temp dir. */
export async function startBenchRegion(
  regionName: string,
  prefix: string,
  options: Pick<StartRegionOptions, "signal" | "credentials"> = {},
): Promise<BenchRegion> {
  const dataDir = mkdtempSync(join(os.tmpdir(), `${prefix}-`));
  const credentials = devCredentials();
  process.stdout.write(`Starting ${regionName} on free ports (data in ${dataDir})…\n`);
  const secrets = newSecrets();
  const apiPort = await freePort();
  const jurisdiction = selectRegions(readTopology(), [regionName])[0]!.jurisdiction;
  try {
    const region = await startRegion({
      region: regionName,
      dataDir,
      authTokenSecret: secrets.AUTH_TOKEN_SECRET,
      apiPort,
      libsqlPort: await freePort(),
      secrets: workerSecrets(secrets, jurisdiction),
      // A region of its own: no peers, so nothing leaks into a running `npm start`.
      vars: {
        REGIONS: regionsVar([
          { region: regionName, jurisdiction, apiUrl: `http://127.0.0.1:${apiPort}` },
        ]),
      },
      seed: (url) => seedRegion(url, devSeeds(credentials), secrets.LOCAL_ADMIN_SECRET),
      ...options,
    });
    return {
      region,
      credentials,
      localAdminSecret: secrets.LOCAL_ADMIN_SECRET,
      dataDir,
      async stop(keep) {
        await region.stop();
        if (keep) process.stdout.write(`Region data kept in ${dataDir}\n`);
        else rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    process.stdout.write(`Region data kept in ${dataDir}\n`);
    throw err;
  }
}
