// `npm run federate`: federated learning across the local topology, measured. It attaches to
// a running `npm start` (all three regions answering) or starts its own topology (the
// coordinator signing rounds with a replication key bound to it) and stops it after; makes
// a fresh tenant in every region and a customer of each region's jurisdiction; gives each
// region its own industries of the corpus' train split through the API as calls with that
// customer (held-out rows from dev); runs R rounds on the coordinator, with the noise a
// region abroad requires by default; scores every version on the eval split (all
// industries) beside the offline models of the same run and seed (each region alone, pooled,
// federation simulated under the same border rules); prints the table and writes
// bench/results/federated-<stamp>.json and its chart (SVG).
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { SalesCallRow } from "../ml/data/corpus.ts";
import { ABROAD } from "../ml/federated/border.ts";
import { roundsChart } from "../ml/federated/chart.ts";
import { decodeParams, paramsHash } from "../ml/federated/codec.ts";
import {
  loadCorpus,
  partition,
  REGION_INDUSTRIES,
  regionUtterances,
} from "../ml/federated/corpus.ts";
import { offlineModels, type RegionRows, type Score, score } from "../ml/federated/measure.ts";
import { FEDERATED_SPEC } from "../ml/federated/model.ts";
import {
  DEFAULT_ROUND_CONFIG,
  type RoundConfig,
  type RoundSummary,
} from "../ml/federated/round.ts";
import { PARAMS_LENGTH } from "../ml/federated/wire.ts";
import { startTopology, type Topology } from "./local-topology.ts";
import { tailLines } from "./processes.ts";
import { ROOT } from "./region.ts";
import { readTopology } from "./topology.ts";

const USAGE = `Usage: npm run federate [-- options]

  --rounds <n>      federated rounds (default 5, at most 20)
  --seed <n>        seeds local shuffles and the offline models (default 1)
  --noise <σ>       Gaussian noise multiplier on each update (default ${ABROAD.minNoiseMultiplier}: the least
                    eu-central sends abroad; below it eu-central declines every round)
  --epochs <n> --lr <x> --clip <C>   local training (defaults: ${DEFAULT_ROUND_CONFIG.training.epochs}, ${DEFAULT_ROUND_CONFIG.training.learningRate}, ${DEFAULT_ROUND_CONFIG.training.clipNorm})
  --eval test|dev   the split every model is scored on (default test: read only to report;
                    choices were made on dev)
  --data-dir <dir>  the running npm start's data directory (default .data)
  --out <dir>       where the report goes (default bench/results)
  --chart <file>    only redraw the SVG of an existing report
`;
const REGIONS = Object.keys(REGION_INDUSTRIES);
const BATCH = 100;
const CALL_TIMEOUT_MS = 180_000;

const { values: v } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    noise: { type: "string", default: String(ABROAD.minNoiseMultiplier) },
    epochs: { type: "string" },
    lr: { type: "string" },
    clip: { type: "string" },
    eval: { type: "string", default: "test" },
    "data-dir": { type: "string", default: ".data" },
    out: { type: "string", default: "bench/results" },
    chart: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (v.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`npm run federate: ${message}\n`);
  process.exit(1);
}

function numberArg(name: string, raw: string, lo: number, hi: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < lo || n > hi) fail(`--${name} must be a number in [${lo}, ${hi}]`);
  return n;
}

type Report = {
  kind: "federated";
  at: string;
  command: string;
  topology: "attached" | "own";
  corpus: { source: string; train: number; dev: number; test: number };
  eval: { split: string; rows: number };
  partition: Record<string, { industries: readonly string[]; train: number; holdout: number }>;
  config: RoundConfig & { rounds: number };
  /** The regions outside the coordinator's jurisdiction, and the rules their updates crossed under. */
  border: { abroad: string[]; rules: typeof ABROAD };
  rounds: Array<{
    round: number;
    version: number | null;
    hash: string | null;
    sameAsSimulated: boolean | null;
    ms: number;
    updates: RoundSummary["updates"];
    decisions: RoundSummary["decisions"];
    score: Score | null;
  }>;
  simulated: Array<{ round: number; version: number; hash: string; score: Score }>;
  alone: Record<string, Score>;
  pooled: Score;
  served: Record<string, unknown>;
  audited: Record<string, number>;
};

