// `npm run chaos`: the SRE's drill against a running `npm start` (DESIGN §9). It talks to
// npm start's loopback control API (scripts/control.ts), found through <data dir>/run.json,
// with the local admin secret from <data dir>/secrets.json.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeRepair, type PeerRepair } from "../replication/anti-entropy.ts";
import { CONTROL_HEADER } from "../scripts/control.ts";
import { ROOT } from "../scripts/region.ts";
import { readRun } from "../scripts/run-file.ts";
import { ACTIONS, type PartStatus } from "../scripts/supervisor.ts";
import { readTopology } from "../scripts/topology.ts";
import { runScenario } from "./run-scenario.ts";
import { DEFAULT_TIMING, SCENARIOS } from "./scenarios.ts";
import { MAX_REPS } from "./workload.ts";

const USAGE = `Usage: npm run chaos -- <command> [options]

Commands (against a running npm start):
  status                                   every part's state, since when, and why
  region kill|restart|pause|resume <name>  a region (all its processes): kill = SIGKILL,
                                           pause = SIGSTOP (a grey failure), resume = SIGCONT,
                                           restart = stop what is left and start it again
  relay kill|restart|pause|resume          the QStash relay
  router kill|restart|pause|resume         the global router

  fault slow-db <region> <delay> [--jitter <delay>]
                                           the region's libSQL answers late (e.g. 800ms, 2s)
  fault db-errors <region> <rate>          this share (0..1) of new libSQL connections is reset
  fault db-down <region>                   libSQL accepts and never answers (a blackhole)
  fault db-reset <region>                  every libSQL connection is reset
  fault db-bandwidth <region> <bytes/s>    libSQL traffic capped
  fault relay-down                         no region reaches the QStash relay (a blackhole)
  fault relay-slow <delay>                 every region's calls to the relay wait longer
  fault clock-skew <region> <±offset>      the region's HLC wall clock runs ahead or behind (+6m)
  fault slow-inference <region> <delay>    its calls to the inference worker wait longer
  fault inference-errors <region> <rate>   this share (0..1) of its inference calls fails
  fault partition <region> <region>        the two regions cannot reach each other (both ways)
  fault slow-link <region> <region> <delay> [--jitter <delay>]
                                           traffic between them waits (both ways)
  heal [<region>]                          lift every fault (or the region's: its libSQL, its links)
  faults                                   the fault proxies, their faults and counters
  repair [<region>]                        one anti-entropy round now: each region (or the one
                                           named) compares state hashes with its peers and
                                           pulls what it misses

Drills (a seeded workload, the scenario's faults, heal, checks, a report in chaos/reports/):
  --scenario <name> --seed <n> [--attach] [--reps <n>] [--quick]
      region-loss, slow-db, db-down, partition, relay-outage, clock-skew,
      inference-slow, grey-region, storm. Without --attach it starts its own topology
      in .data/chaos (stop npm start first: the ports are the same); with --attach it
      drives the npm start of --data-dir. --quick shortens every phase (a smoke run).
      Exit 0 when every invariant holds, 1 when one fails.

Options:
  --data-dir <dir>   the data directory of that npm start (default: .data; .data/chaos
                     for a scenario run without --attach)
  -h, --help         show this help

Examples:
  npm run chaos -- region kill cn-east
  npm run chaos -- region restart cn-east && npm run converge
  npm run chaos -- --scenario region-loss --seed 7
`;
/** A restart waits for a region to be ready again; never forever. */
const REQUEST_TIMEOUT_MS = 150_000;

