// `npm start`: runs the chosen regions of wrangler.toml locally (libSQL + worker each),
// migrated and seeded, with the relay and the router, until Ctrl-C; all state lives under
// .data/ and survives restarts. A part that dies is reported and the rest keep serving
// (scripts/supervisor.ts); `npm run chaos` kills, pauses and restarts parts through the
// loopback control API (scripts/control.ts).
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FaultProxy } from "../chaos/fault-proxy.ts";
import { banner } from "./banner.ts";
import { CONTROL_PORT, startControlServer } from "./control.ts";
import { demoPortal, writeDemoData } from "./demo-data.ts";
import { assertPortsFree, PortInUseError, type ProcessGroup } from "./processes.ts";
import { describeExit, INFERENCE_CONFIG, type RegionHandle, ROOT, startRegion } from "./region.ts";
import { startRelayProcess } from "./relay-process.ts";
import { routerPort, startRouterProcess } from "./router-process.ts";
import { forgetRun, previousRun, recordRun } from "./run-file.ts";
import { loadOrCreateSecrets, relaySecrets, workerSecrets } from "./secrets.ts";
import { devCredentials, devSeeds, seedRegion } from "./seed.ts";
import { type PartStatus, type Running, Supervisor } from "./supervisor.ts";
import { readTopology, regionsVar, selectRegions } from "./topology.ts";
import { buildWeb } from "./web-build.ts";

const USAGE = `Usage: npm start [-- options]

Starts each region's libSQL server and API worker from wrangler.toml, applies migrations,
seeds dev data and runs until Ctrl-C. State is kept in the data directory across restarts.

Options:
  --regions <a,b>    regions to start (default: every env in wrangler.toml)
  --all              start every region in wrangler.toml
  --data-dir <dir>   where state and logs live (default: .data)
  --bus <name>       the replication bus: direct (signed HTTP between regions, the
                     default) or qstash (through the local QStash relay, sealed end to end)
  -h, --help         show this help

Environment: LIFELINE_DEV_API_KEY, LIFELINE_DEV_REP_PASSWORD, LIFELINE_DEV_ADMIN_PASSWORD override the dev credentials.
`;
const INSPECTOR_BASE_PORT = 9230;
/** Each region's libSQL fault proxy listens on its libSQL port + this (8821–8823). */
const DB_PROXY_OFFSET = 10;
// Lines worth a glance while the stack runs; everything is in the log files regardless.
const NOTEWORTHY = /\b(warn|warning|error|uncaught|exception)\b|✘|▲/i;