function chartOf(report: Report): string {
  return roundsChart({
    title: `Federated rounds vs macro-F1 on ${report.eval.split} (${report.eval.rows} rows, all industries)`,
    rounds: report.rounds.flatMap((r) =>
      r.score ? [{ round: r.round, macroF1: r.score.macroF1 }] : [],
    ),
    pooled: report.pooled.macroF1,
    alone: Object.fromEntries(Object.entries(report.alone).map(([k, s]) => [k, s.macroF1])),
  });
}

if (v.chart) {
  const report = JSON.parse(readFileSync(v.chart, "utf8")) as Report;
  const svg = v.chart.replace(/\.json$/, ".svg");
  writeFileSync(svg, chartOf(report));
  process.stdout.write(`${svg}\n`);
  process.exit(0);
}

const rounds = numberArg("rounds", v.rounds!, 1, 20);
const training = {
  ...DEFAULT_ROUND_CONFIG.training,
  seed: numberArg("seed", v.seed!, 0, 0xffffffff),
  noiseMultiplier: numberArg("noise", v.noise!, 0, 10),
  ...(v.epochs ? { epochs: numberArg("epochs", v.epochs, 1, 20) } : {}),
  ...(v.lr ? { learningRate: numberArg("lr", v.lr, 0.001, 5) } : {}),
  ...(v.clip ? { clipNorm: numberArg("clip", v.clip, 0.001, 100) } : {}),
};
const config: RoundConfig = { training, minUpdates: DEFAULT_ROUND_CONFIG.minUpdates };
if (v.eval !== "test" && v.eval !== "dev") fail("--eval must be test or dev");
const args = process.argv.slice(2);
const command = args.length > 0 ? `npm run federate -- ${args.join(" ")}` : "npm run federate";
const log = (line: string) => process.stdout.write(`${line}\n`);

// Seed and every parameter first: a run reproduces from them and the commit.
log(
  `federate: ${rounds} rounds, training ${JSON.stringify(training)}, minUpdates ${config.minUpdates}, eval on ${v.eval}`,
);
const { source, split } = loadCorpus();
log(
  `corpus: ${source} (train ${split.train.length}, dev ${split.dev.length}, test ${split.test.length})`,
);
const evalRows: SalesCallRow[] = v.eval === "test" ? split.test : split.dev;
const regionRows = new Map<string, RegionRows>(
  REGIONS.map((r) => [r, { train: partition(split.train, r), holdout: partition(split.dev, r) }]),
);
for (const [r, rows] of regionRows)
  log(
    `  ${r.padEnd(10)} ${REGION_INDUSTRIES[r]!.join(" + ")}: ${rows.train.length} train, ${rows.holdout.length} held out`,
  );

const declared = readTopology().filter((t) => REGIONS.includes(t.region));
/** FEDERATION_COORDINATOR in wrangler.toml. */
const coordinator = "cn-east";
const jurisdictionOf = (r: string) => declared.find((t) => t.region === r)!.jurisdiction;
const abroad = (r: string) => jurisdictionOf(r) !== jurisdictionOf(coordinator);
log(
  `border: ${REGIONS.filter(abroad).join(", ") || "no region"} abroad of ${coordinator}: updates only with σ ≥ ${ABROAD.minNoiseMultiplier} from ≥ ${ABROAD.minRows} rows, n stated in ${ABROAD.rowsBucket}s, no norm`,
);

// The offline models first: computed while no region waits on an idle connection (a
// keep-alive socket left idle through them was closed under the first round's request).
log("offline models (same seed): alone per region, pooled, federation simulated …");
const offline = await offlineModels(FEDERATED_SPEC, regionRows, rounds, config, abroad);
const simulated = offline.federated.models.map((m) => ({
  round: m.round,
  version: m.version,
  hash: m.hash,
  score: score(FEDERATED_SPEC, m.params, evalRows),
}));

// --- The topology: the running npm start, or one of our own ------------------------------

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

