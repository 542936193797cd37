// Degradation policies (DESIGN §5), evaluated as a pure state machine: a region's health
// signals go in with their sample times, declarative policies say when to enter which
// modes, and the answer is the modes in force, since when and why, plus the changes to
// audit. Time is a parameter, so the RegionDO, the simulator and the tests run the same code.
//
// Hysteresis is in time, twice: a policy enters only after its condition has held for
// `forMs` without a break, and leaves only after the condition has been false for
// `recoverForMs` without a break. A signal that flaps around its threshold therefore
// neither enters nor leaves on every flap; a sample that contradicts restarts the clock.
// A signal with no fresh sample is unknown: it neither starts a breach nor proves recovery.
import { z } from "zod";

/** One spelling of every mode, everywhere: the header, /v1/health, DESIGN, the README. */
export const MODES = [
  /** Lists answer from the last good answer (marked) when the read model is slow or down. */
  "reads-stale-ok",
  /** Account objects stop projecting into libSQL; replication between regions goes on. */
  "projection-deferred",
  /** Insights are shed: the rules-only analysis answers, no model is called. */
  "inference-off",
  /** Approvals take the policy's simplified path (used by customer success groups). */
  "approvals-simplified",
  /** The customer portal answers reads only; its writes are a 503 with the reason. */
  "portal-read-only",
] as const;
export const Mode = z.enum(MODES);
export type Mode = z.infer<typeof Mode>;

/**
 * Modes a region reports by itself, without a policy: facts of the moment, not decisions.
 * `reads-unavailable`: the read model does not answer (lists are 503);
 * `logins-unavailable`: the credentials worker does not answer;
 * `replication`: this write was acknowledged before a peer held it (per response only).
 */
export const CONDITIONS = ["reads-unavailable", "logins-unavailable", "replication"] as const;

export const SIGNALS = [
  "libsql.p95_ms",
  "libsql.error_rate",
  "inference.p95_ms",
  "inference.error_rate",
  "peers.unreachable",
  "relay.unreachable",
  "outbox.backlog",
  "outbox.oldest_age_ms",
] as const;
export const SignalName = z.enum(SIGNALS);
export type SignalName = z.infer<typeof SignalName>;

const MAX_WINDOW_MS = 10 * 60_000;

export const Policy = z
  .object({
    /** Names the policy in audit entries and /v1/health. */
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and dashes, at most 63"),
    when: z.strictObject({
      signal: SignalName,
      op: z.enum([">", ">=", "<", "<="]),
      value: z.number().finite(),
      /** The condition must hold this long, without a break, before the modes enter. */
      forMs: z.int().min(0).max(MAX_WINDOW_MS),
    }),
    then: z.array(Mode).min(1).max(MODES.length),
    /** The condition must be false this long, without a break, before the modes leave. */
    recoverForMs: z.int().min(0).max(MAX_WINDOW_MS),
  })
  .strict()
  .meta({ id: "DegradationPolicy" });
export type Policy = z.infer<typeof Policy>;

/** A tenant's whole set replaces the default set for that tenant; ids are unique. */
export const PolicySet = z
  .array(Policy)
  .max(32)
  .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, {
    message: "policy ids must be unique",
  })
  .meta({ id: "DegradationPolicySet" });
export type PolicySet = z.infer<typeof PolicySet>;

/**
 * The shipped set. Thresholds follow DESIGN's targets: lifeline writes never wait on libSQL
 * or inference, so a slow read model defers projection and lets lists go stale, and slow or
 * failing inference is shed before it costs insights requests their budget.
 */
export const DEFAULT_POLICIES: PolicySet = [
  {
    id: "slow-read-model",
    when: { signal: "libsql.p95_ms", op: ">", value: 500, forMs: 5_000 },
    then: ["reads-stale-ok", "projection-deferred"],
    recoverForMs: 15_000,
  },
  {
    id: "failing-read-model",
    when: { signal: "libsql.error_rate", op: ">=", value: 0.5, forMs: 5_000 },
    then: ["reads-stale-ok", "projection-deferred"],
    recoverForMs: 15_000,
  },
  {
    id: "slow-inference",
    when: { signal: "inference.p95_ms", op: ">", value: 250, forMs: 5_000 },
    then: ["inference-off"],
    recoverForMs: 30_000,
  },
  {
    id: "failing-inference",
    when: { signal: "inference.error_rate", op: ">=", value: 0.5, forMs: 5_000 },
    then: ["inference-off"],
    recoverForMs: 30_000,
  },
  {
    id: "isolated-region",
    when: { signal: "peers.unreachable", op: ">=", value: 2, forMs: 10_000 },
    then: ["approvals-simplified"],
    recoverForMs: 30_000,
  },
];

