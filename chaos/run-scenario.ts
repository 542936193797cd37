// `npm run chaos -- --scenario <name> --seed <n>` (issue 9 item 6): starts the local
// topology in its own data directory (or attaches to a running npm start), runs the seeded
// workload through the router, injects the scenario's fault windows, heals, waits for the
// regions to agree, reads every region's final state, and judges the whole run with the
// checker; the report goes to chaos/reports/. Every wait here is bounded.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/region.ts";
import { readRun } from "../scripts/run-file.ts";
import { devCredentials } from "../scripts/seed.ts";
import { readTopology } from "../scripts/topology.ts";
import { check, type Verdict } from "./checker.ts";
import { Drill } from "./drill.ts";
import {
  type AccountRead,
  type FaultWindow,
  type Final,
  type HistoryOp,
  MASKED_ONLY,
  type ModeChange,
  type Run,
} from "./history.ts";
import { writeReport } from "./report.ts";
import { type FaultAction, type Plan, planFor, type Timing } from "./scenarios.ts";
import { HistoryRecorder, runWorkload, type WorkloadRegion } from "./workload.ts";

export type ScenarioOptions = {
  scenario: string;
  seed: number;
  /** Use the npm start of this data directory instead of starting one. */
  attach: boolean;
  dataRoot: string;
  reps: number;
  timing: Timing;
  reportsDir: string;
  /** How long the regions may take to agree after the last heal. */
  convergeWithinMs: number;
  progress: (line: string) => void;
  /** The exact command line, for the report. */
  command: string;
};

const ROUTER_URL = "http://127.0.0.1:8787";
/** Files larger than this are not searched for leaked personal data (logs rotate anyway). */
const MAX_SCAN_BYTES = 256 * 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScenario(o: ScenarioOptions): Promise<{
  run: Run;
  verdict: Verdict;
  files: { json: string; html: string; history: string } | null;
}> {
  const plan = planFor(o.scenario, o.seed, o.timing);
  const regions = readTopology();
  describePlan(plan, o);
  const own = o.attach ? null : await startTopology(o, plan);
  try {
    const drill = Drill.attach(o.dataRoot, regions);
    if (!drill)
      throw new Error(`no npm start runs on ${o.dataRoot}: start one, or run without --attach`);
    await waitHealthy(regions, 240_000);
    await waitRouter(120_000);
    return await drive(o, plan, {
      regions,
      routerUrl: ROUTER_URL,
      driver: drill,
      dataDirOf: (region) => join(o.dataRoot, region),
    });
  } finally {
    if (own) await stopTopology(own, o.progress);
  }
}

function describePlan(plan: Plan, o: ScenarioOptions): void {
  o.progress(`scenario ${plan.scenario}, seed ${plan.seed}, commit ${commit()}`);
  o.progress(
    `  workload: ${o.reps} reps through ${ROUTER_URL} for ${Math.round(plan.workloadMs / 1000)} s${plan.bus ? `, bus ${plan.bus}` : ""}`,
  );
  for (const w of plan.windows)
    o.progress(
      `  fault at ${(w.startMs / 1000).toFixed(1)} s for ${(w.durationMs / 1000).toFixed(1)} s: ${w.name} ${JSON.stringify(w.params)}${w.expectModes.length ? `, expect ${w.expectModes.map((m) => `${m.region}:${m.mode}`).join(", ")}` : ""}`,
    );
  if (plan.notes) o.progress(`  note: ${plan.notes}`);
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    return "unknown";
  }
}

async function startTopology(o: ScenarioOptions, plan: Plan): Promise<ChildProcess> {
  if (readRun(o.dataRoot))
    throw new Error(`an npm start already runs on ${o.dataRoot}; pass --attach to use it`);
  rmSync(o.dataRoot, { recursive: true, force: true });
  mkdirSync(join(ROOT, ".data"), { recursive: true });
  o.progress(`starting the topology in ${o.dataRoot} …`);
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      join(ROOT, "scripts", "start.ts"),
      "--data-dir",
      o.dataRoot,
      ...(plan.bus ? ["--bus", plan.bus] : []),
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", openSync(join(ROOT, ".data", "chaos-topology.log"), "w")],
      detached: true,
    },
  );
  o.progress(`  its output: .data/chaos-topology.log`);
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`npm start exited with ${child.exitCode} while starting`);
    if (readRun(o.dataRoot)?.controlPort) return child;
    await sleep(500);
  }
  child.kill("SIGINT");
  throw new Error("the topology did not come up within 300 s");
}

