// One simulated region: an AccountDO per account as the real one is built — the real
// AccountEngine on its own store, the shell's survival, forwarding, batch and hash logic
// (durable-objects/account/shell.ts) — and the real receiver (replication/receive.ts).
// Only the runtime is fake: the clock, the network, alarms. A crash drops the engines, the
// in-flight sets and every pending reply; stores, alarms and the quarantine survive it.
import { type CrossBorderAudit, type DomainEvent, ReplicationBatchV1 } from "../../core/index.ts";
import type { LedgerShare } from "../../core/ledger-share.ts";
import type { PlantedBugs } from "../../core/planted-bugs.ts";
import {
  AccountEngine,
  type ExecuteRequest,
  type RemoteApplyResult,
} from "../../durable-objects/account/engine.ts";
import {
  type AccountResult,
  executeWithSurvival,
  forwardTargets,
  outgoingFor,
  pushToFirstPeer,
  type ShellEnv,
  stateHashAs,
} from "../../durable-objects/account/shell.ts";
import { schemaExists } from "../../durable-objects/storage/sql-store.ts";
import { DIRECT_TIMEOUT_MS } from "../../replication/bus.ts";
import { applyBatch, type QuarantineEntry } from "../../replication/receive.ts";
import { Violation } from "./checks.ts";
import type { Endpoint, Network } from "./network.ts";
import type { Random } from "./random.ts";
import type { Scheduler } from "./scheduler.ts";
import { openSimStore, type SimStore } from "./store.ts";
import {
  ACCOUNT_ID_KEYS,
  EPOCH_MS,
  FIELD_POLICY,
  MASKING_KEYS,
  REGIONS_JSON,
  SIM_REGIONS,
  TENANT,
} from "./topology.ts";

/** The DO's re-arm delay after a drain that threw (index.ts `alarm`). */
const ALARM_RETRY_MS = 5_000;
/** Quarantined events one region keeps before the model calls it runaway. */
const MAX_QUARANTINE = 10_000;

export type RegionHooks = {
  trace(line: string): void;
  /** This region changed what it stores for the account. */
  touched(region: string, accountId: string): void;
  /** A violation found inside the region, or an error no real region would answer with. */
  crashed(where: string, err: unknown): void;
  /** A client's request was answered here (the answer may still be lost on its way back). */
  answered(region: string, request: ExecuteRequest, call: CallResult): void;
};

export type RegionConfig = {
  name: string;
  jurisdiction: string;
  sched: Scheduler;
  rng: Random;
  bugs: PlantedBugs;
  /** This region's wall clock runs this far ahead (or behind) the simulation's. */
  skewMs: number;
  /** The survival push's deadline (SURVIVAL_DEADLINE_MS). */
  survivalDeadlineMs: number;
  /** The run records violations and goes on: a region acts as it would, violation or not. */
  keepGoing: boolean;
  hooks: RegionHooks;
};

/** The answer of a client's call, and who held the write's events at that instant. */
export type CallResult = { result: AccountResult; heldBy: string[] };

export class RegionUnreachable extends Error {}

/** The in-memory half of one AccountDO: lost in a crash. */
type LiveObject = { engine: AccountEngine; inFlight: Set<string>; draining: boolean };

export class SimRegion implements Endpoint {
  readonly name: string;
  readonly jurisdiction: string;
  readonly env: ShellEnv;
  epoch = 0;
  up = true;
  /** Client requests being executed right now (a crash forgets them). */
  busy = 0;
  network!: Network;
  /** Durable: DO storage per account, the alarms, the quarantine, the audit log. */
  private readonly stores = new Map<string, SimStore>();
  private readonly alarms = new Map<string, number>();
  readonly quarantine: QuarantineEntry[] = [];
  readonly audits = new Map<string, CrossBorderAudit>();
  private readonly live = new Map<string, LiveObject>();
  private readonly schemas = new Set<string>();

  constructor(
    private readonly config: RegionConfig,
    private readonly peers: Map<string, SimRegion>,
  ) {
    this.name = config.name;
    this.jurisdiction = config.jurisdiction;
    this.env = { REGION: config.name, JURISDICTION: config.jurisdiction, REGIONS: REGIONS_JSON };
  }

  /** This region's wall clock (what its DOs' HLCs read). */
  now(): number {
    return EPOCH_MS + this.config.sched.now + this.config.skewMs;
  }