const up = await Promise.all(declared.map((t) => answers(t.apiUrl)));
let own: Topology | null = null;
let urlOf: (region: string) => string;
let localAdminSecret: string;
if (up.every(Boolean)) {
  log(
    "attached to the running npm start (its regions accept rounds signed with its shared key only while no key is bound to the coordinator: local mode)",
  );
  const secrets = resolve(ROOT, v["data-dir"]!, "secrets.json");
  try {
    localAdminSecret = (JSON.parse(readFileSync(secrets, "utf8")) as { LOCAL_ADMIN_SECRET: string })
      .LOCAL_ADMIN_SECRET;
  } catch (err) {
    fail(`cannot read ${secrets}: ${(err as Error).message}`);
  }
  urlOf = (r) => declared.find((t) => t.region === r)!.apiUrl;
} else if (up.some(Boolean)) {
  fail(
    `only ${declared
      .filter((_, i) => up[i])
      .map((t) => t.region)
      .join(", ")} answer: run npm start with every region (or stop it)`,
  );
} else {
  log("no region answers: starting a topology of our own (stopped at the end)");
  // The ring every region holds: the shared key, and one bound to the coordinator, which
  // signs its rounds with it; regions refuse rounds signed with any other key.
  const secret = () => randomBytes(32).toString("base64url");
  const ring = { k1: secret(), [`federate@${coordinator}`]: secret() };
  own = await startTopology(REGIONS, { secrets: { REPLICATION_KEYS: JSON.stringify(ring) } });
  urlOf = (r) => own!.url(r);
  localAdminSecret = own.localAdminSecret;
}

