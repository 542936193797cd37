// RegionDO: one per region (DESIGN §2, §5). It watches the region's dependencies — the
// read model (libSQL), the inference worker, the peer regions, the relay — and the outbox
// backlog its account objects report, turns them into signals, and evaluates degradation
// policies (core/degradation.ts) into the modes the API shows in `Lifeline-Degraded` and
// `/v1/health`. Every mode change is an audited event.
//
// Why probes and not only reports: an idle region still has to know its database is slow
// before the first rep's list waits on it, and a mode that sheds a dependency (inference-off)
// stops the very calls that would show its recovery. So the object probes on its own alarm
// (libSQL every half second, the rest every two), and API isolates add what their real
// calls saw (inference latency, breaker changes) in small batches.
//
// Why policies and overrides are per tenant: an admin is a tenant's admin. A tenant may
// replace the shipped policy set and force or clear modes for its own answers; nothing a
// tenant writes changes another tenant's service. The shipped set is the region's.
import { DurableObject } from "cloudflare:workers";
import { type Breaker, type BreakerPolicy, CLOSED, current, record } from "../../core/breaker.ts";
import {
  type ActiveMode,
  DEFAULT_POLICIES,
  type Dependency,
  HealthSignals,
  type Mode,
  modesInForce,
  nextDueMs,
  type Override,
  type PolicyChange,
  type PolicySet,
  type PolicyState,
  type Reading,
  type SignalName,
  stepPolicies,
} from "../../core/degradation.ts";
import { peersOf } from "../../replication/regions.ts";
import { AntiEntropyJob } from "../directory/anti-entropy.ts";
import { auditStub } from "../stubs.ts";
import { type ProbeResult, probeInference, probeLibsql, probePeer, probeRelay } from "./probes.ts";

/** libSQL is probed this often; the peers, the relay and inference every SLOW_EVERY ticks. */
export const TICK_MS = 500;
const SLOW_EVERY = 4;
/** Tenants with their own policy set or overrides at most: bounds storage and evaluation. */
export const MAX_TENANT_SCOPES = 1_000;
const DEFAULT_SCOPE = "*";

export type RegionView = {
  region: string;
  /** libsql, inference, relay and peer:<region>, as the region's probes and calls left them. */
  breakers: Record<string, BreakerView>;
  modes: ActiveMode[];
  signals: Partial<Record<SignalName, Reading>>;
  peers: Record<string, { ok: boolean; atMs: number }>;
  /** Policies in force for the tenant asked about: its own set, or the region's. */
  policies: { source: "tenant" | "region"; version: number; set: PolicySet };
  overrides: Override[];
};

export type IsolateReport = {
  samples?: Array<{ dependency: Dependency; atMs: number; latencyMs: number; ok: boolean }>;
};

type TenantPolicies = { set: PolicySet; version: number; by: string; atMs: number };

/**
 * The region's circuit breakers, one per outbound dependency, fed by every probe and by
 * the isolates' reported calls: three failures in a row open one for 10 s, then one
 * success closes it. The API reads them (lists fail fast while libSQL's is open).
 */
const BREAKER: BreakerPolicy = { failureThreshold: 3, coolDownMs: 10_000, trialLeaseMs: 5_000 };

export type BreakerView = { state: Breaker["state"]; sinceMs: number };

export class RegionDO extends DurableObject<Env> {
  private readonly signals = new HealthSignals();
  private readonly breakers = new Map<string, { breaker: Breaker; sinceMs: number }>();
  private ticks = 0;
  private loaded = false;
  private states = new Map<string, Map<string, PolicyState>>();
  private tenantPolicies = new Map<string, TenantPolicies>();
  private overrides = new Map<string, Override[]>();
  /** Anti-entropy rounds with the peers, started from this alarm when due [LF3]. */
  private readonly antiEntropy = new AntiEntropyJob(this.env);

  private async load(): Promise<void> {
    if (this.loaded) return;
    const [states, policies, overrides] = await Promise.all([
      this.ctx.storage.get<Array<[string, Array<[string, PolicyState]>]>>("states"),
      this.ctx.storage.get<Array<[string, TenantPolicies]>>("policies"),
      this.ctx.storage.get<Array<[string, Override[]]>>("overrides"),
    ]);
    this.states = new Map((states ?? []).map(([scope, s]) => [scope, new Map(s)]));
    this.tenantPolicies = new Map(policies ?? []);
    this.overrides = new Map(overrides ?? []);
    this.loaded = true;
  }