  private toSimTime(wallMs: number): number {
    return wallMs - EPOCH_MS - this.config.skewMs;
  }

  /** Accounts whose object ever stored something (its tables exist). */
  accounts(): string[] {
    return [...this.stores.keys()].filter((a) => this.hasSchema(a));
  }

  /** Tables, once made, are never dropped: a positive answer is remembered. */
  private hasSchema(accountId: string): boolean {
    if (this.schemas.has(accountId)) return true;
    const store = this.stores.get(accountId);
    if (!store || !schemaExists(store)) return false;
    this.schemas.add(accountId);
    return true;
  }

  store(accountId: string): SimStore | undefined {
    return this.stores.get(accountId);
  }

  /** The account's AccountDO, constructed on first use after a start or a crash. */
  object(accountId: string): LiveObject {
    let obj = this.live.get(accountId);
    if (obj) return obj;
    let store = this.stores.get(accountId);
    if (!store) {
      store = openSimStore();
      this.stores.set(accountId, store);
    }
    const engine = new AccountEngine(store, {
      region: this.name,
      jurisdiction: this.jurisdiction,
      now: () => this.now(),
      random: this.config.rng.float,
      peers: SIM_REGIONS.map((r) => r.region).filter((r) => r !== this.name),
      accountIdKey: ACCOUNT_ID_KEYS[this.jurisdiction],
      plantedBugs: this.config.bugs,
    });
    obj = { engine, inFlight: new Set(), draining: false };
    this.live.set(accountId, obj);
    return obj;
  }

  // --- A client's request (the API worker forwarding to the AccountDO) -----------------

  async call(request: ExecuteRequest): Promise<CallResult> {
    if (!this.up) throw new RegionUnreachable(`${this.name} is down`);
    const { accountId } = request;
    const obj = this.object(accountId);
    // The engine commits synchronously inside this step: the step's checks must see it.
    this.config.hooks.touched(this.name, accountId);
    this.busy++;
    const epoch = this.epoch;
    const result = await executeWithSurvival(
      {
        engine: obj.engine,
        env: this.env,
        inFlight: obj.inFlight,
        armAlarm: async () => this.armAlarm(accountId),
        push: (peers, events) =>
          pushToFirstPeer(peers, (peer) =>
            this.ship(obj.engine, peer.region, events, "push", this.config.survivalDeadlineMs),
          ),
        background: (work) => {
          work.catch((err) => this.config.hooks.crashed(`${this.name} background`, err));
        },
        bugs: this.config.bugs,
      },
      request,
    );
    if (epoch === this.epoch) this.busy--;
    const durable = result.kind === "response" && result.outcome.durability === "region";
    const call = {
      result,
      heldBy: durable
        ? this.holdersOf(
            accountId,
            request.idempotencyKey,
            result.kind === "response" && result.replayed,
          )
        : [],
    };
    this.config.hooks.answered(this.name, request, call);
    return call;
  }

  /** Regions of this jurisdiction whose storage holds every event of the write behind `key`. */
  holdersOf(accountId: string, key: string, replayed = false): string[] {
    const row = this.stores
      .get(accountId)
      ?.sql.exec<{ event_ids: string | null }>(
        "SELECT event_ids FROM idempotency WHERE key = ?",
        key,
      )
      .toArray()[0];
    let ids = JSON.parse(row?.event_ids ?? "[]") as string[];
    // A write that made no event (the fact was already here) states the account as this
    // region holds it: region-durable when another region holds every one of its events.
    // Its replay repeats that claim as it was then (the journal has grown since): the
    // first answer was checked; a replay is judged by the replay rule instead.
    if (ids.length === 0 && row && replayed) return [this.name, ...this.jurisdictionPeersHere()];
    if (ids.length === 0 && row)
      ids = this.stores
        .get(accountId)!
        .sql.exec<{ id: string }>("SELECT id FROM journal")
        .toArray()
        .map((r) => r.id);
    if (ids.length === 0) return [];
    return SIM_REGIONS.filter((r) => r.jurisdiction === this.jurisdiction)
      .map((r) => this.peers.get(r.region)!)
      .filter((r) => r.holdsEvents(accountId, ids))
      .map((r) => r.name);
  }

  private jurisdictionPeersHere(): string[] {
    return SIM_REGIONS.filter(
      (r) => r.jurisdiction === this.jurisdiction && r.region !== this.name,
    ).map((r) => r.region);
  }

