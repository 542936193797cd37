// The runtime-agnostic half of the AccountDO shell: `region` survival around the engine's
// execute, the batch a peer is sent, where received events are forwarded, and the hash of
// the account as another region should hold it. The DO (index.ts) wires these to workerd,
// the simulator (chaos/sim) to a fake clock and network: both run this one logic.
import {
  DEFAULT_FIELD_POLICY,
  type DomainEvent,
  emptyAccount,
  type FieldPolicy,
  maskEvent,
  mustMask,
  type Outgoing,
  outgoingBatch,
  replay,
  SURVIVAL_POLICIES,
  stateHash,
} from "../../core/index.ts";
import type { PlantedBugs } from "../../core/planted-bugs.ts";
import {
  jurisdictionLookup,
  jurisdictionPeers,
  peersOf,
  type RegionInfo,
  regionInfo,
} from "../../replication/regions.ts";
import type { AccountEngine, ExecuteRequest, ExecuteResult } from "./engine.ts";

/** The part of a region's env the shell reads (wrangler.toml vars). */
export type ShellEnv = { REGION: string; JURISDICTION: string; REGIONS: string };

export type AccountResult = ExecuteResult | { kind: "unavailable"; detail: string };

export type SurvivalDeps = {
  engine: AccountEngine;
  env: ShellEnv;
  /** Idempotency keys whose `region` push is awaiting a peer right now (per object). */
  inFlight: Set<string>;
  armAlarm: () => Promise<void>;
  /** `region` survival: null once a peer of the jurisdiction holds the events, else why not. */
  push: (peers: RegionInfo[], events: DomainEvent[]) => Promise<string | null>;
  /** Work that may outlive the answer (`ctx.waitUntil`). */
  background: (work: Promise<unknown>) => void;
  bugs: PlantedBugs;
};

/**
 * Executes a command and holds its answer until the survival goal of its flow is met:
 * `region` waits for a peer of the jurisdiction; on a missed deadline `degrade` acks as
 * local and `strict` answers unavailable (committed here, not acknowledged: the same key
 * retried pushes again). `replayOnly`: see ExecuteOptions.
 */
export async function executeWithSurvival(
  deps: SurvivalDeps,
  request: ExecuteRequest,
  { replayOnly = false }: { replayOnly?: boolean } = {},
): Promise<AccountResult> {
  const { engine, env, inFlight } = deps;
  // [LF4] the engine accepts a write only inside the account's known jurisdiction.
  const policy = SURVIVAL_POLICIES[request.command.type];
  const peers = jurisdictionPeers(env, env.JURISDICTION);
  // A jurisdiction with one region cannot meet `region` survival; it acks as local.
  const survival = policy.goal === "region" && peers.length > 0 ? "region" : "zone";
  const key = request.idempotencyKey;
  const result = engine.execute(request, {
    survival,
    survivalPeers: peers.map((p) => p.region),
    inFlight: inFlight.has(key),
    replayOnly,
  });
  if (result.kind !== "response") return result;
  if (!result.replayed || result.awaitingRegion) await deps.armAlarm();
  if (!result.awaitingRegion) return result;

  inFlight.add(key);
  try {
    const events = engine.eventsById(result.awaitingRegion);
    if (deps.bugs.has("ack-before-peer-copy")) {
      // PLANTED BUG: acknowledged as held by two regions before any peer holds it.
      deps.background(deps.push(peers, events));
      const outcome = engine.markDone(key, "region") ?? result.outcome;
      return { ...result, outcome, awaitingRegion: undefined };
    }
    const failure = await deps.push(peers, events);
    if (failure === null) {
      return {
        ...result,
        outcome: engine.markDone(key, "region") ?? result.outcome,
        awaitingRegion: undefined,
      };
    }
    if (policy.onDeadline === "degrade") {
      // Acknowledged as local, and this answer (not its replays) says why.
      const outcome = engine.markDone(key, "local") ?? result.outcome;
      return { ...result, outcome, degraded: ["replication"], awaitingRegion: undefined };
    }
    // Committed here but not yet held elsewhere: not acknowledged. A retry with the same
    // key pushes again and replays this response once a peer holds the events.
    return { kind: "unavailable", detail: failure };
  } finally {
    inFlight.delete(key);
  }
}

