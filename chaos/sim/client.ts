// Running one rep: one operation at a time, each attempt a request to a region that may be
// down, slow or whose answer may be lost. A failed or unanswered attempt is retried with the
// SAME key in the other region of the jurisdiction; now and then a request is misrouted
// abroad first. Every operation is recorded in the history format (chaos/history.ts).
import { type DomainError, sha256Hex } from "../../core/index.ts";
import type { CompletionOp, HistoryOp } from "../history.ts";
import type { Random } from "./random.ts";
import { type CallResult, RegionUnreachable, type SimRegion } from "./region.ts";
import type { Scheduler } from "./scheduler.ts";
import { regionsIn, SIM_REGIONS } from "./topology.ts";
import type { OpSpec, Rep } from "./workload.ts";

/** Attempts per operation (failover included), and how long a client waits for one. */
export const MAX_ATTEMPTS = 4;
export const CLIENT_TIMEOUT_MS = 3_000;

export type AttemptOutcome =
  | { kind: "answer"; region: string; call: CallResult }
  | { kind: "timeout"; region: string }
  | { kind: "unreachable"; region: string };

/** What the clients need from the world they run in. */
export type ClientWorld = {
  sched: Scheduler;
  regions: ReadonlyMap<string, SimRegion>;
  /** Client-side network: request latency, think times. */
  rng: Random;
  /** Whether this answer is lost on its way back (never after the heal). */
  answerLost(): boolean;
  record(op: HistoryOp): void;
  /** Called as an operation is invoked, before any region sees it. */
  invoked(spec: OpSpec): void;
  crashed(where: string, err: unknown): void;
  trace(line: string): void;
};

const statusOfError = (e: DomainError): number => (e.code === "not-found" ? 404 : 409);

export class Client {
  private n = 0;
  private readonly done: Array<{ spec: OpSpec; ok: boolean }> = [];
  finished = false;

  constructor(
    private readonly rep: Rep,
    private readonly world: ClientWorld,
  ) {}

  async run(startMs: number): Promise<void> {
    await this.sleep(startMs, "start");
    for (const planned of this.rep.plan) {
      let spec: OpSpec;
      if ("replayOf" in planned) {
        const earlier = this.done[planned.replayOf];
        if (!earlier?.ok) continue;
        spec = earlier.spec;
      } else spec = planned;
      const ok = await this.perform(spec);
      this.done.push({ spec, ok });
      await this.sleep(this.world.rng.int(0, 300), "think");
    }
    this.finished = true;
  }

  private sleep(ms: number, why: string): Promise<void> {
    return new Promise((resolve) =>
      this.world.sched.after(ms, `p${this.rep.process} ${why}`, resolve),
    );
  }

  /** The regions to try, in order: home and the other region of the jurisdiction alternate. */
  private targets(): string[] {
    const { home, other } = this.rep;
    const order = Array.from({ length: MAX_ATTEMPTS }, (_, i) =>
      i % 2 === 1 && other ? other : home,
    );
    // Now and then the request is misrouted abroad first (a stale router, a wrong URL).
    if (this.world.rng.chance(0.04)) {
      const abroad = SIM_REGIONS.filter((r) => r.jurisdiction !== this.rep.jurisdiction);
      order.unshift(this.world.rng.pick(abroad).region);
    }
    return order;
  }

