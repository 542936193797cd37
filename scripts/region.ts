// One local region = its libSQL server + its `wrangler dev` (+ the credentials worker's own
// `wrangler dev`, when asked), each in its own process group, started ready (migrated,
// healthy) and stoppable or killable as a unit.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyMigrations } from "./migrate.ts";
import {
  assertPortsFree,
  type ExitInfo,
  freePort,
  type ProcessGroup,
  spawnGroup,
  tailLines,
  waitForHttp,
} from "./processes.ts";
import { type RegionTopology, readTopology, selectRegions } from "./topology.ts";

export const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER_BIN = join(ROOT, "node_modules", ".bin", "wrangler");
const LIBSQL_CLI = join(ROOT, "local", "libsql-server", "cli.ts");
export const READY_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 25;

export type RegionProcess = "libsql" | "worker" | "credentials";

export interface StartRegionOptions {
  /** An env name in wrangler.toml. */
  region: string;
  /** This region's state: libsql.db, wrangler/ (DO storage), libsql.log, worker.log. */
  dataDir: string;
  authTokenSecret: string;
  /** Defaults: the ports in wrangler.toml. Overrides are passed to the worker as vars. */
  apiPort?: number;
  libsqlPort?: number;
  /** Default: any free port. Several `wrangler dev` must not share one. */
  inspectorPort?: number;
  topology?: RegionTopology[];
  readyTimeoutMs?: number;
  /** Where wrangler writes its own debug logs (default `<dataDir>/wrangler-logs`). */
  wranglerLogPath?: string;
  /** Every output line of both processes (they are always written to the log files too). */
  onLine?: (process: RegionProcess, line: string) => void;
  /** Aborting during startup stops what was started and rejects. */
  signal?: AbortSignal;
  /** More secrets for the worker (env file, mode 0600), e.g. REPLICATION_KEYS; LIBSQL_AUTH_TOKEN is required (the libSQL server takes it too). */
  secrets?: Record<string, string>;
  /** Var overrides for the worker (`--var`), e.g. REGIONS with test ports. */
  vars?: Record<string, string>;
  /**
   * The wrangler config of the worker behind the API's INFERENCE service binding, run in
   * the same `wrangler dev` (normally INFERENCE_CONFIG). Omitted: no inference worker runs,
   * and the API sheds insights, as it would with inference down.
   */
  inferenceConfig?: string;
  /** With an inference config: wait (at most INFERENCE_WARM_MS) for its models to load. Default true. */
  waitForInference?: boolean;
  /**
   * Where the credentials worker (password checks, behind the CREDENTIALS binding) runs:
   * "same-process" (default) in the region's `wrangler dev`, or "own-process" in a second
   * `wrangler dev` of its own, found through the region's private dev registry. workerd
   * runs a process on one thread, so only "own-process" keeps password checks from
   * delaying the region's other requests, as separate isolates do in production: `npm
   * start` and the login storm bench use it; tests that do not measure it save a process.
   */
  credentials?: "same-process" | "own-process";
  /**
   * Run once the API answers, before the region counts as ready: the dev seed. A local
   * region's health is 503 `starting` until it has a tenant, so ready means it can serve.
   */
  seed: (apiUrl: string) => Promise<void>;
  /**
   * Where the worker reaches its libSQL server (default: the server itself), e.g. a chaos
   * fault proxy in front of it. Migrations always go to the server directly.
   */
  workerLibsqlUrl?: string;
}

/** How long a region's start waits for inference to warm; it is sheddable, so never longer. */
const INFERENCE_WARM_MS = 20_000;

/** The edge inference worker's config (DESIGN §7), run beside each region's API. */
export const INFERENCE_CONFIG = join(ROOT, "workers", "inference", "wrangler.toml");
/** The credentials worker's config: logins' password checks, off the API's isolate. */
export const CREDENTIALS_CONFIG = join(ROOT, "workers", "credentials", "wrangler.toml");

export interface RegionHandle {
  region: string;
  jurisdiction: string;
  apiUrl: string;
  libsqlUrl: string;
  openapiUrl: string;
  /** Whether the inference worker answered with its models loaded by the time the region was ready. */
  inference: "ready" | "not ready" | "absent";
  inspectorPort: number;
  dataDir: string;
  processes: Record<"libsql" | "worker", ProcessGroup> & { credentials?: ProcessGroup };
  /** Resolves when any of its processes exits without having been asked to. */
  crashed: Promise<{ process: RegionProcess; exit: ExitInfo }>;
  /** Graceful: SIGTERM the worker, then libSQL; SIGKILL whatever outlives `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL every group at once, as a region loss would. */
  kill(): Promise<void>;
}

