// The supervisor behind `npm start`: each part of the local topology (a region, the relay,
// the router) runs as process groups it starts, watches and stops. A part that dies is
// reported and left down; the others keep serving, which is the moment an SRE wants to
// watch (DESIGN §9). Parts can be killed (SIGKILL), paused (SIGSTOP: a grey failure),
// resumed and restarted through `npm run chaos` (scripts/control.ts serves these).
//
// Shutdown is one path whatever the moment: starts in flight are aborted and awaited,
// so a Ctrl-C before the banner leaves nothing behind (a router still starting was once
// orphaned on 8787). Parts stop in reverse kinds order: router, regions, relay.
import type { ProcessGroup } from "./processes.ts";

/** A started part: its process groups, and how to stop or kill them. */
export interface Running {
  groups: ProcessGroup[];
  /** Resolves, with what happened, when one of its processes exits unasked. */
  crashed: Promise<string>;
  /** Graceful: SIGTERM, then SIGKILL whatever outlives the grace period. */
  stop(): Promise<void>;
  /** SIGKILL every group at once: a crash, as far as the processes can tell. */
  kill(): Promise<void>;
}

export type PartKind = "relay" | "region" | "router";

export interface PartSpec {
  name: string;
  kind: PartKind;
  /** Starts the part ready to serve; aborting `signal` stops what was started and rejects. */
  start(signal: AbortSignal): Promise<Running>;
}

/**
 * starting → running ⇄ paused; running/paused → down (crashed or killed) → starting on
 * restart. `stopped` only before the first start and after shutdown.
 */
export type PartState = "stopped" | "starting" | "running" | "paused" | "down";

export interface PartStatus {
  name: string;
  kind: PartKind;
  state: PartState;
  /** When the part entered its state (ISO 8601). */
  since: string;
  /** The process group ids it runs (empty when down). */
  pgids: number[];
  /** Why it is down, or what it is doing. */
  detail?: string;
}

export type Action = "kill" | "restart" | "pause" | "resume";
export const ACTIONS: readonly Action[] = ["kill", "restart", "pause", "resume"];

/** An action that does not apply to the part's state (a 409 at the control API). */
export class StateError extends Error {}
/** No part of that name (a 404 at the control API). */
export class UnknownPartError extends Error {}

interface Entry {
  spec: PartSpec;
  state: PartState;
  since: number;
  detail?: string;
  running?: Running;
  /** The start in flight, if any. */
  starting?: Promise<void>;
  /** What the part is doing right now (kill, restart…): one action at a time. */
  busy?: Promise<unknown>;
}