async function stopTopology(child: ChildProcess, progress: (l: string) => void): Promise<void> {
  if (child.exitCode !== null) return;
  progress("stopping the topology …");
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGINT");
  const stopped = await Promise.race([exited.then(() => true), sleep(60_000).then(() => false)]);
  if (!stopped && child.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}

async function waitRouter(withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    const ok = await fetch(`${ROUTER_URL}/v1/health`, { signal: AbortSignal.timeout(2_000) })
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`the router is not healthy after ${withinMs / 1000} s`);
    await sleep(500);
  }
}

async function waitHealthy(regions: WorkloadRegion[], withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  for (const r of regions) {
    for (;;) {
      const ok = await fetch(`${r.apiUrl}/v1/health`, { signal: AbortSignal.timeout(2_000) })
        .then((res) => res.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > until)
        throw new Error(`${r.region} is not healthy after ${withinMs / 1000} s`);
      await sleep(500);
    }
  }
}

/** How a run reaches what it breaks: npm start's control API (Drill), or a test's topology. */
export interface FaultDriver {
  apply(a: FaultAction): Promise<void>;
  /** Lifts everything; the problems it met, as sentences. */
  healAll(): Promise<string[]>;
}

export type DriveTarget = {
  regions: WorkloadRegion[];
  /** null: the reps go straight to their jurisdiction's regions. */
  routerUrl: string | null;
  driver: FaultDriver;
  /** Where a region keeps its files (searched for leaked personal data). */
  dataDirOf: (region: string) => string;
};

export type DriveOptions = Pick<
  ScenarioOptions,
  "reps" | "seed" | "progress" | "command" | "convergeWithinMs"
> & { reportsDir: string | null; modesWaitMs?: number };