/** The first peer to commit the events wins (null); when all fail, their reasons. */
export async function pushToFirstPeer(
  peers: RegionInfo[],
  send: (peer: RegionInfo) => Promise<void>,
): Promise<string | null> {
  try {
    await Promise.any(peers.map(send));
    return null;
  } catch (err) {
    const reasons =
      err instanceof AggregateError
        ? err.errors.map((e) => String(e?.message ?? e))
        : [String(err)];
    return reasons.join("; ");
  }
}

/**
 * Where events received from `from` go on: only what this region holds unmasked (written
 * in its own jurisdiction), to the regions other than the sender.
 */
export function forwardTargets(
  env: ShellEnv,
  from: string,
): (event: DomainEvent) => readonly string[] {
  const own = env.JURISDICTION;
  const jurisdictionOf = jurisdictionLookup(env);
  const others = peersOf(env)
    .map((p) => p.region)
    .filter((r) => r !== from);
  return (event) => (jurisdictionOf(event.region) === own ? others : []);
}

export type OutgoingDeps = {
  sentAt: string;
  /** The tenant's field policy; read only when something must leave masked. */
  policy: (tenantId: string) => Promise<FieldPolicy>;
  /** This jurisdiction's masking key; throws when masking is impossible. */
  maskingKey: () => string;
  bugs: PlantedBugs;
  /**
   * A `region`-survival push: the writes it carries are acknowledged as soon as the peer
   * holds them, so their ledger entries travel as acknowledged (not `pending`).
   */
  survivalPush?: boolean;
};

/** The batch for `region` as core builds it, with the audit entry it owes (if any). */
export async function outgoingFor(
  engine: AccountEngine,
  env: ShellEnv,
  region: string,
  events: DomainEvent[],
  deps: OutgoingDeps,
): Promise<Outgoing> {
  const tenantId = events[0]?.tenantId ?? "";
  const jurisdictionOf = jurisdictionLookup(env);
  const residency = engine.current()?.customer?.residency ?? null;
  const needsMask = events.some((e) => mustMask(e, region, jurisdictionOf, residency));
  return outgoingBatch({
    from: env.REGION,
    to: region,
    sentAt: deps.sentAt,
    events,
    jurisdictionOf,
    residency,
    policy: needsMask ? await deps.policy(tenantId) : DEFAULT_FIELD_POLICY,
    hashKey: needsMask ? deps.maskingKey() : "",
    // core keeps these only for a peer of this jurisdiction [LF2].
    ledger: engine
      .ledgerFor(events.map((e) => e.id))
      .map((s) =>
        deps.survivalPush && s.outcome.durability === "pending"
          ? { ...s, outcome: { ...s.outcome, durability: "region" as const } }
          : s,
      ),
    plantedBugs: deps.bugs,
  });
}

/**
 * The hash of this account as `asRegion` should hold it: the full state inside the
 * account's jurisdiction, the masked projection outside it. Null when this region cannot
 * tell (it holds only the masked copy and is asked for the full one).
 */
export async function stateHashAs(
  engine: AccountEngine,
  env: ShellEnv,
  asRegion: string,
  policy: (tenantId: string) => Promise<FieldPolicy>,
  maskingKey: () => string,
): Promise<{ hash: string; view: "full" | "masked" } | null> {
  const state = engine.current();
  if (!state) return null;
  const target = regionInfo(env, asRegion);
  if (!target) return null;
  const residency = state.customer?.residency ?? null;
  const iHoldFull = residency === null || residency === env.JURISDICTION;
  const theyHoldFull = residency === null || residency === target.jurisdiction;
  if (theyHoldFull) return iHoldFull ? { hash: stateHash(state), view: "full" } : null;
  if (!iHoldFull) return { hash: stateHash(state), view: "masked" };
  const fieldPolicy = await policy(state.tenantId);
  const jurisdictionOf = jurisdictionLookup(env);
  const masked = replay(
    emptyAccount(state.tenantId, state.accountId),
    engine
      .journal()
      .map((e) =>
        mustMask(e, asRegion, jurisdictionOf, residency)
          ? maskEvent(e, fieldPolicy, { hashKey: maskingKey() }).event
          : e,
      ),
  );
  return { hash: stateHash(masked), view: "masked" };
}