function fail(message: string, code = 1): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      regions: { type: "string" },
      all: { type: "boolean" },
      "data-dir": { type: "string" },
      bus: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
}
try {
  args = parse();
} catch (err) {
  fail(`${(err as Error).message}\n\n${USAGE}`, 2);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const BUSES = new Set(["direct", "qstash"]);
const bus = args.values.bus ?? "direct";
if (!BUSES.has(bus))
  fail(`--bus must be direct or qstash, not ${JSON.stringify(bus)}\n\n${USAGE}`, 2);

const startedMs = performance.now();
const dataRoot = resolve(ROOT, args.values["data-dir"] ?? ".data");
let credentials: ReturnType<typeof devCredentials>;
let regions: ReturnType<typeof readTopology>;
try {
  const all = readTopology();
  regions = args.values.all
    ? all
    : selectRegions(
        all,
        (args.values.regions ?? all.map((r) => r.region).join(",")).split(",").map((r) => r.trim()),
      );
  credentials = devCredentials();
} catch (err) {
  fail((err as Error).message, 2);
}

try {
  await assertPortsFree(
    regions
      .flatMap((r, i) => [
        { port: r.apiPort, purpose: `${r.region} API` },
        { port: r.libsqlPort, purpose: `${r.region} libSQL` },
        { port: r.libsqlPort + DB_PROXY_OFFSET, purpose: `${r.region} libSQL fault proxy` },
        { port: INSPECTOR_BASE_PORT + i, purpose: `${r.region} worker inspector` },
      ])
      .concat([
        { port: regions[0]!.relayPort, purpose: "QStash relay" },
        { port: routerPort(), purpose: "router" },
        { port: CONTROL_PORT, purpose: "npm start's control API" },
      ]),
  );
} catch (err) {
  if (!(err instanceof PortInUseError)) throw err;
  const previous = previousRun(dataRoot);
  const hint = previous?.ownerAlive
    ? [`  npm start (pid ${previous.pid}) is still running on this data dir: stop it with Ctrl-C.`]
    : previous?.liveGroups.length
      ? [
          "  A previous npm start was killed hard and left these process groups running:",
          ...previous.liveGroups.map((g) => `    ${g.name}: kill -- -${g.pgid}`),
        ]
      : [
          "  Is npm start already running in another terminal? Stop it with Ctrl-C.",
          `  Otherwise find the process: ss -ltnp 'sport = :${err.port}'  (or: lsof -i :${err.port})`,
        ];
  fail([`port ${err.port} (${err.purpose}) is already in use.`, ...hint].join("\n"));
}

const secrets = loadOrCreateSecrets(dataRoot);
const handles = new Map<string, RegionHandle>();

/**
 * A fault proxy in front of each region's libSQL server (`db:<region>`, on the libSQL
 * port + DB_PROXY_OFFSET): the worker reaches its read model through it, so `npm run
 * chaos -- fault slow-db …` can slow, break or cut it while everything runs. Without
 * faults it only forwards.
 */
const faults = new Map(
  regions.map((r) => [
    `db:${r.region}`,
    new FaultProxy(`db:${r.region}`, { host: "127.0.0.1", port: r.libsqlPort }),
  ]),
);
/**
 * And one on each directed link between regions (`link:<from>><to>`, on a free port): a
 * region reaches its peers (replication, audit checkpoints) through them, so `fault
 * partition cn-east cn-south` cuts both directions. The router reaches regions directly.
 */
const linkName = (from: string, to: string) => `link:${from}>${to}`;
const linkPorts = new Map<string, number>();
for (const from of regions)
  for (const to of regions)
    if (from.region !== to.region) {
      const name = linkName(from.region, to.region);
      faults.set(name, new FaultProxy(name, { host: "127.0.0.1", port: to.apiPort }));
    }
/**
 * And one in front of the QStash relay (`relay`, on the relay port + DB_PROXY_OFFSET):
 * regions publish through it, so `fault relay-down` makes the relay unreachable from every
 * region while it keeps running (its deliveries to regions cross the links as before).
 */
const relayProxyPort = regions[0]!.relayPort + DB_PROXY_OFFSET;
faults.set("relay", new FaultProxy("relay", { host: "127.0.0.1", port: regions[0]!.relayPort }));
/** The region map `from` sees: peers at the links from it, itself at its own URL. */
const regionsSeenFrom = (from: string) =>
  regionsVar(
    regions.map((r) =>
      r.region === from
        ? r
        : { ...r, apiUrl: `http://127.0.0.1:${linkPorts.get(linkName(from, r.region))}` },
    ),
  );

/** What a process group's unasked exit is reported as. */
const exitOf = (group: ProcessGroup): Promise<string> =>
  group.exited.then((exit) => `The ${group.name} ${describeExit(exit)} (log: ${group.logPath})`);

const asRunning = (group: ProcessGroup): Running => ({
  groups: [group],
  crashed: exitOf(group),
  stop: async () => void (await group.stop()),
  kill: async () => void (await group.kill()),
});

/** The chaos command's words for an action on a part: `region restart cn-east`, `relay restart`. */
const chaosWords = (s: PartStatus, action: string) =>
  s.kind === "region" ? `region ${action} ${s.name}` : `${s.name} ${action}`;
const supervisor = new Supervisor({
  say: (line) => console.error(`\n${line}`),
  changed: () => recordRun(dataRoot, supervisor.groups(), CONTROL_PORT),
  restartHint: (s) => `npm run chaos -- ${chaosWords(s, "restart")}`,
});

/** A part that is one process group; its noteworthy lines are echoed as `[name] …`. */
function singleGroupPart(
  name: "relay" | "router",
  start: (signal: AbortSignal, onLine: (line: string) => void) => Promise<ProcessGroup>,
) {
  const onLine = (line: string) => {
    if (NOTEWORTHY.test(line)) console.error(`[${name}] ${line}`);
  };
  supervisor.add({
    name,
    kind: name,
    start: async (signal) => asRunning(await start(signal, onLine)),
  });
}

// The relay first: regions configured with the qstash bus publish to it from their first write.
singleGroupPart("relay", (signal, onLine) =>
  startRelayProcess({
    port: regions[0]!.relayPort,
    dataDir: join(dataRoot, "relay"),
    secrets: relaySecrets(secrets),
    // Regions name their peers by the links' URLs (qstash deliveries then cross the links too).
    allowedOrigins: [
      ...regions.map((r) => r.apiUrl),
      ...[...linkPorts.values()].map((port) => `http://127.0.0.1:${port}`),
    ],
    signal,
    onLine,
  }),
);

regions.forEach((topology, i) => {
  supervisor.add({
    name: topology.region,
    kind: "region",
    start: async (signal) => {
      const handle = await startRegion({
        region: topology.region,
        dataDir: join(dataRoot, topology.region),
        authTokenSecret: secrets.AUTH_TOKEN_SECRET,
        inspectorPort: INSPECTOR_BASE_PORT + i,
        topology: regions,
        wranglerLogPath: join(dataRoot, "wrangler-logs"),
        signal,
        secrets: workerSecrets(secrets, topology.jurisdiction),
        inferenceConfig: INFERENCE_CONFIG,
        credentials: "own-process",
        workerLibsqlUrl: `http://127.0.0.1:${topology.libsqlPort + DB_PROXY_OFFSET}`,
        // Peers are the regions this run starts: a region never ships to one that is not there.
        vars: {
          REGIONS: regionsSeenFrom(topology.region),
          REPLICATION_BUS: bus,
          QSTASH_URL: `http://127.0.0.1:${relayProxyPort}`,
        },
        // Ready means able to serve its tenants: the dev seed is applied first.
        seed: (apiUrl) => seedRegion(apiUrl, devSeeds(credentials), secrets.LOCAL_ADMIN_SECRET),
        onLine: (process, line) => {
          if (NOTEWORTHY.test(line)) console.error(`[${topology.region} ${process}] ${line}`);
        },
      });
      handles.set(topology.region, handle);
      return {
        groups: Object.values(handle.processes),
        crashed: handle.crashed.then(
          ({ process: which, exit }) =>
            `${topology.region} ${which} ${describeExit(exit)} (log: ${handle.processes[which]?.logPath ?? handle.dataDir})`,
        ),
        stop: () => handle.stop(),
        kill: () => handle.kill(),
      };
    },
  });
});

singleGroupPart("router", (signal, onLine) =>
  startRouterProcess({
    port: routerPort(),
    regions: regionsVar(regions),
    dataDir: join(dataRoot, "router"),
    wranglerLogPath: join(dataRoot, "wrangler-logs"),
    signal,
    onLine,
  }),
);

async function shutdown(code: number): Promise<never> {
  await supervisor.shutdown();
  control?.close();
  await Promise.all([...faults.values()].map((p) => p.close()));
  forgetRun(dataRoot);
  process.exit(code);
}

/**
 * A terminal Ctrl-C reaches this process twice: once from the terminal (the whole
 * foreground group) and once forwarded by npm. Signals this close together are one.
 */
const SAME_SIGNAL_MS = 1_000;
let firstSignalAt = 0;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (supervisor.stopping) {
      if (performance.now() - firstSignalAt < SAME_SIGNAL_MS) return;
      // A second Ctrl-C: the operator will not wait for a graceful stop.
      process.stderr.write("\nKilling everything now.\n");
      void supervisor.killAll().finally(() => process.exit(1));
      return;
    }
    firstSignalAt = performance.now();
    process.stderr.write(`\n${signal}: stopping ${regions.map((r) => r.region).join(", ")}…\n`);
    void shutdown(0);
  });
}