/** What the evaluator knows of one policy between calls. */
export type PolicyState = {
  active: boolean;
  /** Since when the condition has held without a break (null: it does not hold). */
  breachSinceMs: number | null;
  /** Since when the condition has been false without a break (null: it is not). */
  clearSinceMs: number | null;
  /** When the policy last entered (active) or left. */
  changedAtMs: number | null;
  /** The signal's value that made it enter (for "why"). */
  enteredAt: number | null;
};
export const IDLE: PolicyState = {
  active: false,
  breachSinceMs: null,
  clearSinceMs: null,
  changedAtMs: null,
  enteredAt: null,
};

/** A signal's current value and the time of the sample it comes from (undefined: unknown). */
export type Reading = { value: number; atMs: number };
export type Readings = ReadonlyMap<SignalName, Reading>;

export type PolicyChange = {
  policyId: string;
  entered: boolean;
  modes: Mode[];
  atMs: number;
  why: string;
};

function holds(p: Policy, value: number): boolean {
  switch (p.when.op) {
    case ">":
      return value > p.when.value;
    case ">=":
      return value >= p.when.value;
    case "<":
      return value < p.when.value;
    case "<=":
      return value <= p.when.value;
  }
}

const describe = (p: Policy, value: number) =>
  `${p.when.signal} ${round(value)} ${p.when.op} ${p.when.value}`;
const round = (v: number) => (Number.isInteger(v) ? v : Math.round(v * 1000) / 1000);

/**
 * One step of one policy: the reading (if any) moves its breach/clear clocks, and the
 * clocks decide entering or leaving at `nowMs`. Clocks start at the reading's sample time,
 * not at the time it is evaluated, so a late evaluation never delays a mode.
 */
export function stepPolicy(
  p: Policy,
  s: PolicyState,
  reading: Reading | undefined,
  nowMs: number,
): { state: PolicyState; change: PolicyChange | null } {
  let next = s;
  if (reading) {
    const breached = holds(p, reading.value);
    next = breached
      ? {
          ...next,
          breachSinceMs: next.breachSinceMs ?? reading.atMs,
          clearSinceMs: null,
        }
      : {
          ...next,
          breachSinceMs: null,
          clearSinceMs: next.clearSinceMs ?? reading.atMs,
        };
  }
  if (!next.active && next.breachSinceMs !== null && nowMs - next.breachSinceMs >= p.when.forMs) {
    const value = reading?.value ?? Number.NaN;
    return {
      state: { ...next, active: true, changedAtMs: nowMs, enteredAt: value },
      change: {
        policyId: p.id,
        entered: true,
        modes: [...p.then],
        atMs: nowMs,
        why: `${describe(p, value)} for ${p.when.forMs} ms`,
      },
    };
  }
  if (next.active && next.clearSinceMs !== null && nowMs - next.clearSinceMs >= p.recoverForMs) {
    const value = reading?.value ?? Number.NaN;
    return {
      state: { ...next, active: false, changedAtMs: nowMs, enteredAt: null },
      change: {
        policyId: p.id,
        entered: false,
        modes: [...p.then],
        atMs: nowMs,
        why: `${p.when.signal} ${round(value)} back within ${p.when.op} ${p.when.value} for ${p.recoverForMs} ms`,
      },
    };
  }
  return { state: next, change: null };
}

/** Every policy of a set, one step. Unknown policy ids start idle; removed ones are dropped. */
export function stepPolicies(
  set: PolicySet,
  states: ReadonlyMap<string, PolicyState>,
  readings: Readings,
  nowMs: number,
): { states: Map<string, PolicyState>; changes: PolicyChange[] } {
  const out = new Map<string, PolicyState>();
  const changes: PolicyChange[] = [];
  for (const p of set) {
    const { state, change } = stepPolicy(
      p,
      states.get(p.id) ?? IDLE,
      readings.get(p.when.signal),
      nowMs,
    );
    out.set(p.id, state);
    if (change) changes.push(change);
  }
  return { states: out, changes };
}

