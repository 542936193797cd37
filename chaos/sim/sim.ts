// One simulated run, reproducible from (seed, commit): three regions of real AccountEngines
// on a fake clock and network, reps driving the lifeline flows, seeded faults (lossy,
// duplicating, slow links; partitions; a region crash; lost answers; clock skew) until the
// heal, then a drain. Safety is checked after every step; after the drain, convergence.
// The first violation ends the run and names its rule, seed and step; with `keepGoing` the
// run records every violation and goes on to the drain and the final reads, so its Run is
// whole (what the checker needs to prove it can fail on a planted bug).
import { sha256Hex } from "../../core/index.ts";
import { NO_PLANTED_BUGS, type PlantedBugs } from "../../core/planted-bugs.ts";
import { DEFAULT_SURVIVAL_DEADLINE_MS, SURVIVAL_POLICIES } from "../../core/survival.ts";
import type { ExecuteRequest } from "../../durable-objects/account/engine.ts";
import { type HistoryOp, MASKED_ONLY, type Run } from "../history.ts";
import {
  duplicatePayments,
  foreignRawIn,
  holdsEffect,
  type RawValue,
  Violation,
} from "./checks.ts";
import { Client } from "./client.ts";
import { type FaultPlan, faultWindows, planFaults } from "./faults.ts";
import { accountsOf, finalReads, type Hashes, hashesOf, leaksOf } from "./final.ts";
import type { KnownFinding } from "./known.ts";
import { Network } from "./network.ts";
import { Random } from "./random.ts";
import { type CallResult, SimRegion } from "./region.ts";
import { Scheduler } from "./scheduler.ts";
import { EPOCH_MS, jurisdictionOf, regionsIn, SIM_REGIONS } from "./topology.ts";
import { type OpSpec, planReps } from "./workload.ts";

/** Steps (tasks run) per seed before the run counts as runaway. */
export const MAX_STEPS = 20_000;
/** After the heal, the outboxes must drain within this much simulated time [LF3]. */
export const CONVERGE_BUDGET_MS = 180_000;
/** Violations a `keepGoing` run lists (distinct messages); later ones are only counted. */
export const MAX_RECORDED_VIOLATIONS = 100;

export type SimOptions = {
  seed: number;
  bugs?: PlantedBugs;
  /** Receives every step and notable event when set (slower). */
  trace?: (line: string) => void;
  commit?: string;
  /** Known findings (known.ts) recorded instead of ending the run. */
  tolerate?: readonly KnownFinding[];
  /**
   * Record every safety violation and run the seed to its end (heal, drain, final reads)
   * instead of stopping at the first. Only a run that cannot go on (no task left, past
   * MAX_STEPS or the drain budget, a model error) still stops early.
   */
  keepGoing?: boolean;
};

export type SimFailure = { rule: string; message: string; step: number; timeMs: number };

export type SimResult = {
  seed: number;
  ok: boolean;
  failure: SimFailure | null;
  faults: FaultPlan;
  steps: number;
  simTimeMs: number;
  history: HistoryOp[];
  run: Run;
  /** Tolerated known findings, in order. */
  tolerated: Array<{ finding: KnownFinding; step: number; timeMs: number; message: string }>;
  /**
   * Every violation, in order: `failure` alone unless `keepGoing`, then each distinct one
   * up to MAX_RECORDED_VIOLATIONS (`violationCount` counts every distinct one).
   */
  violations: SimFailure[];
  violationCount: number;
};

export type { FaultPlan } from "./faults.ts";

export async function runSeed(options: SimOptions): Promise<SimResult> {
  const world = new World(options);
  try {
    return await world.run();
  } finally {
    world.close();
  }
}