  private async perform(spec: OpSpec): Promise<boolean> {
    const { world } = this;
    const process = this.rep.process;
    const op = `p${process}-${this.n++}`;
    const invokedAt = world.sched.now;
    const targets = this.targets();
    world.invoked(spec);
    world.record({
      type: "invoke",
      index: 0,
      process,
      op,
      f: spec.flow,
      time: invokedAt,
      idempotencyKey: spec.request.idempotencyKey,
      value: spec.value,
      target: targets[0],
    });
    const attempts: CompletionOp["attempts"] = [];
    let possibleEffect = false;
    let last: { status?: number; error?: string } = {};
    for (let i = 0; i < targets.length; i++) {
      const region = targets[i]!;
      const abroad = world.regions.get(region)!.jurisdiction !== spec.jurisdiction;
      const outcome = await this.attempt(region, spec);
      if (outcome.kind !== "answer") {
        const error = outcome.kind === "timeout" ? "timeout" : "unreachable";
        attempts.push({ region, status: null, error });
        if (outcome.kind === "timeout") possibleEffect = true;
        last = { error };
      } else {
        const { result } = outcome.call;
        switch (result.kind) {
          case "response": {
            attempts.push({ region, status: result.outcome.created ? 201 : 200 });
            this.complete(spec, op, invokedAt, outcome, attempts);
            return true;
          }
          case "unavailable":
            // Committed there, not acknowledged: the same key elsewhere completes it.
            possibleEffect = true;
            last = { status: 503, error: "region-durability-unavailable" };
            break;
          case "in-flight":
            last = { status: 409, error: "idempotency-key-in-flight" };
            break;
          case "jurisdiction-unknown":
            last = { status: 409, error: "jurisdiction-unknown" };
            break;
          case "misdirected":
            last = { status: 409, error: `wrong-jurisdiction (${result.jurisdiction})` };
            break;
          case "mismatch":
            last = { status: 422, error: "idempotency-key-reused" };
            break;
          case "rejected":
            last = { status: statusOfError(result.error), error: result.error.code };
            break;
        }
        attempts.push({ region, status: last.status ?? null, error: last.error });
        // A domain refusal is final (nothing was written); a misrouted one is not ours to judge.
        const final = result.kind === "rejected" || result.kind === "mismatch";
        if (final && !abroad) break;
      }
      if (i + 1 < targets.length)
        await this.sleep(this.world.rng.int(50, 250) * (i + 1), "backoff");
    }
    world.record({
      type: possibleEffect ? "info" : "fail",
      index: 0,
      process,
      op,
      f: spec.flow,
      time: world.sched.now,
      ...(last.status !== undefined ? { status: last.status } : {}),
      ...(last.error !== undefined ? { error: last.error } : {}),
      degraded: [],
      replayed: false,
      latencyMs: world.sched.now - invokedAt,
      attempts,
    });
    return false;
  }

  private complete(
    spec: OpSpec,
    op: string,
    invokedAt: number,
    outcome: Extract<AttemptOutcome, { kind: "answer" }>,
    attempts: CompletionOp["attempts"],
  ): void {
    const { result, heldBy } = outcome.call;
    if (result.kind !== "response") return;
    const durability = result.outcome.durability === "region" ? "region" : "local";
    const others = regionsIn(spec.jurisdiction).filter((r) => r !== outcome.region);
    this.world.record({
      type: "ok",
      index: 0,
      process: this.rep.process,
      op,
      f: spec.flow,
      time: this.world.sched.now,
      region: outcome.region,
      status: result.outcome.created ? 201 : 200,
      durability,
      degraded: result.degraded ?? [],
      replayed: result.replayed,
      bodySha256: sha256Hex(result.outcome.body),
      latencyMs: this.world.sched.now - invokedAt,
      attempts,
      ...(durability === "region" && others.length > 0
        ? { peerHasIt: heldBy.some((r) => others.includes(r)) }
        : {}),
    });
  }

  /** One request to one region: its answer, or nothing within the client's timeout. */
  private attempt(region: string, spec: OpSpec): Promise<AttemptOutcome> {
    const { world } = this;
    const target = world.regions.get(region)!;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (o: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        timeout.cancelled = true;
        resolve(o);
      };
      const label = `p${this.rep.process} ${spec.flow} ${spec.request.idempotencyKey}`;
      const timeout = world.sched.after(CLIENT_TIMEOUT_MS, `${label} client timeout`, () =>
        settle({ kind: "timeout", region }),
      );
      world.sched.after(world.rng.int(1, 10), `${label} → ${region}`, () => {
        if (!target.up) {
          world.sched.after(world.rng.int(1, 5), `${label} refused`, () =>
            settle({ kind: "unreachable", region }),
          );
          return;
        }
        target.call(spec.request).then(
          (call) => {
            if (world.answerLost()) {
              world.trace(`${label}: answer from ${region} lost`);
              return;
            }
            world.sched.after(world.rng.int(1, 10), `${label} ← ${region}`, () =>
              settle({ kind: "answer", region, call }),
            );
          },
          (err) => {
            if (err instanceof RegionUnreachable) settle({ kind: "unreachable", region });
            else world.crashed(`${region} executing ${spec.request.idempotencyKey}`, err);
          },
        );
      });
    });
  }
}