  /** Keeps the probe loop running: the first call of any kind starts it. */
  private async awake(): Promise<void> {
    await this.load();
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
  }

  /** What a tenant's answers are under now (modes), and why, with the signals behind it. */
  async view(tenantId: string | null): Promise<RegionView> {
    await this.awake();
    const now = Date.now();
    const tenant = tenantId !== null ? this.tenantPolicies.get(tenantId) : undefined;
    const scope = tenant && tenantId !== null ? tenantId : DEFAULT_SCOPE;
    const set = tenant?.set ?? DEFAULT_POLICIES;
    const overrides = (tenantId !== null ? this.overrides.get(tenantId) : undefined) ?? [];
    return {
      region: this.env.REGION,
      modes: modesInForce(set, this.states.get(scope) ?? new Map(), overrides, now),
      signals: Object.fromEntries(this.signals.readings(now)),
      peers: this.signals.peerStates(),
      breakers: Object.fromEntries(
        [...this.breakers].map(([name, b]) => [
          name,
          { state: current(b.breaker, now).state, sinceMs: b.sinceMs },
        ]),
      ),
      policies: tenant
        ? { source: "tenant", version: tenant.version, set: tenant.set }
        : { source: "region", version: 0, set: DEFAULT_POLICIES },
      overrides: overrides.filter((o) => o.untilMs > now),
    };
  }

  /** What API isolates saw on their own calls. Bounded per report. */
  async report(r: IsolateReport): Promise<void> {
    await this.awake();
    for (const s of (r.samples ?? []).slice(0, 256)) {
      this.signals.sample(s.dependency, { atMs: s.atMs, latencyMs: s.latencyMs, ok: s.ok });
      this.trip(s.dependency, s.ok, s.atMs);
    }
    await this.evaluate();
  }

  /** An account object's outbox after its drain: rows left (0 when it caught up). */
  async outbox(account: string, remaining: number): Promise<void> {
    await this.load();
    this.signals.outbox(account, remaining, Date.now());
  }

  /** A tenant's own policy set (null: back to the region's). Audited by the caller's route. */
  async setPolicies(tenantId: string, set: PolicySet | null, by: string): Promise<number | null> {
    await this.awake();
    const known = this.tenantPolicies.get(tenantId);
    if (set === null) {
      this.tenantPolicies.delete(tenantId);
      this.states.delete(tenantId);
    } else {
      if (!known && !this.overrides.has(tenantId) && this.scopeCount() >= MAX_TENANT_SCOPES)
        return null;
      this.tenantPolicies.set(tenantId, {
        set,
        version: (known?.version ?? 0) + 1,
        by,
        atMs: Date.now(),
      });
      // A new set starts from the region's readings, with no running clocks.
      this.states.set(tenantId, new Map());
    }
    await this.persist();
    return this.tenantPolicies.get(tenantId)?.version ?? 0;
  }

  /** Forces or clears a mode for a tenant until `o.untilMs`; the latest word on a mode wins. */
  async override(tenantId: string, o: Override): Promise<boolean> {
    await this.awake();
    const list = this.overrides.get(tenantId);
    if (!list && !this.tenantPolicies.has(tenantId) && this.scopeCount() >= MAX_TENANT_SCOPES)
      return false;
    const now = Date.now();
    const next = (list ?? []).filter((x) => x.mode !== o.mode && x.untilMs > now);
    next.push(o);
    this.overrides.set(tenantId, next);
    await this.persist();
    return true;
  }

  /** Lifts a tenant's override of a mode; false when there was none. */
  async lift(tenantId: string, mode: Mode): Promise<boolean> {
    await this.awake();
    const list = this.overrides.get(tenantId) ?? [];
    const next = list.filter((x) => x.mode !== mode);
    if (next.length === list.length) return false;
    if (next.length) this.overrides.set(tenantId, next);
    else this.overrides.delete(tenantId);
    await this.persist();
    return true;
  }