/** Lets every promise chain started by a task settle before the next task. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class World {
  readonly seed: number;
  readonly sched = new Scheduler();
  readonly regions = new Map<string, SimRegion>();
  readonly network: Network;
  readonly faults: FaultPlan;
  private readonly bugs: PlantedBugs;
  private readonly clients: Client[] = [];
  private readonly history: HistoryOp[] = [];
  private readonly raw: RawValue[] = [];
  private readonly rawSeen = new Set<string>();
  /** First answer per idempotency key: a replay must answer it again [LF2]. */
  private readonly firstAnswers = new Map<
    string,
    { sha: string; created: boolean; region: string }
  >();
  /** Writes a region acknowledged (the answer may not have reached the client). */
  private readonly acked = new Map<string, OpSpec>();
  /** Every operation invoked, by idempotency key; each account's jurisdiction. */
  private readonly specs = new Map<string, OpSpec>();
  private readonly residency = new Map<string, string>();
  private readonly touched = new Set<string>();
  private readonly quarantineChecked = new Map<string, number>();
  /**
   * How far each (region, account)'s journal was scanned for leaks [LF4]. Ledger answers
   * are scanned whole after the drain: only a region's own clients and peers write them.
   */
  private readonly scanned = new Map<string, number>();
  private hashes: Hashes | null = null;
  private error: unknown = null;
  private readonly tolerated: SimResult["tolerated"] = [];
  private readonly violations: SimFailure[] = [];
  private readonly violationsSeen = new Set<string>();
  private violationCount = 0;
  private step = 0;
  private healed = false;
  private convergedAfterMs: number | null = null;

  constructor(private readonly options: SimOptions) {
    this.seed = options.seed;
    this.bugs = options.bugs ?? NO_PLANTED_BUGS;
    this.faults = planFaults(new Random(this.seed, "faults"));
    for (const info of SIM_REGIONS) {
      const region = new SimRegion(
        {
          name: info.region,
          jurisdiction: info.jurisdiction,
          sched: this.sched,
          rng: new Random(this.seed, `engine:${info.region}`),
          bugs: this.bugs,
          keepGoing: options.keepGoing === true,
          skewMs: this.faults.skewMs[info.region] ?? 0,
          survivalDeadlineMs: DEFAULT_SURVIVAL_DEADLINE_MS,
          hooks: {
            trace: (line) => this.trace(line),
            touched: (r, a) => this.touched.add(`${r}\u0000${a}`),
            crashed: (where, err) => this.crashed(where, err),
            answered: (r, request, call) => this.answered(r, request, call),
          },
        },
        this.regions,
      );
      this.regions.set(info.region, region);
    }
    this.network = new Network(
      this.sched,
      new Random(this.seed, "network"),
      this.faults.link,
      this.regions,
      {
        onDeliver: (from, to, body) => this.checkWire(from, to, body),
        trace: (line) => this.trace(line),
      },
    );
    for (const region of this.regions.values()) region.network = this.network;
  }

  private trace(line: string): void {
    this.options.trace?.(`[t=${this.sched.now} #${this.step}] ${line}`);
  }

  /** The run cannot go on (runaway, stuck): it ends here even with `keepGoing`. */
  private fail(rule: Violation["rule"], detail: string): never {
    throw new Violation(rule, detail);
  }

  /** A rule broken: the run ends here, unless it keeps going and records it. */
  private violate(rule: Violation["rule"], detail: string): void {
    const v = new Violation(rule, detail);
    if (!this.options.keepGoing) throw v;
    this.recordViolation(v);
  }

  private recordViolation(v: Violation): void {
    const message = `seed ${this.seed}, step ${this.step} (t=${this.sched.now} ms): ${v.message}`;
    this.trace(`VIOLATION ${message}`);
    // A state that breaks a rule keeps breaking it at every later step: count it once.
    if (this.violationsSeen.has(v.message)) return;
    this.violationsSeen.add(v.message);
    this.violationCount++;
    if (this.violations.length < MAX_RECORDED_VIOLATIONS)
      this.violations.push({ rule: v.rule, message, step: this.step, timeMs: this.sched.now });
  }

  /** A violation of a known kind (known.ts): a violation unless the run tolerates it. */
  private finding(id: KnownFinding, rule: Violation["rule"], detail: string): void {
    if (!this.options.tolerate?.includes(id)) {
      this.violate(rule, `${detail} [${id}]`);
      return;
    }
    this.tolerated.push({
      finding: id,
      step: this.step,
      timeMs: this.sched.now,
      message: `[${rule}] ${detail}`,
    });
  }

  private crashed(where: string, err: unknown): void {
    if (this.options.keepGoing && err instanceof Violation) {
      this.recordViolation(err);
      return;
    }
    if (this.error) return;
    this.error =
      err instanceof Violation
        ? err
        : new Violation(
            "model",
            `${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
  }

  // --- Running --------------------------------------------------------------------------

  async run(): Promise<SimResult> {
    const startedAt = new Date(EPOCH_MS).toISOString();
    let failure: SimFailure | null = null;
    try {
      this.start();
      await this.loop();
      await this.checkConvergence();
    } catch (err) {
      const v =
        err instanceof Violation
          ? err
          : new Violation("model", err instanceof Error ? (err.stack ?? err.message) : String(err));
      failure = {
        rule: v.rule,
        message: `seed ${this.seed}, step ${this.step} (t=${this.sched.now} ms): ${v.message}`,
        step: this.step,
        timeMs: this.sched.now,
      };
      this.trace(`FAILED ${failure.message}`);
    }
    if (failure) {
      this.violations.push(failure);
      this.violationCount++;
    }
    failure = this.violations[0] ?? null;
    const history = this.history;
    const run: Run = {
      scenario: "sim",
      seed: this.seed,
      commit: this.options.commit ?? "unknown",
      command: reproduction(this.seed, this.bugs, this.options.keepGoing === true),
      startedAt,
      regions: Object.fromEntries(SIM_REGIONS.map((r) => [r.region, r.jurisdiction])),
      faults: faultWindows(this.faults),
      // The simulator judges safety and convergence; its faults are harsher than any
      // availability target is meant for.
      targets: {
        convergeWithinMs: CONVERGE_BUDGET_MS,
        writeAvailability: 0,
        writeAvailabilityDuringFault: 0,
      },
      modeChanges: [],
      history,
      final: await this.final(),
    };
    return {
      seed: this.seed,
      ok: failure === null,
      failure,
      faults: this.faults,
      steps: this.step,
      simTimeMs: this.sched.now,
      history,
      run,
      tolerated: this.tolerated,
      violations: this.violations,
      violationCount: this.violationCount,
    };
  }

  private start(): void {
    const f = this.faults;
    this.trace(`seed ${this.seed} faults ${JSON.stringify(f)} bugs [${[...this.bugs].join(",")}]`);
    const reps = planReps(this.seed, new Random(this.seed, "plan"));
    const clientRng = new Random(this.seed, "clients");
    const answerRng = new Random(this.seed, "answers");
    for (const rep of reps) {
      const client = new Client(rep, {
        sched: this.sched,
        regions: this.regions,
        rng: clientRng,
        answerLost: () => !this.healed && answerRng.chance(f.responseLossRate),
        record: (op) => this.record(op),
        invoked: (spec) => this.invoked(spec),
        crashed: (where, err) => this.crashed(where, err),
        trace: (line) => this.trace(line),
      });
      this.clients.push(client);
      client
        .run(rep.startMs ?? clientRng.int(0, 200))
        .catch((err) => this.crashed(`client ${rep.process}`, err));
    }
    for (const p of f.partitions) {
      this.sched.at(p.startMs, `partition ${p.a}${p.oneWay ? "→" : "↔"}${p.b}`, () =>
        this.network.partition(p.a, p.b, p.oneWay),
      );
      this.sched.at(p.endMs, `unpartition ${p.a}/${p.b}`, () => this.network.unpartition(p.a, p.b));
    }
    for (const c of f.crashes) {
      const region = this.regions.get(c.region)!;
      this.sched.at(c.atMs, `crash ${c.region}`, () => region.crash());
      this.sched.at(Math.min(c.atMs + c.downMs, f.healAtMs), `restart ${c.region}`, () => {
        if (!region.up) region.restart();
      });
    }
    this.sched.at(f.healAtMs, "heal", () => {
      this.healed = true;
      this.network.heal();
      for (const region of this.regions.values()) if (!region.up) region.restart();
    });
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.healed && this.clients.every((c) => c.finished) && this.quiescent()) {
        this.convergedAfterMs = this.sched.now - this.faults.healAtMs;
        return;
      }
      const task = this.sched.next();
      if (!task) this.fail("LF3", "nothing left to run, yet the regions are not quiescent");
      if (++this.step > MAX_STEPS) this.fail("LF3", `not quiescent after ${MAX_STEPS} steps`);
      if (this.healed && this.sched.now > this.faults.healAtMs + CONVERGE_BUDGET_MS)
        this.fail("LF3", `outboxes not drained ${CONVERGE_BUDGET_MS} ms after the heal`);
      if (this.options.trace) this.trace(task.label);
      try {
        const r = task.run();
        if (r instanceof Promise) r.catch((err) => this.crashed(task.label, err));
      } catch (err) {
        this.crashed(task.label, err);
      }
      await settle();
      if (this.error) throw this.error;
      this.checkStep();
    }
  }

  private quiescent(): boolean {
    if (this.network.inFlight > 0) return false;
    for (const region of this.regions.values()) if (region.busy > 0) return false;
    for (const region of this.regions.values()) if (region.outboxRows() > 0) return false;
    return true;
  }

  close(): void {
    for (const region of this.regions.values()) region.close();
  }

  // --- History --------------------------------------------------------------------------

  private record(op: HistoryOp): void {
    this.history.push({ ...op, index: this.history.length });
  }

  private invoked(spec: OpSpec): void {
    this.specs.set(spec.request.idempotencyKey, spec);
    this.residency.set(spec.request.accountId, spec.jurisdiction);
    for (const r of spec.raw) {
      const k = `${spec.jurisdiction}\u0000${r.value}`;
      if (this.rawSeen.has(k)) continue;
      this.rawSeen.add(k);
      this.raw.push({ jurisdiction: spec.jurisdiction, ...r });
    }
  }

  // --- Safety, at every step ------------------------------------------------------------

  /**
   * [LF1] a `region` answer is held by a second region of the jurisdiction at that instant,
   * and so is any acknowledged effect of a `strict` flow (it is never acknowledged as local);
   * [LF2] a replayed answer is the first answer for its key, byte for byte.
   */
  private answered(region: string, request: ExecuteRequest, call: CallResult): void {
    const { result } = call;
    if (result.kind !== "response") return;
    const key = request.idempotencyKey;
    if (result.outcome.durability === "region" && !call.heldBy.some((r) => r !== region))
      this.violate(
        "LF1",
        `${region} answered ${key} with durability region while only [${call.heldBy.join(", ")}] held its events`,
      );
    const spec = this.specs.get(key);
    if (spec) this.acked.set(key, spec);
    const policy = SURVIVAL_POLICIES[request.command.type];
    const peers = regionsIn(jurisdictionOf(region)).filter((r) => r !== region);
    if (spec && policy.goal === "region" && policy.onDeadline === "strict" && peers.length > 0) {
      const held = peers.filter((r) =>
        holdsEffect(this.regions.get(r)!.durableState(spec.effect.accountId), spec.effect),
      );
      if (held.length === 0)
        this.violate(
          "LF1",
          `${region} acknowledged ${request.command.type} ${key} (${result.outcome.created ? "created" : "already there"}, durability ${result.outcome.durability}) while no other region of the jurisdiction held its effect`,
        );
    }
    const sha = sha256Hex(result.outcome.body);
    const first = this.firstAnswers.get(key);
    if (!first) {
      this.firstAnswers.set(key, { sha, created: result.outcome.created, region });
      return;
    }
    if (!result.replayed) return;
    if (first.created !== result.outcome.created)
      this.violate(
        "LF2",
        `${region} replayed ${key} as created=${result.outcome.created}; ${first.region} first answered created=${first.created}`,
      );
    if (first.sha !== sha)
      this.finding(
        "replay-answer-diverges",
        "LF2",
        `${region} replayed ${key} with another body than ${first.region} first answered (${sha.slice(0, 12)}… vs ${first.sha.slice(0, 12)}…)`,
      );
  }

  /** [LF4] nothing crossing into a jurisdiction carries another jurisdiction's raw data. */
  private checkWire(from: string, to: string, body: string): void {
    const hits = foreignRawIn([body], jurisdictionOf(to), this.raw);
    if (hits.length > 0)
      this.violate(
        "LF4",
        `batch ${from}→${to} carries raw ${hits.map((h) => `${h.field} of ${h.jurisdiction}`).join(", ")}`,
      );
  }

  private checkStep(): void {
    for (const entry of this.touched) {
      const [name, accountId] = entry.split("\u0000") as [string, string];
      const region = this.regions.get(name)!;
      // Each step scans what foreign accounts added here; the final scan reads everything.
      if (this.residency.get(accountId) !== region.jurisdiction) {
        const scanned = region.journalSince(accountId, this.scanned.get(entry) ?? 0);
        this.scanned.set(entry, scanned.lastSeq);
        const leaks = foreignRawIn(scanned.texts, region.jurisdiction, this.raw);
        if (leaks.length > 0)
          this.violate(
            "LF4",
            `${name} stores raw ${leaks.map((h) => `${h.field} of ${h.jurisdiction}`).join(", ")} (account ${accountId})`,
          );
      }
      const state = region.liveState(accountId);
      const dupes = state ? duplicatePayments(state) : [];
      if (dupes.length > 0) this.violate("LF2", `${name}: ${dupes[0]}`);
    }
    this.touched.clear();
    for (const region of this.regions.values()) {
      const from = this.quarantineChecked.get(region.name) ?? 0;
      if (region.quarantine.length === from) continue;
      const fresh = region.quarantine.slice(from);
      this.quarantineChecked.set(region.name, region.quarantine.length);
      const leaks = foreignRawIn(
        fresh.map((q) => q.raw),
        region.jurisdiction,
        this.raw,
      );
      if (leaks.length > 0)
        this.violate(
          "LF4",
          `${region.name} quarantined raw ${leaks.map((h) => `${h.field} of ${h.jurisdiction}`).join(", ")}`,
        );
      // Every peer here is honest: whatever a receiver refuses, a sender got wrong (or it).
      const q = fresh[0]!;
      this.violate(
        "LF8",
        `${region.name} quarantined ${q.eventId} from ${q.from} (${q.rule}: ${q.reason})`,
      );
    }
  }

  // --- Convergence, after the drain -----------------------------------------------------

  /** The final reads; after a failure the regions may be mid-fault: whatever can be read. */
  private async final(): Promise<Run["final"]> {
    const timeMs = this.sched.now;
    const { convergedAfterMs } = this;
    try {
      const hashes = await this.allHashes();
      const leaks = leaksOf(this.regions, this.raw);
      return finalReads(this.regions, { hashes, leaks, timeMs, convergedAfterMs });
    } catch (err) {
      this.trace(`final reads failed: ${String(err)}`);
      return { timeMs, regions: {}, convergedAfterMs: null, leaks: [] };
    }
  }

  private async allHashes(): Promise<Hashes> {
    this.hashes ??= await hashesOf(this.regions);
    return this.hashes;
  }

  private async checkConvergence(): Promise<void> {
    const hashes = await this.allHashes();
    for (const accountId of accountsOf(this.regions)) {
      for (const as of this.regions.keys()) {
        const own = hashes.get(as)?.get(as)?.get(accountId);
        if (!own) {
          this.violate("LF3", `${as} does not hold account ${accountId} after the drain`);
          continue;
        }
        for (const region of this.regions.keys()) {
          const theirs = hashes.get(region)?.get(as)?.get(accountId);
          // A region holding only the masked copy cannot hash the full view: no difference.
          if (theirs && theirs !== MASKED_ONLY && theirs !== own)
            this.violate(
              "LF3",
              `account ${accountId} as ${as} should hold it: ${region} hashes ${theirs.slice(0, 12)}…, ${as} ${own.slice(0, 12)}…`,
            );
        }
      }
    }
    for (const leak of leaksOf(this.regions, this.raw))
      this.violate(
        "LF4",
        `${leak.region} stores raw ${leak.field} of ${leak.ofJurisdiction} (${leak.where})`,
      );
    for (const spec of this.acked.values()) {
      for (const info of SIM_REGIONS) {
        if (info.jurisdiction !== spec.jurisdiction) continue;
        const state = this.regions
          .get(info.region)!
          .object(spec.request.accountId)
          .engine.current();
        if (!holdsEffect(state, spec.effect))
          this.violate(
            "LF1",
            `acknowledged ${spec.flow} ${spec.request.idempotencyKey} is missing in ${info.region} after the drain`,
          );
      }
    }
  }
}

/** The command that reruns one seed with its trace. */
export function reproduction(
  seed: number,
  bugs: PlantedBugs = NO_PLANTED_BUGS,
  keepGoing = false,
): string {
  return `npm run sim -- --seed ${seed}${[...bugs].map((b) => ` --bug ${b}`).join("")}${keepGoing ? " --keep-going" : ""}`;
}