/** One run of a plan against running regions: workload, faults, heal, convergence, checks. */
export async function drive(o: DriveOptions, plan: Plan, target: DriveTarget) {
  const { regions, driver: drill } = target;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const creds = devCredentials();
  const history = new HistoryRecorder();
  const faults: FaultWindow[] = [];
  const modeChanges: ModeChange[] = [];
  let done = false;

  const poller = pollModes(regions, now, Date.parse(startedAt), modeChanges, () => done);
  const progress = setInterval(() => o.progress(progressLine(now(), history.ops, faults)), 5_000);
  const workload = runWorkload(
    {
      routerUrl: target.routerUrl,
      regions: regions.map((r) => ({
        region: r.region,
        jurisdiction: r.jurisdiction,
        apiUrl: r.apiUrl,
      })),
      apiKey: creds.apiKey,
      tenantId: creds.tenantId,
      reps: o.reps,
      seed: o.seed,
      now,
      untilMs: plan.workloadMs,
    },
    history,
  );
  const problems: string[] = [];
  for (const w of plan.windows) {
    await sleep(Math.max(0, w.startMs - now()));
    const window: FaultWindow = {
      name: w.name,
      params: w.params,
      startMs: now(),
      endMs: null,
      expectModes: w.expectModes,
    };
    faults.push(window);
    o.progress(`t=${(now() / 1000).toFixed(1)}s inject ${w.name}`);
    for (const a of w.inject)
      await drill.apply(a).catch((err: Error) => problems.push(`inject ${w.name}: ${err.message}`));
    await sleep(Math.max(0, w.startMs + w.durationMs - now()));
    o.progress(`t=${(now() / 1000).toFixed(1)}s heal ${w.name}`);
    for (const a of w.heal)
      await drill.apply(a).catch((err: Error) => problems.push(`heal ${w.name}: ${err.message}`));
    window.endMs = now();
  }
  await workload;
  problems.push(...(await drill.healAll()));
  for (const p of problems) o.progress(`  problem: ${p}`);
  const healedAt = Math.max(0, ...faults.map((f) => f.endMs ?? 0));

  o.progress(
    `t=${(now() / 1000).toFixed(1)}s workload done (${history.ops.length} history lines); waiting for the regions to agree …`,
  );
  const token = await adminToken(regions, creds.adminEmail, creds.adminPassword);
  const agreed = await converge(regions, token, now, o.convergeWithinMs);
  // Modes are left after their recoverForMs: keep watching until they are, bounded.
  const modesUntil = Date.now() + (o.modesWaitMs ?? 60_000);
  while (Date.now() < modesUntil && activeModes(modeChanges).size > 0) await sleep(1_000);
  done = true;
  clearInterval(progress);
  await poller;

  const final: Final = {
    timeMs: now(),
    regions: Object.fromEntries(
      await Promise.all(
        regions.map(
          async (r) =>
            [
              r.region,
              await finalOf(r, history.ops, creds.apiKey, agreed.hashes.get(r.region), (l) =>
                o.progress(`  problem: ${l}`),
              ),
            ] as const,
        ),
      ),
    ),
    convergedAfterMs: agreed.atMs === null ? null : Math.max(0, agreed.atMs - healedAt),
    leaks: scanLeaks(target.dataDirOf, regions, history.ops),
  };
  const run: Run = {
    scenario: plan.scenario,
    seed: plan.seed,
    commit: commit(),
    command: o.command,
    startedAt,
    regions: Object.fromEntries(regions.map((r) => [r.region, r.jurisdiction])),
    faults,
    modeChanges,
    history: history.ops,
    final,
    ...(plan.targets
      ? { targets: { convergeWithinMs: o.convergeWithinMs, ...plan.targets } }
      : { targets: { convergeWithinMs: o.convergeWithinMs } }),
  } as Run;
  const verdict = check(run);
  const files = o.reportsDir ? writeReport(o.reportsDir, run, verdict) : null;
  return { run, verdict, files };
}

function progressLine(t: number, ops: readonly HistoryOp[], faults: FaultWindow[]): string {
  let ok = 0;
  let fail = 0;
  let info = 0;
  for (const h of ops) {
    if (h.type === "ok") ok++;
    else if (h.type === "fail") fail++;
    else if (h.type === "info") info++;
  }
  const open = faults.filter((f) => f.endMs === null).map((f) => f.name);
  return `t=${(t / 1000).toFixed(0)}s ops ok ${ok} fail ${fail} info ${info}${open.length ? ` | fault: ${open.join(", ")}` : ""}`;
}

function activeModes(changes: readonly ModeChange[]): Set<string> {
  const on = new Set<string>();
  for (const c of changes) {
    const k = `${c.region}/${c.mode}`;
    if (c.entered) on.add(k);
    else on.delete(k);
  }
  return on;
}

/** Every region's public health each second: the modes it entered and left, with why. */
/**
 * Every region's public health each second: the modes it entered and left. An entered
 * mode is timed by the RegionDO's own `since` (when it entered, not when this poll saw
 * it); a left one by the poll that no longer sees it (up to a second late).
 */
async function pollModes(
  regions: WorkloadRegion[],
  now: () => number,
  epochMs: number,
  out: ModeChange[],
  stop: () => boolean,
): Promise<void> {
  const current = new Map<string, Set<string>>();
  while (!stop()) {
    await Promise.all(
      regions.map(async (r) => {
        const h = await fetch(`${r.apiUrl}/v1/health`, { signal: AbortSignal.timeout(1_500) })
          .then(
            (res) =>
              res.json() as Promise<{
                modes?: Array<{ mode: string; since: string; why: string[] }>;
              }>,
          )
          .catch(() => null);
        if (!h?.modes) return;
        const before = current.get(r.region) ?? new Set<string>();
        const after = new Set(h.modes.map((m) => m.mode));
        for (const m of h.modes)
          if (!before.has(m.mode))
            out.push({
              region: r.region,
              mode: m.mode,
              entered: true,
              timeMs: Math.max(0, Math.min(now(), Date.parse(m.since) - epochMs)),
              reason: m.why.join("; "),
            });
        for (const m of before)
          if (!after.has(m)) out.push({ region: r.region, mode: m, entered: false, timeMs: now() });
        current.set(r.region, after);
      }),
    );
    await sleep(1_000);
  }
}

