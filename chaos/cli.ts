// `npm run chaos`: the SRE's drill against a running `npm start` (DESIGN §9). It talks to
// npm start's loopback control API (scripts/control.ts), found through <data dir>/run.json,
// with the local admin secret from <data dir>/secrets.json.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CONTROL_HEADER } from "../scripts/control.ts";
import { ROOT } from "../scripts/region.ts";
import { readRun } from "../scripts/run-file.ts";
import { ACTIONS, type PartStatus } from "../scripts/supervisor.ts";

const USAGE = `Usage: npm run chaos -- <command> [options]

Commands (against a running npm start):
  status                                   every part's state, since when, and why
  region kill|restart|pause|resume <name>  a region (all its processes): kill = SIGKILL,
                                           pause = SIGSTOP (a grey failure), resume = SIGCONT,
                                           restart = stop what is left and start it again
  relay kill|restart|pause|resume          the QStash relay
  router kill|restart|pause|resume         the global router

Options:
  --data-dir <dir>   the data directory of that npm start (default: .data)
  -h, --help         show this help

Examples:
  npm run chaos -- region kill cn-east
  npm run chaos -- region restart cn-east && npm run converge
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
    options: { "data-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
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

async function call(method: "GET" | "POST", path: string): Promise<unknown> {
  const { url, secret } = control();
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { [CONTROL_HEADER]: secret },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    fail(
      `npm start's control API at ${url} did not answer (${cause}). Is npm start still running?`,
      1,
    );
  }
  const body = (await res.json().catch(() => null)) as { title?: string; detail?: string } | null;
  if (!res.ok)
    fail(`${body?.title ?? `HTTP ${res.status}`}${body?.detail ? `: ${body.detail}` : ""}`, 1);
  return body;
}

function line(s: PartStatus): string {
  const since = new Date(s.since).toLocaleTimeString();
  const why = s.detail ? `  ${s.detail}` : "";
  return `  ${s.name.padEnd(12)} ${s.kind.padEnd(7)} ${s.state.padEnd(9)} since ${since}${why}`;
}

if (command === "status") {
  if (rest.length) fail("status takes no arguments");
  const parts = (await call("GET", "/parts")) as PartStatus[];
  process.stdout.write(`${parts.map(line).join("\n")}\n`);
} else {
  const { part, action } = target();
  if (action === "restart") process.stdout.write(`Restarting ${part} (waits until it is ready)…\n`);
  const status = (await call("POST", `/parts/${encodeURIComponent(part)}/${action}`)) as PartStatus;
  process.stdout.write(`${line(status)}\n`);
}