async function call(
  region: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await fetch(`${urlOf(region)}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  }).catch((err: unknown) => {
    throw new Error(`${method} ${path} in ${region}: ${(err as Error).message}`, {
      cause: (err as Error).cause,
    });
  });
  const text = await res.text();
  if (res.status === 404 && path.startsWith("/v1/federation"))
    throw new Error(`${region} has no federation routes: restart npm start on this commit`);
  if (!res.ok)
    throw new Error(`${method} ${path} in ${region}: HTTP ${res.status} ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : null;
}

// Ctrl-C stops a topology of our own too (its processes would outlive us otherwise).
process.once("SIGINT", () => {
  void (own?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
});
try {
  const report = await run();
  const stamp = report.at.replace(/[:.]/g, "-");
  const out = resolve(ROOT, v.out!);
  const file = join(out, `federated-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, "federated-latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, ".svg"), chartOf(report));
  printTable(report);
  log(`\nreport: ${file}\nchart:  ${file.replace(/\.json$/, ".svg")}`);
} catch (err) {
  // fetch says only "fetch failed"; its cause says which socket error (reset, refused).
  const cause = err instanceof Error && err.cause ? ` (${String(err.cause)})` : "";
  process.stderr.write(
    `npm run federate: ${err instanceof Error ? err.message : String(err)}${cause}\n`,
  );
  // A topology of our own is deleted when it stops: its coordinator's log says why first.
  if (own) {
    const logPath = join(own.dataDir(coordinator), "worker.log");
    process.stderr.write(
      `--- last lines of ${coordinator}'s worker.log ---\n${tailLines(logPath, 40)}\n`,
    );
  }
  process.exitCode = 1;
} finally {
  await own?.stop();
}

async function run(): Promise<Report> {
  // A fresh tenant per run: rounds start from version 0 and the dev tenant is left alone.
  const tenantId = `ten_fed_${Date.now().toString(36)}`;
  const admin = {
    id: "usr_fed_admin",
    email: "federation-admin@bench.lifeline.local",
    password: "federation-admin-1",
  };
  for (const r of REGIONS)
    await call(
      r,
      "POST",
      "/__local/seed",
      {
        tenant: { id: tenantId, name: "Federation bench" },
        apiKeys: [],
        users: [{ ...admin, name: "Federation admin", role: "admin" }],
      },
      { "lifeline-local-admin": localAdminSecret },
    );
  const { token } = (await call(coordinator, "POST", "/v1/auth/login", {
    email: admin.email,
    password: admin.password,
  })) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  for (const r of REGIONS) {
    await call(r, "PUT", "/v1/admin/federation/participation", { enabled: true }, auth);
    // The calls' customer: one per region, resident in its jurisdiction, created there.
    const customer = (await call(
      r,
      "POST",
      "/v1/customers",
      { name: `Federation bench customer (${r})`, residency: jurisdictionOf(r) },
      { ...auth, "idempotency-key": `${tenantId}-customer-${r}` },
    )) as { id: string };
    const items = regionUtterances(split, r, customer.id);
    for (let i = 0; i < items.length; i += BATCH)
      await call(
        r,
        "POST",
        "/v1/federation/utterances",
        { items: items.slice(i, i + BATCH) },
        auth,
      );
    log(
      `seeded ${r}: ${items.length} labelled utterances (its own industries only) of ${customer.id} (${jurisdictionOf(r)})`,
    );
  }

  const live: Report["rounds"] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const answer = (await call(
      coordinator,
      "POST",
      "/v1/admin/federation/rounds",
      { rounds: 1, training, minUpdates: config.minUpdates },
      auth,
    )) as { rounds: RoundSummary[] };
    const ms = Math.round(performance.now() - started);
    const summary = answer.rounds[0]!;
    let scored: Score | null = null;
    if (summary.version !== null) {
      const model = (await call(
        coordinator,
        "GET",
        `/v1/admin/federation/models/${summary.version}`,
        undefined,
        auth,
      )) as { hash: string; params: string };
      const params = decodeParams(model.params, PARAMS_LENGTH);
      if (!params || paramsHash(params) !== model.hash || model.hash !== summary.hash)
        throw new Error(`version ${summary.version} does not match its hash`);
      scored = score(FEDERATED_SPEC, params, evalRows);
    }
    const twin = simulated.find((s) => s.version === summary.version);
    const round = {
      round: summary.round,
      version: summary.version,
      hash: summary.hash,
      sameAsSimulated: training.noiseMultiplier > 0 || !twin ? null : twin.hash === summary.hash,
      ms,
      updates: summary.updates,
      decisions: summary.decisions,
      score: scored,
    };
    live.push(round);
    const serving = summary.decisions
      .map(
        (d) =>
          `${d.region} ${d.kind === "decided" ? (d.serve ? "serves" : `holds (${d.reason})`) : "failed"}`,
      )
      .join(", ");
    log(
      `round ${summary.round}: ${summary.outcome} → v${summary.version ?? "-"} in ${ms} ms, macro-F1 ${scored?.macroF1.toFixed(4) ?? "-"}; ${serving}`,
    );
  }

  const served: Record<string, unknown> = {};
  const audited: Record<string, number> = {};
  for (const r of REGIONS) {
    const status = (await call(r, "GET", "/v1/federation/status", undefined, auth)) as {
      served: unknown;
    };
    served[r] = status.served;
    const entries = (await call(
      r,
      "GET",
      "/v1/audit/entries?kind=cross-border-transfer&limit=200",
      undefined,
      auth,
    )) as { entries: Array<{ detail: { what?: string } }> };
    audited[r] = entries.entries.filter((e) => e.detail.what?.startsWith("federated-")).length;
  }
  const scoreOf = (p: Float32Array) => score(FEDERATED_SPEC, p, evalRows);
  return {
    kind: "federated",
    at: new Date().toISOString(),
    command,
    topology: own ? "own" : "attached",
    corpus: { source, train: split.train.length, dev: split.dev.length, test: split.test.length },
    eval: { split: v.eval!, rows: evalRows.length },
    partition: Object.fromEntries(
      [...regionRows].map(([r, rows]) => [
        r,
        {
          industries: REGION_INDUSTRIES[r]!,
          train: rows.train.length,
          holdout: rows.holdout.length,
        },
      ]),
    ),
    config: { ...config, rounds },
    border: { abroad: REGIONS.filter(abroad), rules: ABROAD },
    rounds: live,
    simulated,
    alone: Object.fromEntries([...offline.alone].map(([r, p]) => [r, scoreOf(p)])),
    pooled: scoreOf(offline.pooled),
    served,
    audited,
  };
}

function printTable(report: Report): void {
  const industries = Object.keys(report.pooled.accuracyByIndustry);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const line = (name: string, s: Score) =>
    log(
      `${name.padEnd(42)}${pct(s.accuracy)}${pct(s.macroF1)}${industries.map((i) => pct(s.accuracyByIndustry[i] ?? 0)).join("")}`,
    );
  log(`\non ${report.eval.split} (${report.eval.rows} rows, every industry, zh + en):`);
  log(
    `${"model".padEnd(42)}${"acc".padStart(7)}${"mF1".padStart(7)}${industries.map((i) => i.slice(0, 6).padStart(7)).join("")}`,
  );
  for (const [r, s] of Object.entries(report.alone))
    line(`${r} alone (${REGION_INDUSTRIES[r]!.join("+")})`, s);
  const last = report.rounds.filter((r) => r.score).at(-1);
  if (last) line(`federated, round ${last.round} (live)`, last.score!);
  line("pooled (upper bound)", report.pooled);
  const same = report.rounds.map((r) => r.sameAsSimulated);
  if (same.every((x) => x === true))
    log("every live version is bit-identical to the offline simulation's");
  else if (same.some((x) => x === false))
    log("NOTE: some live versions differ from the simulation's");
}
