// A real region for tests: the libSQL server (real engine, Hrana over HTTP) plus the API
// worker in workerd via wrangler's unstable_startWorker, on free ports, in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { FaultProxy } from "../../chaos/fault-proxy.ts";
import { type LibsqlServer, startLibsqlServer } from "../../local/libsql-server/server.ts";
import { freePort } from "../../scripts/processes.ts";
import { newSecrets, workerSecrets } from "../../scripts/secrets.ts";
import { recordExchange } from "./contract.ts";
import { forSuite } from "./suite.ts";
import { holdCredentialsWorker, startTestWorker, type TestWorker } from "./workerd.ts";

export const DEMO_KEY = "lk_test_demo_integrator";
export const OTHER_KEY = "lk_test_other_integrator";
export const REP = { email: "rep@demo.test", password: "rep-password-1" };
/** The demo tenant's admin: audit verification and the state hash need the admin role. */
export const ADMIN = { email: "admin@demo.test", password: "admin-password-1" };

export type TestRegion = {
  url: string;
  libsql: LibsqlServer;
  dataDir: string;
  /** What /__local/* needs in the Lifeline-Local-Admin header. */
  localAdminSecret: string;
  /** The fault proxy in front of libSQL, with `libsqlFaults: true`. */
  libsqlProxy: FaultProxy | null;
  /** Stops the libSQL server only (the worker keeps running): a dead read model. */
  stopLibsql(): Promise<void>;
  /** Starts it again on the same port and file. */
  restartLibsql(): Promise<void>;
  /** Stops the worker only (its Durable Object storage stays on disk). */
  stopWorker(): Promise<void>;
  /** Starts the worker again on the same port and storage. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
};

export type TestRegionOptions = {
  mode?: "local" | "production";
  /** Other regions in this region's REGIONS map (default: none, so nothing replicates). */
  peers?: Array<{ region: string; jurisdiction: string; url: string }>;
  /** Extra or overriding bindings (vars and secrets), e.g. REPLICATION_KEYS. */
  bindings?: Record<string, string>;
  /** The API's port (default: a free one), for regions that must know each other's URL up front. */
  port?: number;
  /**
   * Run the credentials worker (default true). False only in a file where no other
   * region holds it: regions of one test process share it through their registry.
   */
  credentials?: boolean;
  /** Apply the dev seed in local mode (default true). */
  seed?: boolean;
  /** Put a fault proxy (chaos/fault-proxy.ts) between the worker and its libSQL server. */
  libsqlFaults?: boolean;
};

/**
 * One set of secrets per test process: regions of one jurisdiction share its masking and
 * account id keys (one tax id is one account in both), and a foreign one does not.
 */
const SECRETS = newSecrets();