let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
try {
  control = await startControlServer({
    port: CONTROL_PORT,
    secret: secrets.LOCAL_ADMIN_SECRET,
    supervisor,
    faults,
  });
  for (const r of regions)
    await faults.get(`db:${r.region}`)!.listen(r.libsqlPort + DB_PROXY_OFFSET);
  await faults.get("relay")!.listen(relayProxyPort);
  for (const [name, proxy] of faults)
    if (name.startsWith("link:")) linkPorts.set(name, await proxy.listen(0));
} catch (err) {
  fail(`the control API did not start on 127.0.0.1:${CONTROL_PORT}: ${(err as Error).message}`);
}

process.stdout.write("Building the rep app (web/)…\n");
try {
  await buildWeb({ quiet: true });
} catch (err) {
  fail(`the rep app (web/) did not build: ${(err as Error).message}`);
}
process.stdout.write(`Starting the QStash relay and ${regions.map((r) => r.region).join(", ")}…\n`);
try {
  await supervisor.start("relay");
  await supervisor.startAll(regions.map((r) => r.region));
  await supervisor.start("router");
} catch (err) {
  if (supervisor.stopping) await new Promise(() => {}); // the signal handler exits
  console.error(`\n${(err as Error).message}\n\nStopping what did start.`);
  await shutdown(1);
}

// Demo data for the portal and the group workbench, through the API of the first cn region.
const demoRegion = regions.find((r) => r.jurisdiction === "cn");
const portalLogin = demoPortal();
if (demoRegion) {
  try {
    await writeDemoData(handles.get(demoRegion.region)!.apiUrl, credentials, portalLogin);
  } catch (err) {
    process.stdout.write(`Warning: the demo data was not written (${(err as Error).message}).\n`);
  }
}

process.stdout.write(
  banner({
    portal: demoRegion ? portalLogin : undefined,
    routerUrl: `http://127.0.0.1:${routerPort()}`,
    relayUrl: regions[0]!.relayUrl,
    bus,
    // In wrangler.toml order, whichever came up first.
    handles: regions.map((r) => handles.get(r.region)!),
    credentials,
    dataDir: relative(process.cwd(), dataRoot) || ".",
    readySeconds: (performance.now() - startedMs) / 1000,
    controlUrl: `http://127.0.0.1:${CONTROL_PORT}`,
  }),
);