/** When a step could next change something without a new sample (for the DO's alarm). */
export function nextDueMs(set: PolicySet, states: ReadonlyMap<string, PolicyState>): number | null {
  let due: number | null = null;
  for (const p of set) {
    const s = states.get(p.id);
    if (!s) continue;
    const at =
      !s.active && s.breachSinceMs !== null
        ? s.breachSinceMs + p.when.forMs
        : s.active && s.clearSinceMs !== null
          ? s.clearSinceMs + p.recoverForMs
          : null;
    if (at !== null && (due === null || at < due)) due = at;
  }
  return due;
}

/** An SRE's hand on a mode: force it on, or keep it off whatever the policies say, until expiry. */
export const Override = z
  .object({
    mode: Mode,
    action: z.enum(["force", "clear"]),
    untilMs: z.int(),
    by: z.string().max(200),
    reason: z.string().min(1).max(500),
    atMs: z.int(),
  })
  .meta({ id: "DegradationOverride" });
export type Override = z.infer<typeof Override>;

export type ActiveMode = {
  mode: Mode;
  /** When the mode entered (the earliest of the reasons still in force). */
  sinceMs: number;
  /** Every reason it is in force: policy ids with their conditions, or an SRE's override. */
  why: string[];
};

/**
 * The modes in force for one policy set: those of its active policies, plus forced ones,
 * minus cleared ones; expired overrides count for nothing.
 */
export function modesInForce(
  set: PolicySet,
  states: ReadonlyMap<string, PolicyState>,
  overrides: readonly Override[],
  nowMs: number,
): ActiveMode[] {
  const byMode = new Map<Mode, ActiveMode>();
  const add = (mode: Mode, sinceMs: number, why: string) => {
    const m = byMode.get(mode);
    if (m) {
      m.sinceMs = Math.min(m.sinceMs, sinceMs);
      m.why.push(why);
    } else byMode.set(mode, { mode, sinceMs, why: [why] });
  };
  for (const p of set) {
    const s = states.get(p.id);
    if (!s?.active) continue;
    for (const mode of p.then)
      add(
        mode,
        s.changedAtMs ?? nowMs,
        `policy ${p.id}: ${describe(p, s.enteredAt ?? Number.NaN)} for ${p.when.forMs} ms`,
      );
  }
  const live = overrides.filter((o) => o.untilMs > nowMs);
  for (const o of live.filter((o) => o.action === "force"))
    add(
      o.mode,
      o.atMs,
      `forced by ${o.by} until ${new Date(o.untilMs).toISOString()}: ${o.reason}`,
    );
  for (const o of live.filter((o) => o.action === "clear")) byMode.delete(o.mode);
  return MODES.flatMap((m) => {
    const a = byMode.get(m);
    return a ? [a] : [];
  });
}

/** Nearest-rank percentile of `values` (0 < q ≤ 1); NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One observation of a dependency: how long it took and whether it failed. */
export type Sample = { atMs: number; latencyMs: number; ok: boolean };

/**
 * A dependency's recent samples summarised: p95 latency (failures count at their full
 * latency: a timeout is slow) and error rate, over samples newer than `windowMs`. The
 * reading's time is the newest sample's, so an idle dependency's reading goes stale.
 */
export function summarise(
  samples: readonly Sample[],
  nowMs: number,
  windowMs: number,
): { p95: Reading; errorRate: Reading } | null {
  const recent = samples.filter((s) => nowMs - s.atMs <= windowMs);
  if (recent.length === 0) return null;
  const atMs = Math.max(...recent.map((s) => s.atMs));
  return {
    p95: {
      value: percentile(
        recent.map((s) => s.latencyMs),
        0.95,
      ),
      atMs,
    },
    errorRate: { value: recent.filter((s) => !s.ok).length / recent.length, atMs },
  };
}

/** Samples kept per dependency: bounds the RegionDO's memory whatever the traffic. */
const MAX_SAMPLES = 256;
/** Accounts with an outbox backlog tracked at most; past it, new ones are counted, not named. */
const MAX_BACKLOG_ACCOUNTS = 10_000;
/** A backlog report older than this is forgotten (its account object went idle or away). */
const BACKLOG_TTL_MS = 10 * 60_000;