export async function startTestRegion(
  region = "cn-east",
  options: TestRegionOptions = {},
): Promise<TestRegion> {
  const dataDir = mkdtempSync(join(tmpdir(), `lifeline-${region}-`));
  const secrets = SECRETS;
  // As under npm start: the libSQL server takes a token, and the worker sends it.
  const authToken = secrets.LIBSQL_AUTH_TOKEN;
  const libsql = await startLibsqlServer({
    port: 0,
    dbPath: join(dataDir, "libsql.db"),
    authToken,
    logLevel: (process.env.LIBSQL_LOG as "debug") ?? "warn",
  });
  await migrate(drizzle(createClient({ url: libsql.url, authToken })), {
    migrationsFolder: "migrations",
  });
  const libsqlProxy = options.libsqlFaults
    ? new FaultProxy(`db:${region}`, { host: "127.0.0.1", port: libsql.port })
    : null;
  const libsqlUrl = libsqlProxy ? `http://127.0.0.1:${await libsqlProxy.listen(0)}` : libsql.url;
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const jurisdiction = jurisdictionOf(region);
  const bindings = {
    LIBSQL_URL: libsqlUrl,
    LIFELINE_MODE: options.mode ?? "local",
    AUTH_TOKEN_SECRET: "test-secret-0123456789",
    REGIONS: JSON.stringify([{ region, jurisdiction, url }, ...(options.peers ?? [])]),
    // workerd does not implement Durable Object jurisdictions (production pins EU objects).
    DO_JURISDICTIONS: "{}",
    ...workerSecrets(SECRETS, jurisdiction),
    ...options.bindings,
  };
  const launch = () =>
    startTestWorker({
      config: "wrangler.toml",
      env: region,
      bindings,
      port,
      persist: join(dataDir, "wrangler"),
    });
  // Logins' password checks run in the credentials worker, as under `npm start`.
  const releaseCredentials =
    options.credentials === false ? async () => {} : await holdCredentialsWorker();
  let worker: TestWorker | null = await launch();
  if ((options.mode ?? "local") === "local" && options.seed !== false) {
    const admin = secrets.LOCAL_ADMIN_SECRET;
    await seed(url, admin, "ten_demo", "key_demo", DEMO_KEY, [
      { id: "usr_rep", email: REP.email, password: REP.password, role: "rep" },
      { id: "usr_admin", email: ADMIN.email, password: ADMIN.password, role: "admin" },
    ]);
    await seed(url, admin, "ten_other", "key_other", OTHER_KEY, []);
  }
  let libsqlStopped = false;
  let current = libsql;
  return {
    url,
    libsql,
    dataDir,
    localAdminSecret: secrets.LOCAL_ADMIN_SECRET,
    libsqlProxy,
    async stopLibsql() {
      libsqlStopped = true;
      await current.close();
    },
    async restartLibsql() {
      current = await startLibsqlServer({
        port: libsql.port,
        dbPath: join(dataDir, "libsql.db"),
        authToken,
        logLevel: "warn",
      });
      libsqlStopped = false;
    },
    async stopWorker() {
      await worker?.dispose();
      worker = null;
    },
    async startWorker() {
      worker = await launch();
    },
    async stop() {
      await worker?.dispose();
      await releaseCredentials();
      await libsqlProxy?.close();
      if (!libsqlStopped) await current.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A test region's jurisdiction, by its name: eu-* regions are in eu, every other in cn. */
const jurisdictionOf = (region: string) => (region.startsWith("eu") ? "eu" : "cn");

/** A region's entry in a REGIONS map. */
export type RegionEntry = { region: string; jurisdiction: string; url: string };

/**
 * Real regions that are each other's peers (each one's REGIONS map names all of them, and
 * `alsoKnown`, e.g. a stand-in this helper does not start), on ports chosen up front, in
 * the order given. They share this process's secrets, so they replicate to each other.
 */
export async function startPeeredRegions<const R extends readonly string[]>(
  regions: R,
  options: Omit<TestRegionOptions, "peers" | "port"> & { alsoKnown?: RegionEntry[] } = {},
): Promise<{ -readonly [K in keyof R]: TestRegion }> {
  const { alsoKnown = [], ...rest } = options;
  // One after another: free ports are picked at random, and two at once could coincide.
  const ports: number[] = [];
  for (const _ of regions) {
    let port = await freePort();
    while (ports.includes(port)) port = await freePort();
    ports.push(port);
  }
  const entries = regions.map((region, i) => ({
    region,
    jurisdiction: jurisdictionOf(region),
    url: `http://127.0.0.1:${ports[i]}`,
  }));
  const started = await Promise.all(
    entries.map((self, i) =>
      startTestRegion(self.region, {
        ...rest,
        port: ports[i],
        peers: [...entries.filter((e) => e !== self), ...alsoKnown],
      }),
    ),
  );
  return started as { -readonly [K in keyof R]: TestRegion };
}

/** One region for the tests of a file or describe (see forSuite). */
export const regionForSuite = (region = "cn-east", options: TestRegionOptions = {}) =>
  forSuite(() => startTestRegion(region, options));

/** regionForSuite, with the demo integrator's client to it. */
export function demoRegionForSuite(region?: string, options?: TestRegionOptions) {
  const running = regionForSuite(region, options);
  return { region: running, api: client(() => running().url, DEMO_KEY) };
}

async function seed(
  url: string,
  localAdminSecret: string,
  tenant: string,
  keyId: string,
  key: string,
  users: Array<{ id: string; email: string; password: string; role: "rep" | "admin" }>,
) {
  const res = await fetch(`${url}/__local/seed`, {
    method: "POST",
    headers: { "content-type": "application/json", "lifeline-local-admin": localAdminSecret },
    body: JSON.stringify({
      tenant: { id: tenant, name: tenant },
      apiKeys: [{ id: keyId, name: "test", key }],
      users: users.map((u) => ({ ...u, name: `Test ${u.role}` })),
    }),
  });
  if (res.status !== 204) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
}

/**
 * A small client: every write carries a fresh Idempotency-Key unless one is given. `base`
 * may be read at each call, for a region that starts after the client is made.
 */
export function client(base: string | (() => string), key: string) {
  let n = 0;
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { authorization: `Bearer ${key}`, ...headers };
    if (body !== undefined) h["content-type"] = "application/json";
    if (method === "POST" && !("idempotency-key" in headers))
      h["idempotency-key"] = `auto-${Date.now()}-${n++}-${Math.random()}`;
    const init = {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    // A dropped keep-alive socket is retried (bounded) with the same Idempotency-Key:
    // exactly the retry the key exists for, and what a real client does.
    const res = await fetchRetrying(`${typeof base === "string" ? base : base()}${path}`, init);
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    recordExchange({
      method,
      target: path,
      body,
      status: res.status,
      headers: res.headers,
      responseBody: parsed,
    });
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}

/**
 * wrangler dev's proxy answers a POST that was in flight while it swapped the worker
 * with this 503 (it retries only GET and HEAD itself). It comes from the local dev
 * server, not from Lifeline, so it is retried like a dropped socket.
 */
const DEV_PROXY_RESTART = "Your worker restarted mid-request";

async function isDevProxyRestart(res: Response): Promise<boolean> {
  if (res.status !== 503 || res.headers.get("content-type")?.includes("json")) return false;
  return (await res.clone().text()).startsWith(DEV_PROXY_RESTART);
}

async function fetchRetrying(url: string, init: RequestInit, attempts = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      const res = await fetch(url, init);
      if (i < attempts && (await isDevProxyRestart(res))) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 100 * i));
        continue;
      }
      return res;
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

/** A session token for `who` (e.g. ADMIN), from `base`'s login. */
export async function login(base: string, who: { email: string; password: string }) {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (JSON.parse(await res.text()) as { token: string }).token;
}

/** The parsed JSON body of a response (typed loosely: tests assert on its shape). */
export async function readJson(res: Response) {
  return JSON.parse(await res.text());
}

/** Polls until `check` passes or the deadline runs out (bounded). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
