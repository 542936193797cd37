// Child processes as process groups: each child leads its own group so that stopping it
// also stops what it spawned (wrangler's workerd), and nothing is left holding a port.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

export interface ProcessGroup {
  name: string;
  /** Also the process group id. */
  pid: number;
  logPath: string;
  /** Resolves when the group leader exits, for whatever reason. */
  exited: Promise<ExitInfo>;
  /** SIGTERM to the whole group, then SIGKILL to whatever is left after `graceMs`. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL to the whole group at once: a crash, as far as the children can tell. */
  kill(): Promise<ExitInfo>;
}

export interface SpawnGroupOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logPath: string;
  /** Called for each output line, e.g. to echo warnings to the console. */
  onLine?: (line: string) => void;
}

export const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;
const ATTEMPT_TIMEOUT_MS = 10_000;

export function spawnGroup(options: SpawnGroupOptions): ProcessGroup {
  mkdirSync(dirname(options.logPath), { recursive: true });
  const log = createWriteStream(options.logPath, { flags: "a" });
  log.write(
    `\n--- ${new Date().toISOString()} ${options.name}: ${[options.command, ...options.args].join(" ")}\n`,
  );
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    // Its own group: a terminal's Ctrl-C reaches only us, and we decide the shutdown order.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Never rejects, so an unobserved spawn failure cannot crash the parent.
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.on("data", (chunk: Buffer) => {
      log.write(chunk);
      if (!options.onLine) return;
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) options.onLine(line);
    });
  }
  // Closing the log only after both pipes drain keeps a crash's last words in the file.
  const closed = new Promise<void>((resolve) => {
    const end = () => (log.writableEnded ? resolve() : log.end(resolve));
    child.once("close", end);
    child.once("error", end);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: cannot spawn ${options.command}`);

  const settle = async () => {
    const info = await exited;
    await closed;
    return info;
  };
  const waitGroupGone = async (deadlineMs: number) => {
    while (groupAlive(pid) && performance.now() < deadlineMs) await sleep(POLL_MS);
    return !groupAlive(pid);
  };
  return {
    name: options.name,
    pid,
    logPath: options.logPath,
    exited,
    async stop(graceMs = STOP_GRACE_MS) {
      signalGroup(pid, "SIGTERM");
      if (!(await waitGroupGone(performance.now() + graceMs))) signalGroup(pid, "SIGKILL");
      await waitGroupGone(performance.now() + graceMs);
      return settle();
    },
    async kill() {
      signalGroup(pid, "SIGKILL");
      await waitGroupGone(performance.now() + STOP_GRACE_MS);
      return settle();
    },
  };
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/**
 * Whether any live (non-zombie) process remains in the group. Zombies count as gone:
 * an init that does not reap would otherwise make every stop wait out its grace period.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return entries.some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command: state, ppid, pgrp, ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(pgrp) === pgid && state !== "Z";
    } catch {
      return false;
    }
  });
}

export interface WaitForHttpOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Aborting gives up at once, e.g. because the server's process died. */
  signal?: AbortSignal;
  /** Which answers end the wait (default: status 200 only). */
  accept?: (res: Response) => boolean;
}

/** Polls `url` with GET until it answers 200 (or `accept`s); bounded by `timeoutMs`. */
export async function waitForHttp(url: string, options: WaitForHttpOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let last = "no answer yet";
  while (performance.now() < deadline) {
    options.signal?.throwIfAborted();
    try {
      // A cold worker can take seconds to answer its first request; abandoning that
      // request early would only start the wait over.
      const attemptMs = Math.ceil(
        Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, deadline - performance.now())),
      );
      const timeout = AbortSignal.timeout(attemptMs);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      const res = await fetch(url, { signal });
      await res.body?.cancel();
      if (options.accept ? options.accept(res) : res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      options.signal?.throwIfAborted();
      last = (err as Error).cause ? String((err as { cause: Error }).cause.message) : String(err);
    }
    await sleep(options.intervalMs ?? 200);
  }
  throw new Error(`${url} gave no 200 in time (last: ${last})`);
}

/**
 * A freshly spawned group once `url` answers 200; one that never does is stopped before the
 * error is passed on, so a failed start leaves no process behind.
 */
export async function readyOrStopped(
  group: ProcessGroup,
  url: string,
  options: WaitForHttpOptions,
): Promise<ProcessGroup> {
  try {
    await waitForHttp(url, options);
  } catch (err) {
    await group.stop();
    throw err;
  }
  return group;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
  ) {
    super(`port ${port} (${purpose}) is already in use`);
  }
}

/** Fails with PortInUseError for the first port some other process listens on. */
export async function assertPortsFree(
  ports: { port: number; purpose: string }[],
  host = "127.0.0.1",
): Promise<void> {
  for (const { port, purpose } of ports) {
    if (!(await listenable(port, host))) throw new PortInUseError(port, purpose);
  }
}

/**
 * A port that is free right now, drawn below Linux's ephemeral range (32768–60999 by
 * default). The kernel hands ports of that range to every outgoing connection and to
 * every `listen(0)`, so a port found there could be taken by a test's next connection in
 * the seconds before a slow server (wrangler dev) binds it; below it, only another
 * process that chooses the same port on purpose can. Bounded tries, then the OS's pick.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < FREE_PORT_TRIES; i++) {
    const port = FREE_PORT_LOW + Math.floor(Math.random() * (FREE_PORT_HIGH - FREE_PORT_LOW));
    if (await listenable(port, host)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const FREE_PORT_LOW = 20_000;
const FREE_PORT_HIGH = 32_000;
const FREE_PORT_TRIES = 50;

function listenable(port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The last `count` lines of a log file, for error messages. */
export function tailLines(path: string, count: number): string {
  try {
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    return lines.slice(-count).join("\n");
  } catch {
    return `(no log at ${path})`;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