function fail(message: string, code = 2): never {
  process.stderr.write(`chaos: ${message}\n`);
  if (code === 2) process.stderr.write(`\n${USAGE}`);
  process.exit(code);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      "data-dir": { type: "string" },
      jitter: { type: "string" },
      scenario: { type: "string" },
      seed: { type: "string" },
      attach: { type: "boolean" },
      reps: { type: "string" },
      quick: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
}
try {
  parsed = parse();
} catch (err) {
  fail((err as Error).message);
}
if (parsed.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

// A reader that closes the pipe early (`| head`) is not an error of the drill.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

if (parsed.values.scenario !== undefined) await scenario();

async function scenario(): Promise<never> {
  const v = parsed.values;
  const seed = Number(v.seed ?? "1");
  if (!Number.isSafeInteger(seed) || seed < 0)
    fail(`--seed must be a whole number, not ${JSON.stringify(v.seed)}`);
  const reps = Number(v.reps ?? "20");
  if (!Number.isInteger(reps) || reps < 1 || reps > MAX_REPS) fail(`--reps must be 1..${MAX_REPS}`);
  if (!Object.hasOwn(SCENARIOS, v.scenario!))
    fail(`unknown scenario ${JSON.stringify(v.scenario)}: ${Object.keys(SCENARIOS).join(", ")}`);
  if (parsed.positionals.length) fail("a scenario run takes no commands");
  const timing = v.quick
    ? { warmupMs: 8_000, windowMs: 12_000, gapMs: 6_000, cooldownMs: 8_000 }
    : DEFAULT_TIMING;
  const dataRoot = resolve(ROOT, v["data-dir"] ?? (v.attach ? ".data" : ".data/chaos"));
  const started = Date.now();
  try {
    const { verdict, files } = await runScenario({
      scenario: v.scenario!,
      seed,
      attach: v.attach ?? false,
      dataRoot,
      reps,
      timing,
      reportsDir: join(ROOT, "chaos", "reports"),
      convergeWithinMs: 120_000,
      progress: (l) => process.stdout.write(`${l}\n`),
      command: `npm run chaos -- ${process.argv.slice(2).join(" ")}`,
    });
    process.stdout.write(
      `\n${verdict.ok ? "PASS" : "FAIL"} ${v.scenario} seed ${seed} in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
    for (const i of verdict.invariants) {
      process.stdout.write(`  ${i.ok ? "ok  " : "FAIL"} ${i.name}: ${i.summary}\n`);
      for (const x of i.ok ? [] : i.violations.slice(0, 5)) process.stdout.write(`         ${x}\n`);
    }
    if (files)
      process.stdout.write(
        `report: ${files.html}\n        ${files.json}\n        ${files.history}\n`,
      );
    process.exit(verdict.ok ? 0 : 1);
  } catch (err) {
    fail((err as Error).message, 1);
  }
}

const dataRoot = resolve(ROOT, parsed.values["data-dir"] ?? ".data");
const [command, ...rest] = parsed.positionals;

/** Which part and action the words name, or a readable refusal. */
function target(): { part: string; action: string } {
  const expectArgs = (n: number, shape: string) => {
    if (rest.length !== n) fail(`${command} takes ${shape}`);
  };
  const action = rest[0] ?? "";
  if (command === "region") {
    expectArgs(2, "an action and a region name: region kill cn-east");
  } else if (command === "relay" || command === "router") {
    expectArgs(1, `an action: ${command} restart`);
  } else {
    fail(command ? `unknown command ${JSON.stringify(command)}` : "a command is needed");
  }
  if (!(ACTIONS as readonly string[]).includes(action))
    fail(`unknown action ${JSON.stringify(action)}: ${ACTIONS.join(", ")}`);
  return { part: command === "region" ? rest[1]! : command, action };
}

function control(): { url: string; secret: string } {
  const run = readRun(dataRoot);
  if (!run?.controlPort)
    fail(
      `no npm start is running on ${dataRoot} (no run.json with a control port). Start it: npm start`,
      1,
    );
  let secret: unknown;
  try {
    secret = (
      JSON.parse(readFileSync(join(dataRoot, "secrets.json"), "utf8")) as Record<string, unknown>
    ).LOCAL_ADMIN_SECRET;
  } catch (err) {
    fail(`cannot read ${join(dataRoot, "secrets.json")}: ${(err as Error).message}`, 1);
  }
  if (typeof secret !== "string")
    fail(`${join(dataRoot, "secrets.json")} has no LOCAL_ADMIN_SECRET`, 1);
  return { url: `http://127.0.0.1:${run.controlPort}`, secret };
}

async function call(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const { url, secret } = control();
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: {
        [CONTROL_HEADER]: secret,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    fail(
      `npm start's control API at ${url} did not answer (${cause}). Is npm start still running?`,
      1,
    );
  }
  const answer = (await res.json().catch(() => null)) as { title?: string; detail?: string } | null;
  if (!res.ok)
    fail(
      `${answer?.title ?? `HTTP ${res.status}`}${answer?.detail ? `: ${answer.detail}` : ""}`,
      1,
    );
  return answer;
}

function line(s: PartStatus): string {
  const since = new Date(s.since).toLocaleTimeString();
  const why = s.detail ? `  ${s.detail}` : "";
  return `  ${s.name.padEnd(12)} ${s.kind.padEnd(7)} ${s.state.padEnd(9)} since ${since}${why}`;
}

/** "800ms", "2s" or "800" (milliseconds) → milliseconds. */
function duration(text: string | undefined, what: string, signed = false): number {
  const m = /^([+-]?)(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text ?? "");
  if (!m || (m[1] && !signed))
    fail(`${what} must be a duration such as 800ms, 2s or 5m, not ${JSON.stringify(text ?? "")}`);
  const unit = m[3] === "m" ? 60_000 : m[3] === "s" ? 1_000 : 1;
  return (m[1] === "-" ? -1 : 1) * Math.round(Number(m[2]) * unit);
}

/** What lives in a region's isolate (clock, inference calls): its local-mode fault routes. */
type RegionFaults = { clockOffsetMs: number; inference: { latencyMs: number; errorRate: number } };
const REGION_FAULTS = new Set(["clock-skew", "slow-inference", "inference-errors"]);

async function regionCall(region: string, method: "GET" | "PUT", path: string, body?: unknown) {
  const topology = readTopology().find((r) => r.region === region);
  if (!topology) fail(`no region ${JSON.stringify(region)} in wrangler.toml`, 1);
  const { secret } = control();
  const url = `${topology.apiUrl}${path}`;
  const res = await fetch(url, {
    method,
    headers: { [CONTROL_HEADER]: secret, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  }).catch((err: Error) =>
    fail(`${region} did not answer at ${url} (${(err.cause as Error)?.message ?? err.message})`, 1),
  );
  const answer = (await res.json().catch(() => null)) as
    | (RegionFaults & { title?: string; detail?: string })
    | null;
  if (!res.ok)
    fail(
      `${region}: ${answer?.title ?? `HTTP ${res.status}`}${answer?.detail ? `: ${answer.detail}` : ""}`,
      1,
    );
  return answer as RegionFaults;
}

const regionLine = (region: string, f: RegionFaults) =>
  `  ${region.padEnd(16)} clock ${f.clockOffsetMs >= 0 ? "+" : ""}${f.clockOffsetMs} ms, inference +${f.inference.latencyMs} ms, errors ${f.inference.errorRate}`;

/** Sets one in-isolate fault of `region`, keeping the others. */
async function regionFault(kind: string, region: string, args: string[]): Promise<RegionFaults> {
  if (args.length !== 1)
    fail(`fault ${kind} takes a region and one value: fault ${kind} ${region} …`);
  const current = await regionCall(region, "GET", "/__local/faults");
  if (kind === "clock-skew")
    return regionCall(region, "PUT", "/__local/clock", {
      offsetMs: duration(args[0], "the skew", true),
    });
  const inference = { ...current.inference };
  if (kind === "slow-inference") inference.latencyMs = duration(args[0], "the delay");
  else {
    const rate = Number(args[0]);
    if (!(rate >= 0 && rate <= 1)) fail("the rate must be a number in 0..1");
    inference.errorRate = rate;
  }
  return regionCall(region, "PUT", "/__local/faults/inference", inference);
}

/** Lifts the in-isolate faults of `region`. */
async function healRegion(region: string): Promise<RegionFaults> {
  await regionCall(region, "PUT", "/__local/clock", { offsetMs: 0 });
  return regionCall(region, "PUT", "/__local/faults/inference", {});
}

/** The regions the running npm start runs. */
async function runningRegions(): Promise<string[]> {
  const parts = (await call("GET", "/parts")) as PartStatus[];
  return parts.filter((p) => p.kind === "region" && p.state === "running").map((p) => p.name);
}

/** The faults a `fault <kind> <region> …` command asks for. */
function faultOf(kind: string | undefined, args: string[]): Record<string, unknown> {
  const need = (n: number, shape: string) => {
    if (args.length !== n) fail(`fault ${kind} takes ${shape}`);
  };
  switch (kind) {
    case "slow-db":
      need(1, "a region and a delay: fault slow-db cn-east 800ms");
      return {
        latencyMs: duration(args[0], "the delay"),
        ...(parsed.values.jitter ? { jitterMs: duration(parsed.values.jitter, "--jitter") } : {}),
      };
    case "db-errors": {
      need(1, "a region and a rate in 0..1: fault db-errors cn-east 0.2");
      const rate = Number(args[0]);
      if (!(rate >= 0 && rate <= 1)) fail("the rate must be a number in 0..1");
      return { errorRate: rate };
    }
    case "db-down":
      need(0, "a region: fault db-down cn-east");
      return { blackhole: true };
    case "db-reset":
      need(0, "a region: fault db-reset cn-east");
      return { reset: true };
    case "db-bandwidth": {
      need(1, "a region and bytes per second: fault db-bandwidth cn-east 20000");
      const bps = Number(args[0]);
      if (!Number.isInteger(bps) || bps < 1) fail("bytes per second must be a positive integer");
      return { bandwidthBytesPerS: bps };
    }
    default:
      return fail(
        `unknown fault ${JSON.stringify(kind ?? "")}: slow-db, db-errors, db-down, db-reset, db-bandwidth`,
      );
  }
}

type ProxyView = { name: string; faults: Record<string, unknown>; stats: Record<string, number> };
const NO_FAULT_VALUES = new Set<unknown>([0, false, null]);
function proxyLine(p: ProxyView): string {
  const active = Object.entries(p.faults).filter(([, v]) => !NO_FAULT_VALUES.has(v));
  const faults = active.length ? active.map(([k, v]) => `${k}=${v}`).join(" ") : "no faults";
  return `  ${p.name.padEnd(16)} ${faults}   (connections: ${p.stats.accepted} accepted, ${p.stats.reset} reset, ${p.stats.open} open)`;
}

const put = (proxy: string, body: unknown) =>
  call("PUT", `/faults/${encodeURIComponent(proxy)}`, body) as Promise<ProxyView>;
const links = (a: string, b: string) => [`link:${a}>${b}`, `link:${b}>${a}`];

if (command === "fault" && (rest[0] === "relay-down" || rest[0] === "relay-slow")) {
  const [kind, ...args] = rest;
  if (kind === "relay-down" && args.length) fail("fault relay-down takes nothing more");
  if (kind === "relay-slow" && args.length !== 1) fail("fault relay-slow takes a delay: 800ms");
  const body =
    kind === "relay-down" ? { blackhole: true } : { latencyMs: duration(args[0], "the delay") };
  process.stdout.write(`${proxyLine(await put("relay", body))}\n`);
  process.exit(0);
}

if (command === "fault") {
  const [kind, first, ...args] = rest;
  if (!first) fail("fault takes a kind and a region: fault slow-db cn-east 800ms");
  let views: ProxyView[];
  if (kind && REGION_FAULTS.has(kind)) {
    process.stdout.write(`${regionLine(first, await regionFault(kind, first, args))}\n`);
    process.exit(0);
  }
  if (kind === "partition" || kind === "slow-link") {
    const [second, delay, ...extra] = args;
    if (!second || extra.length || (kind === "partition") !== (delay === undefined))
      fail(
        kind === "partition"
          ? "fault partition takes two regions: fault partition cn-east cn-south"
          : "fault slow-link takes two regions and a delay: fault slow-link cn-east eu-central 300ms",
      );
    const body =
      kind === "partition"
        ? { blackhole: true }
        : {
            latencyMs: duration(delay, "the delay"),
            ...(parsed.values.jitter
              ? { jitterMs: duration(parsed.values.jitter, "--jitter") }
              : {}),
          };
    // Both directions: a partition is symmetric, and so is a slow link.
    views = await Promise.all(links(first, second!).map((l) => put(l, body)));
  } else {
    views = [await put(`db:${first}`, faultOf(kind, args))];
  }
  process.stdout.write(`${views.map(proxyLine).join("\n")}\n`);
} else if (command === "heal") {
  if (rest.length > 1) fail("heal takes at most a region");
  const region = rest[0];
  const all = (await call("GET", "/faults")) as ProxyView[];
  const mine = (p: ProxyView) =>
    p.name === `db:${region}` ||
    p.name.startsWith(`link:${region}>`) ||
    p.name.endsWith(`>${region}`);
  if (region && !all.some(mine)) fail(`no fault proxy of region ${JSON.stringify(region)}`, 1);
  const views = region
    ? await Promise.all(
        all
          .filter(mine)
          .map(
            async (p) =>
              ((await call("DELETE", `/faults/${encodeURIComponent(p.name)}`)) as ProxyView[])[0]!,
          ),
      )
    : ((await call("DELETE", "/faults")) as ProxyView[]);
  process.stdout.write(`${views.map(proxyLine).join("\n")}\n`);
  for (const r of region ? [region] : await runningRegions())
    process.stdout.write(`${regionLine(r, await healRegion(r))}\n`);
} else if (command === "faults") {
  if (rest.length) fail("faults takes no arguments");
  const views = (await call("GET", "/faults")) as ProxyView[];
  process.stdout.write(`${views.map(proxyLine).join("\n")}\n`);
  for (const r of await runningRegions())
    process.stdout.write(`${regionLine(r, await regionCall(r, "GET", "/__local/faults"))}\n`);
} else if (command === "repair") {
  if (rest.length > 1) fail("repair takes at most a region");
  const { secret } = control();
  const topology = readTopology();
  const names = rest.length ? rest : await runningRegions();
  const startedMs = Date.now();
  const rounds = await Promise.all(
    names.map(async (region) => {
      const r = topology.find((t) => t.region === region);
      if (!r) fail(`no region ${JSON.stringify(region)} in wrangler.toml`, 1);
      const res = await fetch(`${r.apiUrl}/__local/anti-entropy/repair`, {
        method: "POST",
        headers: { [CONTROL_HEADER]: secret },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).catch((err: Error) => fail(`${region} did not answer (${err.message})`, 1));
      const body = (await res.json().catch(() => null)) as {
        peers?: PeerRepair[];
        title?: string;
        detail?: string;
      } | null;
      if (!res.ok || !body?.peers)
        fail(`${region}: ${body?.title ?? `HTTP ${res.status}`} ${body?.detail ?? ""}`, 1);
      return { region, peers: body.peers };
    }),
  );
  const all = rounds.flatMap((r) => r.peers);
  for (const { region, peers } of rounds)
    for (const p of peers) process.stdout.write(`  ${describeRepair(region, p)}\n`);
  const sum = (k: "compared" | "differing" | "pulled" | "repaired" | "events") =>
    all.reduce((n, p) => n + p[k], 0);
  process.stdout.write(
    `Repair: ${sum("compared")} accounts compared, ${sum("differing")} differing, ${sum("pulled")} pulled (${sum("repaired")} repaired, ${sum("events")} events) in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`,
  );
  if (all.some((p) => !p.reachable)) process.exitCode = 1;
} else if (command === "status") {
  if (rest.length) fail("status takes no arguments");
  const parts = (await call("GET", "/parts")) as PartStatus[];
  process.stdout.write(`${parts.map(line).join("\n")}\n`);
} else {
  const { part, action } = target();
  if (action === "restart") process.stdout.write(`Restarting ${part} (waits until it is ready)…\n`);
  const status = (await call("POST", `/parts/${encodeURIComponent(part)}/${action}`)) as PartStatus;
  process.stdout.write(`${line(status)}\n`);
}