export async function startRegion(options: StartRegionOptions): Promise<RegionHandle> {
  const [topology] = selectRegions(options.topology ?? readTopology(), [options.region]);
  const apiPort = options.apiPort ?? topology!.apiPort;
  const libsqlPort = options.libsqlPort ?? topology!.libsqlPort;
  const inspectorPort = options.inspectorPort ?? (await freePort());
  const ownCredentials = options.credentials === "own-process";
  const credentialsPorts = ownCredentials
    ? { http: await freePort(), inspector: await freePort() }
    : undefined;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const libsqlUrl = `http://127.0.0.1:${libsqlPort}`;
  const { region, jurisdiction } = topology!;
  await assertPortsFree([
    { port: apiPort, purpose: `${region} API` },
    { port: libsqlPort, purpose: `${region} libSQL` },
    { port: inspectorPort, purpose: `${region} worker inspector` },
  ]);

  // The libSQL server refuses to start without a token; the worker sends the same one.
  const libsqlToken = options.secrets?.LIBSQL_AUTH_TOKEN;
  if (!libsqlToken) throw new Error("startRegion: secrets.LIBSQL_AUTH_TOKEN is required");
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Secrets go through an env file (mode 0600), not argv, so `ps` does not show them.
  const envFile = join(dataDir, "worker.env");
  const secrets = { AUTH_TOKEN_SECRET: options.authTokenSecret, ...options.secrets };
  const envText = Object.entries(secrets)
    .map(([k, v]) => `${k}='${v.replace(/'/g, "")}'`)
    .join("\n");
  writeFileSync(envFile, `${envText}\n`, { mode: 0o600 });
  chmodSync(envFile, 0o600);
  const env = {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_LOG_PATH: options.wranglerLogPath ?? join(dataDir, "wrangler-logs"),
    // A private dev registry: service bindings resolve inside this region's own
    // `wrangler dev`, never to another region's (or another checkout's) workers.
    WRANGLER_REGISTRY_PATH: join(dataDir, "wrangler-registry"),
  };
  const vars = [
    "LIFELINE_MODE:local",
    // workerd does not implement Durable Object jurisdictions (production pins EU objects).
    "DO_JURISDICTIONS:{}",
    ...(apiPort !== topology!.apiPort ? [`REGION_URL:${apiUrl}`] : []),
    ...(options.workerLibsqlUrl
      ? [`LIBSQL_URL:${options.workerLibsqlUrl}`]
      : libsqlPort !== topology!.libsqlPort
        ? [`LIBSQL_URL:${libsqlUrl}`]
        : []),
    ...Object.entries(options.vars ?? {}).map(([k, v]) => `${k}:${v}`),
  ];

  const libsql = spawnGroup({
    name: `${region} libsql`,
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      LIBSQL_CLI,
      ["--port", String(libsqlPort)],
      ["--db", join(dataDir, "libsql.db")],
      ["--log-level", "info"],
    ].flat(),
    cwd: ROOT,
    // The token through the environment, not argv, so `ps` does not show it.
    env: { ...env, LIBSQL_AUTH_TOKEN: libsqlToken },
    logPath: join(dataDir, "libsql.log"),
    onLine: (line) => options.onLine?.("libsql", line),
  });
  const worker = spawnGroup({
    name: `${region} worker`,
    command: WRANGLER_BIN,
    args: [
      ["dev", "--env", region, "--ip", "127.0.0.1", "--port", String(apiPort)],
      ["-c", join(ROOT, "wrangler.toml")],
      options.inferenceConfig ? ["-c", options.inferenceConfig] : [],
      ownCredentials ? [] : ["-c", CREDENTIALS_CONFIG],
      ["--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false"],
      ["--persist-to", join(dataDir, "wrangler"), "--env-file", envFile],
      vars.flatMap((v) => ["--var", v]),
    ].flat(),
    cwd: ROOT,
    env,
    logPath: join(dataDir, "worker.log"),
    onLine: (line) => options.onLine?.("worker", line),
  });
  // Its own `wrangler dev`: the API's CREDENTIALS binding finds it through the region's
  // private dev registry (WRANGLER_REGISTRY_PATH), as it would find it in its own process.
  const credentials = credentialsPorts
    ? spawnGroup({
        name: `${region} credentials`,
        command: WRANGLER_BIN,
        args: [
          ["dev", "--env", region, "--ip", "127.0.0.1", "--port", String(credentialsPorts.http)],
          ["-c", CREDENTIALS_CONFIG],
          ["--inspector-port", String(credentialsPorts.inspector)],
          ["--show-interactive-dev-session=false"],
        ].flat(),
        cwd: ROOT,
        env,
        logPath: join(dataDir, "credentials.log"),
        onLine: (line) => options.onLine?.("credentials", line),
      })
    : undefined;
  const processes = { libsql, worker, ...(credentials ? { credentials } : {}) };

  const logOf = (name: RegionProcess) =>
    (processes as Partial<Record<RegionProcess, ProcessGroup>>)[name]?.logPath ?? dataDir;

  let stopping = false;
  const crashed = Promise.race(
    (Object.entries(processes) as [RegionProcess, ProcessGroup][]).map(([name, group]) =>
      group.exited.then((exit) => ({ process: name, exit, stopping })),
    ),
  ).then((first) =>
    // Never resolves for an exit we caused: callers race this against their own shutdown.
    first.stopping || stopping ? new Promise<never>(() => {}) : first,
  );
  const stopAll = async (graceMs?: number) => {
    stopping = true;
    // The worker first, so it is not left writing to a libSQL that is already gone.
    await Promise.all([worker.stop(graceMs), credentials?.stop(graceMs)]);
    await libsql.stop(graceMs);
  };

  const died = new AbortController();
  let death: { process: RegionProcess; exit: ExitInfo } | undefined;
  void crashed.then((first) => {
    death = first;
    died.abort();
  });
  const abort = AbortSignal.any([died.signal, ...(options.signal ? [options.signal] : [])]);
  const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - performance.now());
  const budget = `within ${(timeoutMs / 1000).toFixed(1)} s`;
  const ready = (url: string, accept?: (res: Response) => boolean) =>
    waitForHttp(url, {
      timeoutMs: remaining(),
      signal: abort,
      ...(accept ? { accept } : {}),
    }).catch((err: Error) => {
      throw abort.aborted ? err : new Error(`${budget}: ${err.message}`);
    });
  let phase: RegionProcess = "libsql";
  let inference: RegionHandle["inference"] = "absent";
  try {
    await ready(`${libsqlUrl}/health`);
    await applyMigrations(libsqlUrl, libsqlToken).catch((err: Error) => {
      throw new Error(`because applying migrations failed: ${err.message}`);
    });
    if (credentialsPorts) {
      phase = "credentials";
      await ready(`http://127.0.0.1:${credentialsPorts.http}/health`);
    }
    phase = "worker";
    // Up (200) or up but not seeded yet (the API's own 503 `starting`, JSON, not the dev
    // proxy's while the worker loads): either way it takes the seed.
    await ready(
      `${apiUrl}/v1/health`,
      (res) =>
        res.status === 200 ||
        (res.status === 503 && Boolean(res.headers.get("content-type")?.includes("json"))),
    );
    await options.seed(apiUrl);
    await ready(`${apiUrl}/v1/health`);
    if (options.inferenceConfig && options.waitForInference !== false) {
      inference = await warmInference(apiUrl, Math.min(remaining(), INFERENCE_WARM_MS), abort);
    } else if (options.inferenceConfig) inference = "not ready";
  } catch (err) {
    await stopAll();
    // Built after stopping, so the log tail includes the process's last words.
    if (death)
      throw new StartupError(
        region,
        death.process,
        logOf(death.process),
        `(it ${describeExit(death.exit)})`,
      );
    if (options.signal?.aborted) throw options.signal.reason;
    throw new StartupError(region, phase, logOf(phase), (err as Error).message);
  }

  return {
    region,
    jurisdiction,
    apiUrl,
    libsqlUrl,
    openapiUrl: `${apiUrl}/v1/openapi.json`,
    inference,
    inspectorPort,
    dataDir,
    processes,
    crashed,
    stop: stopAll,
    async kill() {
      stopping = true;
      await Promise.all([worker.kill(), libsql.kill(), credentials?.kill()]);
    },
  };
}

/**
 * Polls /v1/health until the inference worker reports its models loaded, so the first
 * analysis is not a cold one. Inference is sheddable: running out of time is no failure.
 */
async function warmInference(
  apiUrl: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<"ready" | "not ready"> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    signal.throwIfAborted();
    // The public summary: inference is ready when the region is not degraded by its absence.
    const health = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.json() as Promise<{ degraded?: string[] }>)
      .catch(() => null);
    if (health?.degraded && !health.degraded.some((m) => m.startsWith("inference"))) return "ready";
    await new Promise((r) => setTimeout(r, 250));
  }
  return "not ready";
}

/** A region that did not come up, with the end of the relevant log. */
export class StartupError extends Error {
  constructor(
    readonly region: string,
    readonly process: RegionProcess,
    readonly logPath: string,
    reason: string,
  ) {
    super(
      `${region} ${process} did not become ready ${reason}\n` +
        `--- last lines of ${logPath} ---\n${tailLines(logPath, LOG_TAIL_LINES)}`,
    );
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error) return `could not be spawned (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