  holdsEvents(accountId: string, ids: readonly string[]): boolean {
    if (!this.hasSchema(accountId)) return false;
    const n = this.stores
      .get(accountId)!
      .sql.exec<{ n: number }>(
        "SELECT count(*) AS n FROM journal WHERE id IN (SELECT value FROM json_each(?))",
        JSON.stringify(ids),
      )
      .one().n;
    return n === ids.length;
  }

  // --- Sending: a batch per peer, masked and audited as the shell builds it ------------

  private async ship(
    engine: AccountEngine,
    to: string,
    events: DomainEvent[],
    label: string,
    timeoutMs: number,
  ): Promise<void> {
    const { batch, audit } = await outgoingFor(engine, this.env, to, events, {
      survivalPush: label === "push",
      sentAt: new Date(this.now()).toISOString(),
      policy: async () => FIELD_POLICY,
      maskingKey: () => MASKING_KEYS[this.jurisdiction]!,
      bugs: this.config.bugs,
    });
    if (audit) this.audits.set(audit.key, audit);
    if (!batch) return;
    // [LF4] every event leaving its jurisdiction is on the sender's audit record first.
    const receiver = this.peers.get(to)!.jurisdiction;
    const audited = new Set(audit?.detail.eventIds ?? []);
    const unaudited = batch.events.filter(
      (e) => this.peers.get(e.region)?.jurisdiction !== receiver && !audited.has(e.id),
    );
    if (unaudited.length > 0) {
      this.config.hooks.crashed(
        `${this.name} shipping to ${to}`,
        new Violation(
          "LF4",
          `${this.name} sends ${unaudited[0]!.id} to ${to} without an audit entry`,
        ),
      );
      if (!this.config.keepGoing) return;
    }
    const what = `${label}(${batch.events.length})`;
    await this.network.send(this.name, to, what, JSON.stringify(batch), timeoutMs);
  }

  // --- Receiving (workers/api/routes/replication.ts → replication/receive.ts) ----------

  async receive(body: string, from: string): Promise<number> {
    const parsed = ReplicationBatchV1.safeParse(JSON.parse(body));
    if (!parsed.success) return 400;
    try {
      const outcome = await applyBatch(this.env, parsed.data, {
        nowMs: this.now(),
        sink: async (tenantId, accountId, events, sender, ledger) =>
          this.applyRemote(tenantId, accountId, events, sender, ledger),
        tenants: async (ids) =>
          new Map(ids.filter((id) => id === TENANT).map((id) => [id, FIELD_POLICY])),
        quarantine: async (entries) => {
          if (this.quarantine.length + entries.length > MAX_QUARANTINE)
            throw new Error(`${this.name}: quarantine past ${MAX_QUARANTINE} entries`);
          this.quarantine.push(...entries);
          for (const e of entries)
            this.config.hooks.trace(
              `${this.name}: quarantined ${e.eventId} from ${from} (${e.rule}: ${e.reason})`,
            );
        },
      });
      return outcome.ok ? 200 : outcome.refusal.status;
    } catch (err) {
      this.config.hooks.crashed(`${this.name} receiving from ${from}`, err);
      return 500;
    }
  }

  private applyRemote(
    tenantId: string,
    accountId: string,
    events: DomainEvent[],
    from: string,
    ledger: LedgerShare[],
  ): RemoteApplyResult {
    const { engine } = this.object(accountId);
    const forwardTo = forwardTargets(this.env, from);
    const result = engine.applyRemote(tenantId, accountId, events, forwardTo, ledger);
    if (result.applied > 0) this.armAlarm(accountId);
    this.config.hooks.touched(this.name, accountId);
    return result;
  }

  // --- Alarms: durable, one drain at a time per object ---------------------------------

  /** index.ts `armAlarm`: fire now unless an earlier alarm is already set. */
  private armAlarm(accountId: string): void {
    const current = this.alarms.get(accountId);
    if (current === undefined || current > this.now()) this.setAlarm(accountId, this.now());
  }

  private setAlarm(accountId: string, wallMs: number): void {
    this.alarms.set(accountId, wallMs);
    const epoch = this.epoch;
    this.config.sched.at(this.toSimTime(wallMs), `alarm ${this.name} ${accountId}`, () =>
      this.fireAlarm(accountId, wallMs, epoch),
    );
  }