  override async alarm(): Promise<void> {
    await this.load();
    // Re-armed first, so a probe that throws never stops the loop.
    await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
    const slow = this.ticks++ % SLOW_EVERY === 0;
    this.antiEntropy.tick(Date.now());
    const started = Date.now();
    const results = await Promise.all([
      probeLibsql(this.env).then((r) => {
        this.signals.sample("libsql", sample(started, r));
        this.trip("libsql", r.ok, started);
      }),
      ...(slow
        ? [
            probeInference(this.env).then((r) => {
              if (!r) return;
              this.signals.sample("inference", sample(started, r));
              this.trip("inference", r.ok, started);
            }),
            probeRelay(this.env).then((r) => {
              if (!r) return;
              this.signals.relayReachable(r.ok, started);
              this.trip("relay", r.ok, started);
            }),
            ...peersOf(this.env).map((p) =>
              probePeer(p.url).then((r) => {
                this.signals.peer(p.region, r.ok, started);
                this.trip(`peer:${p.region}`, r.ok, started);
              }),
            ),
          ]
        : []),
    ]);
    void results;
    await this.evaluate();
    // A running clock that fires before the next tick gets its own, earlier alarm.
    const due = this.nextDue();
    if (due !== null && due < Date.now() + TICK_MS)
      await this.ctx.storage.setAlarm(Math.max(due, Date.now() + 10));
  }

  /** One outcome for a dependency's breaker; a change of state is logged with its time. */
  private trip(name: string, ok: boolean, atMs: number): void {
    const known = this.breakers.get(name);
    const before = known ? current(known.breaker, atMs).state : "closed";
    const breaker = record(known?.breaker ?? CLOSED, ok ? "success" : "failure", atMs, BREAKER);
    const after = current(breaker, atMs).state;
    this.breakers.set(name, { breaker, sinceMs: before === after && known ? known.sinceMs : atMs });
    if (before !== after) console.log(`[breaker] ${this.env.REGION} ${name}: ${before} → ${after}`);
  }

  private scopeCount(): number {
    return new Set([...this.tenantPolicies.keys(), ...this.overrides.keys()]).size;
  }

  private scopes(): Array<[scope: string, set: PolicySet]> {
    return [
      [DEFAULT_SCOPE, DEFAULT_POLICIES],
      ...[...this.tenantPolicies].map(([t, p]) => [t, p.set] as [string, PolicySet]),
    ];
  }

  private nextDue(): number | null {
    let due: number | null = null;
    for (const [scope, set] of this.scopes()) {
      const d = nextDueMs(set, this.states.get(scope) ?? new Map());
      if (d !== null && (due === null || d < due)) due = d;
    }
    return due;
  }

  /** One step of every scope's policies on the current readings; changes are audited. */
  private async evaluate(): Promise<void> {
    const now = Date.now();
    const readings = this.signals.readings(now);
    const changed: Array<[string, PolicyChange]> = [];
    for (const [scope, set] of this.scopes()) {
      const { states, changes } = stepPolicies(
        set,
        this.states.get(scope) ?? new Map(),
        readings,
        now,
      );
      this.states.set(scope, states);
      for (const c of changes) changed.push([scope, c]);
    }
    await this.ctx.storage.put(
      "states",
      [...this.states].map(([s, m]) => [s, [...m]]),
    );
    if (changed.length === 0) return;
    const audit = auditStub(this.env);
    for (const [scope, c] of changed) {
      const tenantId = scope === DEFAULT_SCOPE ? null : scope;
      console.log(
        `[degradation] ${this.env.REGION}${tenantId ? ` tenant ${tenantId}` : ""}: ${c.entered ? "entered" : "left"} ${c.modes.join(", ")} (policy ${c.policyId}: ${c.why})`,
      );
      // The audit log is another object: a failure to reach it is logged, never lost
      // silently, and never stops the evaluation.
      try {
        await audit.append({
          key: `degradation/${scope}/${c.policyId}/${c.entered ? "enter" : "leave"}/${c.atMs}`,
          kind: "degradation-mode",
          detail: {
            region: this.env.REGION,
            tenantId,
            policy: c.policyId,
            modes: c.modes,
            entered: c.entered,
            why: c.why,
            at: new Date(c.atMs).toISOString(),
          },
        });
      } catch (err) {
        console.error(
          "[degradation] audit append failed",
          err instanceof Error ? err.message : err,
        );
      }
    }
  }

  private async persist(): Promise<void> {
    await this.ctx.storage.put({
      states: [...this.states].map(([s, m]) => [s, [...m]]),
      policies: [...this.tenantPolicies],
      overrides: [...this.overrides],
    });
  }
}

const sample = (atMs: number, r: ProbeResult) => ({ atMs, latencyMs: r.latencyMs, ok: r.ok });