async function adminToken(
  regions: WorkloadRegion[],
  email: string,
  password: string,
): Promise<string> {
  for (let i = 0; i < 30; i++) {
    for (const r of regions) {
      const res = await fetch(`${r.apiUrl}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      if (res?.ok) return ((await res.json()) as { token: string }).token;
    }
    await sleep(1_000);
  }
  throw new Error("no region accepted the dev admin's login");
}

type Hashes = Map<string, Record<string, Record<string, string>>>;

/** Every region's hashes for every view; `null` for a region that did not answer. */
async function hashesOf(regions: WorkloadRegion[], token: string): Promise<Hashes> {
  const out: Hashes = new Map();
  await Promise.all(
    regions.map(async (r) => {
      const views: Record<string, Record<string, string>> = {};
      for (const as of regions) {
        const accounts: Record<string, string> = {};
        let cursor = "";
        for (let page = 0; page < 100; page++) {
          const q = new URLSearchParams({ as: as.region, ...(cursor ? { cursor } : {}) });
          const res = await fetch(`${r.apiUrl}/v1/admin/state-hash?${q}`, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(15_000),
          }).catch(() => null);
          if (!res?.ok) return;
          const body = (await res.json()) as {
            accounts: Record<string, { hash?: string }>;
            nextCursor: string | null;
          };
          for (const [id, h] of Object.entries(body.accounts)) accounts[id] = h.hash ?? MASKED_ONLY;
          if (!body.nextCursor) break;
          cursor = body.nextCursor;
        }
        views[as.region] = accounts;
      }
      out.set(r.region, views);
    }),
  );
  return out;
}

/** As the checker judges it: every region agrees with `as` on view `as`, account by account. */
function agree(regions: WorkloadRegion[], h: Hashes): boolean {
  if (h.size !== regions.length) return false;
  for (const as of regions) {
    const want = h.get(as.region)![as.region]!;
    for (const r of regions) {
      const got = h.get(r.region)![as.region]!;
      for (const id of new Set([...Object.keys(want), ...Object.keys(got)]))
        if (got[id] !== MASKED_ONLY && got[id] !== want[id]) return false;
    }
  }
  return true;
}

async function converge(
  regions: WorkloadRegion[],
  token: string,
  now: () => number,
  withinMs: number,
) {
  const until = Date.now() + withinMs;
  let hashes = await hashesOf(regions, token);
  while (!agree(regions, hashes) && Date.now() < until) {
    await sleep(2_000);
    hashes = await hashesOf(regions, token);
  }
  return { atMs: agree(regions, hashes) ? now() : null, hashes };
}

/** What one region holds of the history's accounts of its own jurisdiction, read through its API. */
async function finalOf(
  r: WorkloadRegion,
  ops: readonly HistoryOp[],
  apiKey: string,
  hashes: Record<string, Record<string, string>> | undefined,
  problem: (line: string) => void,
) {
  const contracts = new Map<string, Set<string>>();
  for (const h of ops) {
    if (h.type !== "invoke" || !h.value || h.value.jurisdiction !== r.jurisdiction) continue;
    if (h.value.accountId.startsWith("unknown:")) continue;
    const set = contracts.get(h.value.accountId) ?? new Set<string>();
    if (h.value.contractId && !h.value.contractId.startsWith("unknown:"))
      set.add(h.value.contractId);
    contracts.set(h.value.accountId, set);
  }
  // Bounded retries: a region just restarted, or a rate limit, is not "unreadable".
  const get = async (path: string): Promise<Record<string, unknown> | null> => {
    let why = "";
    for (let attempt = 1; attempt <= 5; attempt++) {
      const res = await fetch(`${r.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.timeout(10_000),
      }).catch((err: Error) => err);
      if (res instanceof Response) {
        if (res.status === 404) return null;
        if (res.ok) return (await res.json()) as Record<string, unknown>;
        why = `${res.status} ${(await res.text()).slice(0, 200)}`;
        const after = Number(res.headers.get("retry-after"));
        await sleep(
          Number.isFinite(after) && after > 0 ? Math.min(5_000, after * 1000) : 500 * attempt,
        );
      } else {
        why = res.message;
        await sleep(500 * attempt);
      }
    }
    throw new Error(`${r.region} ${path}: ${why}`);
  };
  const accounts: Record<string, AccountRead> = {};
  let reachable = true;
  try {
    for (const [accountId, ids] of contracts) {
      const customer = (await get(`/v1/customers/${accountId}`)) as {
        taxId: string | null;
        name: string;
        contacts: Array<Record<string, unknown>>;
      } | null;
      if (!customer) continue;
      const read: AccountRead = {
        customer: { taxId: customer.taxId, name: customer.name, contacts: customer.contacts },
        contracts: {},
      };
      for (const id of ids) {
        const c = (await get(`/v1/contracts/${id}`)) as {
          status: string;
          signatures: Array<{ party: "customer" | "vendor" }>;
          payments: Array<{
            id: string;
            reference: string;
            amount: { value: number; currency: string };
          }>;
        } | null;
        if (!c) continue;
        read.contracts[id] = {
          status: c.status,
          signedBy: c.signatures.map((s) => s.party),
          payments: c.payments.map((p) => ({
            id: p.id,
            reference: p.reference,
            amountMinor: String(p.amount.value),
            currency: p.amount.currency,
          })),
        };
      }
      accounts[accountId] = read;
    }
  } catch (err) {
    problem(`final reads: ${(err as Error).message}`);
    reachable = false;
  }
  return {
    jurisdiction: r.jurisdiction,
    reachable: reachable && hashes !== undefined,
    accounts,
    hashes: hashes ?? {},
  };
}