  private async fireAlarm(accountId: string, wallMs: number, epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.up || this.alarms.get(accountId) !== wallMs) return;
    const obj = this.object(accountId);
    // workerd never runs two alarm handlers of one object at once; the running one sets
    // the next alarm from the outbox as it finds it when done, new rows included.
    if (obj.draining) return;
    this.alarms.delete(accountId);
    obj.draining = true;
    try {
      const report = await obj.engine.drainOutbox({
        projection: async () => {},
        peer: (region, events) =>
          this.ship(obj.engine, region, events, "outbox", DIRECT_TIMEOUT_MS),
      });
      if (epoch !== this.epoch) return;
      if (report.nextAlarmMs !== null) this.setAlarm(accountId, report.nextAlarmMs);
    } catch (err) {
      this.config.hooks.trace(`${this.name}: drain of ${accountId} failed: ${String(err)}`);
      if (epoch === this.epoch) this.setAlarm(accountId, this.now() + ALARM_RETRY_MS);
    } finally {
      obj.draining = false;
    }
  }

  /** Rows still to deliver, over every object (stores are read, engines not needed). */
  outboxRows(): number {
    let n = 0;
    for (const accountId of this.accounts())
      n += this.stores
        .get(accountId)!
        .sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox")
        .one().n;
    return n;
  }

  // --- Faults ---------------------------------------------------------------------------

  crash(): void {
    this.epoch++;
    this.up = false;
    this.busy = 0;
    this.live.clear();
  }

  /**
   * Back up: objects are rebuilt from storage on first use. workerd retries an alarm whose
   * handler died, so an object with undelivered rows gets one now if it has none.
   */
  restart(): void {
    this.up = true;
    for (const accountId of this.accounts()) {
      const at = this.alarms.get(accountId);
      const rows = this.stores
        .get(accountId)!
        .sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox")
        .one().n;
      if (at !== undefined) this.setAlarm(accountId, Math.max(at, this.now()));
      else if (rows > 0) this.setAlarm(accountId, this.now());
    }
  }

  // --- Reads for the checks -------------------------------------------------------------

  /**
   * The account as this region's storage holds it, whether or not its object is loaded or
   * the region is up (a down region's storage still holds what it committed).
   */
  durableState(accountId: string) {
    const live = this.live.get(accountId);
    if (live) return live.engine.current();
    if (!this.hasSchema(accountId)) return null;
    return new AccountEngine(this.stores.get(accountId)!, {
      region: this.name,
      now: () => this.now(),
      random: () => 0,
    }).current();
  }

  /** The account as this region's live object holds it (null when not loaded or down). */
  liveState(accountId: string) {
    return this.live.get(accountId)?.engine.current() ?? null;
  }

  /** The hash of the account as `asRegion` should hold it, as an admin would ask this region. */
  stateHash(accountId: string, asRegion: string) {
    return stateHashAs(
      this.object(accountId).engine,
      this.env,
      asRegion,
      async () => FIELD_POLICY,
      () => MASKING_KEYS[this.jurisdiction]!,
    );
  }

  /** Journal bodies this region stored for the account after row `fromSeq`, and the last row. */
  journalSince(accountId: string, fromSeq: number): { texts: string[]; lastSeq: number } {
    if (!this.hasSchema(accountId)) return { texts: [], lastSeq: fromSeq };
    const rows = this.stores
      .get(accountId)!
      .sql.exec<{ seq: number; body: string }>(
        "SELECT seq, body FROM journal WHERE seq > ?",
        fromSeq,
      )
      .toArray();
    return { texts: rows.map((r) => r.body), lastSeq: rows.at(-1)?.seq ?? fromSeq };
  }

  /** Every text this region stores about the account: journal bodies and ledger answers. */
  storedTexts(accountId: string): string[] {
    if (!this.hasSchema(accountId)) return [];
    const { sql } = this.stores.get(accountId)!;
    const journal = sql.exec<{ body: string }>("SELECT body FROM journal").toArray();
    const ledger = sql
      .exec<{ response: string | null }>("SELECT response FROM idempotency")
      .toArray();
    return [
      ...journal.map((r) => r.body),
      ...ledger.flatMap((r) => (r.response ? [r.response] : [])),
    ];
  }

  close(): void {
    for (const store of this.stores.values()) store.close();
  }
}