export type Dependency = "libsql" | "inference";
/**
 * Windows per dependency: libSQL is probed every half second, so a short window keeps a
 * slow database's first samples from being outvoted; inference is observed only through
 * real calls, which come in bursts, so its window is longer.
 */
export const WINDOW_MS: Record<Dependency, number> = { libsql: 3_000, inference: 10_000 };

/**
 * A region's health observations, bounded, turned into policy readings. Pure: the caller
 * passes the time of every observation and of the reading.
 */
export class HealthSignals {
  private readonly samples = new Map<Dependency, Sample[]>();
  private readonly peers = new Map<string, { ok: boolean; atMs: number }>();
  private relay: { ok: boolean; atMs: number } | null = null;
  private readonly backlog = new Map<
    string,
    { remaining: number; sinceMs: number; atMs: number }
  >();
  private untrackedBacklog = 0;

  sample(dep: Dependency, s: Sample): void {
    const list = this.samples.get(dep) ?? [];
    list.push(s);
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
    this.samples.set(dep, list);
  }

  peer(region: string, ok: boolean, atMs: number): void {
    this.peers.set(region, { ok, atMs });
  }

  relayReachable(ok: boolean, atMs: number): void {
    this.relay = { ok, atMs };
  }

  /** An account object's outbox after a drain: rows left (0 forgets it). */
  outbox(account: string, remaining: number, atMs: number): void {
    const known = this.backlog.get(account);
    if (remaining <= 0) {
      this.backlog.delete(account);
      return;
    }
    if (!known && this.backlog.size >= MAX_BACKLOG_ACCOUNTS) {
      this.untrackedBacklog += remaining;
      return;
    }
    this.backlog.set(account, { remaining, sinceMs: known?.sinceMs ?? atMs, atMs });
  }

  readings(nowMs: number): Map<SignalName, Reading> {
    const out = new Map<SignalName, Reading>();
    for (const dep of ["libsql", "inference"] as const) {
      const s = summarise(this.samples.get(dep) ?? [], nowMs, WINDOW_MS[dep]);
      if (!s) continue;
      out.set(`${dep}.p95_ms`, s.p95);
      out.set(`${dep}.error_rate`, s.errorRate);
    }
    if (this.peers.size > 0) {
      const probes = [...this.peers.values()];
      out.set("peers.unreachable", {
        value: probes.filter((p) => !p.ok).length,
        atMs: Math.max(...probes.map((p) => p.atMs)),
      });
    }
    if (this.relay)
      out.set("relay.unreachable", { value: this.relay.ok ? 0 : 1, atMs: this.relay.atMs });
    for (const [k, v] of this.backlog) if (nowMs - v.atMs > BACKLOG_TTL_MS) this.backlog.delete(k);
    let remaining = this.untrackedBacklog;
    let oldest = nowMs;
    for (const v of this.backlog.values()) {
      remaining += v.remaining;
      oldest = Math.min(oldest, v.sinceMs);
    }
    out.set("outbox.backlog", { value: remaining, atMs: nowMs });
    out.set("outbox.oldest_age_ms", { value: nowMs - oldest, atMs: nowMs });
    return out;
  }

  /** Peers as last probed, for /v1/health. */
  peerStates(): Record<string, { ok: boolean; atMs: number }> {
    return Object.fromEntries([...this.peers].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

/**
 * Which answers a mode affects, so `Lifeline-Degraded` is on every affected answer and on
 * no other: a payment is not "degraded" because insights are off. Health and the admin's
 * degradation view show every mode.
 */
export function affects(mode: Mode, method: string, path: string): boolean {
  if (path === "/v1/health" || path.startsWith("/v1/admin/degradation")) return true;
  switch (mode) {
    case "inference-off":
      return path.startsWith("/v1/insights/");
    // Lists come from the read model: stale under reads-stale-ok, behind under
    // projection-deferred. Single reads and writes go to the account objects.
    case "reads-stale-ok":
    case "projection-deferred":
      return method === "GET" && /^\/v1\/(customers|contracts|payments)\/?$/.test(path);
    case "approvals-simplified":
      return path.startsWith("/v1/approvals");
    case "portal-read-only":
      return path.startsWith("/v1/portal/");
  }
}