/**
 * [LF4] The raw personal values the workload wrote, searched byte for byte in the data of
 * every region outside their jurisdiction (its libSQL file, Durable Object storage, logs).
 */
function scanLeaks(
  dataDirOf: (region: string) => string,
  regions: WorkloadRegion[],
  ops: readonly HistoryOp[],
): Final["leaks"] {
  const leaks: Final["leaks"] = [];
  const values: Array<{ jurisdiction: string; field: string; value: Buffer }> = [];
  const seen = new Set<string>();
  for (const h of ops) {
    if (h.type !== "invoke" || !h.value) continue;
    const add = (field: string, value: string) => {
      const k = `${h.value!.jurisdiction}\0${value}`;
      if (value.length < 6 || seen.has(k)) return;
      seen.add(k);
      values.push({ jurisdiction: h.value!.jurisdiction, field, value: Buffer.from(value) });
    };
    if (h.value.taxId) add("taxId", h.value.taxId);
    for (const r of h.value.restricted ?? []) add(r.field, r.value);
  }
  for (const r of regions) {
    const foreign = values.filter((v) => v.jurisdiction !== r.jurisdiction);
    if (!foreign.length) continue;
    for (const file of filesUnder(dataDirOf(r.region))) {
      // A running SQLite removes its -shm and -wal files as it pleases: gone is not a leak.
      let bytes: Buffer;
      try {
        if (statSync(file).size > MAX_SCAN_BYTES) continue;
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      for (const v of foreign)
        if (bytes.includes(v.value))
          leaks.push({
            region: r.region,
            ofJurisdiction: v.jurisdiction,
            field: v.field,
            where: file,
          });
    }
  }
  return leaks;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const stack = [dir];
  while (stack.length && out.length < 10_000) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && e.name !== "worker.env") out.push(p);
    }
  }
  return out;
}