const STOP_ORDER: readonly PartKind[] = ["router", "region", "relay"];

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly aborter = new AbortController();
  private shuttingDown = false;
  private shutdownDone: Promise<void> | undefined;

  constructor(
    private readonly options: {
      /** One line for the operator (a crash, a restart, a pause). */
      say: (line: string) => void;
      /** After any change of state: e.g. rewrite the run file. */
      changed?: () => void;
      /** How the operator restarts a part (printed with a crash). */
      restartHint?: (part: PartStatus) => string;
      now?: () => number;
    },
  ) {}

  add(spec: PartSpec): void {
    if (this.entries.has(spec.name)) throw new Error(`a part named ${spec.name} exists already`);
    this.entries.set(spec.name, { spec, state: "stopped", since: this.now() });
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  status(): PartStatus[] {
    return [...this.entries.values()].map((e) => this.statusOf(e));
  }

  /** The process groups of every part that runs (paused ones too). */
  groups(): ProcessGroup[] {
    return [...this.entries.values()].flatMap((e) => e.running?.groups ?? []);
  }

  /** Starts the named parts in parallel; resolves when all are up, rejects with every failure. */
  async startAll(names: string[]): Promise<void> {
    const results = await Promise.allSettled(names.map((n) => this.start(n)));
    const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    if (failed.length) throw new AggregateError(failed, failed.map((e) => e.message).join("\n"));
  }

  async start(name: string): Promise<void> {
    const e = this.entry(name);
    if (this.shuttingDown) throw new StateError("shutting down");
    if (e.state !== "stopped" && e.state !== "down")
      throw new StateError(`${name} is ${e.state}, not stopped or down`);
    this.enter(e, "starting");
    // A part that crashed may have live processes left (holding its ports): stop them.
    await this.halt(e);
    const starting = e.spec.start(this.aborter.signal).then(
      async (running) => {
        if (this.shuttingDown) {
          await running.stop();
          throw new StateError(`${name} started while shutting down; stopped again`);
        }
        e.running = running;
        this.enter(e, "running");
        void running.crashed.then((what) => this.crashed(e, running, what));
      },
      (err: Error) => {
        this.enter(e, "down", err.message);
        throw err;
      },
    );
    e.starting = starting;
    try {
      await starting;
    } finally {
      if (e.starting === starting) e.starting = undefined;
    }
  }

  /** Runs `action` on a part; one action at a time per part. */
  async act(name: string, action: Action): Promise<PartStatus> {
    const e = this.entry(name);
    if (this.shuttingDown) throw new StateError("shutting down");
    if (e.busy) throw new StateError(`${name} is busy with another action; try again`);
    const run = this.run(e, action);
    e.busy = run;
    try {
      await run;
    } finally {
      e.busy = undefined;
    }
    return this.statusOf(e);
  }

  private async run(e: Entry, action: Action): Promise<void> {
    const name = e.spec.name;
    switch (action) {
      case "kill": {
        const running = this.expect(e, ["running", "paused"], action);
        // SIGKILL reaches stopped processes too; nothing to resume first.
        e.running = undefined;
        await running.kill();
        this.enter(e, "down", "killed by npm run chaos");
        this.options.say(`${name} killed (SIGKILL); the other parts keep serving.`);
        return;
      }
      case "pause": {
        const running = this.expect(e, ["running"], action);
        signalGroups(running.groups, "SIGSTOP");
        this.enter(e, "paused", "SIGSTOP: accepts connections, answers nothing");
        this.options.say(`${name} paused (SIGSTOP): a grey failure until resumed.`);
        return;
      }
      case "resume": {
        const running = this.expect(e, ["paused"], action);
        signalGroups(running.groups, "SIGCONT");
        this.enter(e, "running");
        this.options.say(`${name} resumed (SIGCONT).`);
        return;
      }
      case "restart": {
        if (e.state === "starting") throw new StateError(`${name} is starting already`);
        if (e.state === "paused" && e.running) signalGroups(e.running.groups, "SIGCONT");
        this.enter(e, "down", "restarting");
        this.options.say(`Restarting ${name}…`);
        await this.start(name);
        this.options.say(`${name} is back.`);
        return;
      }
    }
  }

  /** Stops every part, whatever is starting or paused; resolves once all are stopped. */
  shutdown(): Promise<void> {
    this.shutdownDone ??= (async () => {
      this.shuttingDown = true;
      this.aborter.abort(new Error("shutting down"));
      const entries = [...this.entries.values()];
      // Starts in flight abort and clean up after themselves; wait for them to say so.
      await Promise.allSettled(entries.map((e) => e.starting ?? e.busy));
      for (const kind of STOP_ORDER) {
        await Promise.all(entries.filter((e) => e.spec.kind === kind).map((e) => this.halt(e)));
      }
      for (const e of entries) this.enter(e, "stopped");
    })();
    return this.shutdownDone;
  }

  /** SIGKILL everything now: the operator pressed Ctrl-C twice. */
  async killAll(): Promise<void> {
    this.shuttingDown = true;
    this.aborter.abort(new Error("killed"));
    await Promise.all([...this.entries.values()].map((e) => e.running?.kill()));
  }

  /** Stops what is left of a part (a crashed part may still have live processes). */
  private async halt(e: Entry): Promise<void> {
    const running = e.running;
    e.running = undefined;
    if (!running) return;
    // A stopped (SIGSTOP) process queues SIGTERM: continue it first, so it can exit cleanly.
    if (e.state === "paused") signalGroups(running.groups, "SIGCONT");
    await running.stop();
  }

  private crashed(e: Entry, running: Running, what: string): void {
    if (this.shuttingDown || e.running !== running) return;
    // The part's other processes keep running until a restart stops them: a region whose
    // read model died still takes lifeline writes [LF5].
    this.enter(e, "down", what);
    const hint = this.options.restartHint?.(this.statusOf(e));
    this.options.say(`${what}. The other parts keep serving.${hint ? ` Restart it: ${hint}` : ""}`);
  }

  private expect(e: Entry, states: PartState[], action: Action): Running {
    if (!states.includes(e.state) || !e.running)
      throw new StateError(
        `${e.spec.name} is ${e.state}; ${action} needs it ${states.join(" or ")}`,
      );
    return e.running;
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) {
      const known = [...this.entries.keys()].join(", ");
      throw new UnknownPartError(`no part named ${JSON.stringify(name)} (parts: ${known})`);
    }
    return e;
  }

  private enter(e: Entry, state: PartState, detail?: string): void {
    e.state = state;
    e.since = this.now();
    e.detail = detail;
    this.options.changed?.();
  }

  private statusOf(e: Entry): PartStatus {
    return {
      name: e.spec.name,
      kind: e.spec.kind,
      state: e.state,
      since: new Date(e.since).toISOString(),
      pgids: e.running?.groups.map((g) => g.pid) ?? [],
      ...(e.detail ? { detail: e.detail } : {}),
    };
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function signalGroups(groups: ProcessGroup[], signal: NodeJS.Signals): void {
  for (const g of groups) {
    try {
      process.kill(-g.pid, signal);
    } catch {
      // The group is gone already: its exit is reported through `crashed`.
    }
  }
}
