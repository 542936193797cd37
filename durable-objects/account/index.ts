// AccountDO: one per (region, tenant, account). A thin shell: storage, alarm, survival
// goals and the wiring to the read model and peer regions live here; every rule lives in
// AccountEngine and core/.
import { DurableObject } from "cloudflare:workers";
import {
  CallSentimentInput,
  DEFAULT_FIELD_POLICY,
  DEFAULT_SURVIVAL_DEADLINE_MS,
  type DomainEvent,
  engagementView,
  type FieldPolicy,
  INSIGHT_ID,
  MAX_BATCH_EVENTS,
  type OutgoingBatch,
  type PortalUserLogin,
  paymentViewOf,
} from "../../core/index.ts";
import type { LedgerShare } from "../../core/ledger-share.ts";
import { type PlantedBugs, plantedBugsOf } from "../../core/planted-bugs.ts";
import type { ChangeStatus, ServiceStatus } from "../../core/portal/model.ts";
import { connectReadModel } from "../../db/client.ts";
import { writeProjection } from "../../db/projector.ts";
import { busFor } from "../../replication/bus.ts";
import { DirectBus } from "../../replication/direct-bus.ts";
import { rttTableOf } from "../../replication/geography.ts";
import { peersOf, type RegionInfo, regionInfo } from "../../replication/regions.ts";
import { keyRingOf } from "../../replication/signing.ts";
import { wallClock } from "../clock.ts";
import { modesFor, regionHealth } from "../region/client.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { AccountEngine, type ExecuteRequest, type NoteRequest, type NoteResult } from "./engine.ts";
import { type PageQuery, pageAfter } from "./pages.ts";
import {
  type AccountResult,
  executeWithSurvival,
  forwardTargets,
  outgoingFor,
  pushToFirstPeer,
  stateHashAs,
} from "./shell.ts";

export type { AccountResult } from "./shell.ts";

/** Budget of one projection write to libSQL; past it the alarm backs off and retries. */
const PROJECTION_TIMEOUT_MS = 5_000;
/** How long a tenant's field policy is reused before it is read again. */
const POLICY_CACHE_MS = 60_000;

/** How long a portal user's write waits for the login index before it is answered anyway. */
const PORTAL_INDEX_WAIT_MS = 2_000;

/** Contracts one portal answer is built from: a customer's lifetime of orders, bounded. */
export const MAX_PORTAL_CONTRACTS = 200;

export class AccountDO extends DurableObject<Env> {
  private engine!: AccountEngine;
  /** Idempotency keys whose `region` push is awaiting a peer right now. */
  private readonly inFlight = new Set<string>();
  private policyCache: { policy: FieldPolicy; until: number } | null = null;
  private floorReady = false;
  private reportedBacklog = false;
  /** None outside local mode (core/planted-bugs.ts). */
  private readonly bugs: PlantedBugs;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.bugs = plantedBugsOf(env as { LIFELINE_MODE?: string; LIFELINE_PLANTED_BUGS?: string });
    ctx.blockConcurrencyWhile(async () => {
      this.engine = new AccountEngine(durableObjectStore(ctx.storage), {
        region: env.REGION,
        jurisdiction: env.JURISDICTION,
        now: wallClock,
        random: () => Math.random(),
        peers: peersOf(env).map((p) => p.region),
        accountIdKey: env.ACCOUNT_ID_KEY,
        plantedBugs: this.bugs,
      });
    });
  }

  /**
   * `options.replayOnly`: answer only what is stored for the key (ExecuteOptions). A portal
   * user's write is answered once the region's login index holds it (or after
   * PORTAL_INDEX_WAIT_MS: the alarm goes on trying), so a user who just accepted an
   * invitation logs in at once.
   */
  async execute(
    request: ExecuteRequest,
    options: { replayOnly?: boolean } = {},
  ): Promise<AccountResult> {
    const result = await this.executeCommand(request, options);
    if (result.kind === "response" && request.command.type.startsWith("portal-user."))
      await this.indexPortalUsers();
    return result;
  }

  private executeCommand(request: ExecuteRequest, options: { replayOnly?: boolean }) {
    return executeWithSurvival(
      {
        engine: this.engine,
        env: this.env,
        inFlight: this.inFlight,
        armAlarm: () => this.armAlarm(),
        push: (peers, events) => this.pushToJurisdictionPeer(peers, events),
        background: (work) => this.ctx.waitUntil(work),
        bugs: this.bugs,
      },
      request,
      options,
    );
  }

  /** Events a receiver already checked [LF8] (replication/receive.ts). */
  applyRemote(
    tenantId: string,
    accountId: string,
    events: DomainEvent[],
    from: string,
    ledger: LedgerShare[] = [],
  ) {
    // Forward only what this region holds unmasked, to the regions other than the sender;
    // core's outgoingBatch masks per receiver.
    const forwardTo = forwardTargets(this.env, from);
    const result = this.engine.applyRemote(tenantId, accountId, events, forwardTo, ledger);
    if (result.applied > 0) this.ctx.waitUntil(this.armAlarm());
    return result;
  }

  getCustomer() {
    return this.engine.customer();
  }

  /** The customer's portal users as staff see them (never a hash), by e-mail. */
  portalUsers() {
    return this.engine.portalUsers();
  }

  /** Portal users this region's login index does not hold as they are yet (tests, operators). */
  portalIndexPending() {
    return this.engine.portalSyncPending();
  }

  /**
   * Writes the portal users queued for this region's login index (DirectoryDO), waiting at
   * most PORTAL_INDEX_WAIT_MS: what is not written by then stays queued for the alarm.
   */
  private async indexPortalUsers(): Promise<void> {
    const run = this.engine
      .syncPortalUsers((login) => this.indexPortalUser(login))
      .catch((err: unknown) => console.warn("portal login index sync failed", err));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, PORTAL_INDEX_WAIT_MS);
    });
    await Promise.race([run, waited]).finally(() => clearTimeout(timer));
  }

  private async indexPortalUser(login: PortalUserLogin): Promise<void> {
    const taken = await this.env.DIRECTORY.get(
      this.env.DIRECTORY.idFromName("directory"),
    ).syncPortalUser(login);
    // The index answered: the row is done either way. An e-mail another portal user holds
    // here (two accounts invited it at once in two regions) is not taken over.
    if (!taken) console.warn(`portal user ${login.id}: e-mail already indexed for another user`);
  }

  /**
   * What the customer portal builds its answers from (workers/api/portal): the customer and
   * its readable contracts, at most MAX_PORTAL_CONTRACTS (newest first), read at this moment.
   * Never returned to a portal user as it is: the portal projects it through its policy.
   */
  portalSnapshot() {
    const state = this.engine.current();
    const customer = this.engine.customer();
    if (!state || !customer) return null;
    const now = wallClock();
    const contracts = Object.keys(state.contracts)
      .map((id) => this.engine.contract(id, now))
      .filter((c) => c !== null)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, MAX_PORTAL_CONTRACTS);
    return { customer, contracts };
  }

  /**
   * What the group workbench computes the account's health from: the portal snapshot's
   * customer and contracts, and the account's engagement (portal days, call sentiment) at
   * `nowMs`, the workbench's own time, so the index and its windows agree.
   */
  workbenchSnapshot(nowMs: number) {
    const state = this.engine.current();
    const snapshot = this.portalSnapshot();
    if (!state || !snapshot) return null;
    return { ...snapshot, engagement: engagementView(state, nowMs) };
  }

  /**
   * Notes that a portal user used the portal today (a date in the account's jurisdiction):
   * one event per user and day at most, whoever asks how often. The portal asks in the
   * background on its authenticated requests (middleware/portal-activity.ts).
   */
  notePortalActivity(tenantId: string, accountId: string, userId: string): NoteResult {
    return this.note({
      tenantId,
      accountId,
      actor: { kind: "portal", id: userId },
      command: { type: "portal-user.note-active", userId },
    });
  }

  /**
   * Records the sentiment insights inferred of a call with this customer, once per call
   * (by its transcript's hash) and insight (workers/api/insights/call-sentiment.ts, after
   * the analysis). Only the number and the hash: no word of the call reaches the account.
   */
  recordCallSentiment(
    tenantId: string,
    accountId: string,
    insightId: string,
    sentiment: CallSentimentInput,
  ): NoteResult {
    if (!INSIGHT_ID.test(insightId)) throw new RangeError(`not an insight id: ${insightId}`);
    return this.note({
      tenantId,
      accountId,
      actor: { kind: "system", id: "insights" },
      command: {
        type: "call.record-sentiment",
        insightId,
        sentiment: CallSentimentInput.parse(sentiment),
      },
    });
  }

  private note(request: NoteRequest): NoteResult {
    const result = this.engine.note(request);
    // Projected and replicated by the alarm like every event.
    if (result.kind === "recorded") this.ctx.waitUntil(this.armAlarm());
    return result;
  }

  /** Read at this moment: an unpaid invoice past its due date reads `overdue`. */
  getContract(contractId: string) {
    return this.engine.contract(contractId, wallClock());
  }

  getServiceRequest(id: string) {
    return this.engine.serviceRequest(id);
  }

  getChangeRequest(id: string) {
    return this.engine.changeRequest(id);
  }

  /** One page of the account's service requests, newest first (see `pageAfter`). */
  listServiceRequests(query: PageQuery<ServiceStatus>) {
    return pageAfter(this.engine.serviceRequests(), query);
  }

  /** One page of the account's change requests, newest first (see `pageAfter`). */
  listChangeRequests(query: PageQuery<ChangeStatus>) {
    return pageAfter(this.engine.changeRequests(), query);
  }

  /** A payment by id; its id names the account, not the contract, so contracts are searched. */
  getPayment(paymentId: string) {
    const state = this.engine.current();
    if (!state) return null;
    for (const contractId of Object.keys(state.contracts)) {
      const view = paymentViewOf(state, contractId, paymentId);
      if (view) return view;
    }
    return null;
  }

  /** The account's jurisdiction, null before its customer arrived: reads compare it with ours. */
  getResidency() {
    return this.engine.current()?.customer?.residency ?? null;
  }

  /** The benchmark floor: one bare SQLite write in this DO, through the same worker. */
  floorWrite(payload: string): number {
    // The table is made once per instance so the measured write is just the INSERT.
    if (!this.floorReady) {
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, payload TEXT)",
      );
      this.floorReady = true;
    }
    return this.ctx.storage.sql.exec("INSERT INTO floor (payload) VALUES (?)", payload).rowsWritten;
  }

  override async alarm(): Promise<void> {
    const db = connectReadModel(this.env.LIBSQL_URL, {
      authToken: this.env.LIBSQL_AUTH_TOKEN,
      timeoutMs: PROJECTION_TIMEOUT_MS,
    });
    try {
      // The index only serves convergence checks; its outage must not stall the outbox.
      await this.registerInIndex().catch((err) =>
        console.warn("account index registration failed", err),
      );
      // projection-deferred (the region's read model is slow or failing, by its policies):
      // projection rows wait with backoff instead of each costing this alarm a timeout;
      // replication to peers goes on.
      const modes = await modesFor(this.env, null, (p) => this.ctx.waitUntil(p));
      const deferred = modes.includes("projection-deferred");
      // The drain also runs the change requests' SLA clock (engine.markSla), and its
      // nextAlarmMs is the earliest of what the outbox, the ledger and the SLA clock need.
      const report = await this.engine.drainOutbox({
        projection: deferred
          ? async () => {
              throw new Error("projection deferred (projection-deferred is in force)");
            }
          : (p) => writeProjection(db, p),
        peer: (region, events) => this.ship(region, events),
        portal: (login) => this.indexPortalUser(login),
      });
      if (report.failed > 0)
        console.warn(`outbox: ${report.failed} rows failed, ${report.remaining} pending`);
      // The RegionDO sums backlogs into its outbox signals; an empty outbox reports once.
      if (report.remaining > 0 || this.reportedBacklog) {
        this.reportedBacklog = report.remaining > 0;
        await regionHealth(this.env)
          .outbox(this.ctx.id.toString(), report.remaining)
          .catch((err: unknown) => console.warn("RegionDO outbox report failed", err));
      }
      if (report.nextAlarmMs !== null) await this.ctx.storage.setAlarm(report.nextAlarmMs);
    } catch (err) {
      // Re-armed even when the drain itself blew up: the outbox must never stall.
      console.error("outbox drain failed", err);
      await this.ctx.storage.setAlarm(Date.now() + 5_000);
    }
  }

  /**
   * The hash of this account as `asRegion` should hold it: the full state inside the
   * account's jurisdiction, the masked projection outside it. Null when this region
   * cannot tell (it holds only the masked copy and is asked for the full one).
   */
  async stateHash(asRegion: string): Promise<{ hash: string; view: "full" | "masked" } | null> {
    return stateHashAs(
      this.engine,
      this.env,
      asRegion,
      (tenantId) => this.fieldPolicy(tenantId),
      () => this.maskingKey(),
    );
  }

  /**
   * Anti-entropy (replication/anti-entropy.ts): the hash of this account as `asRegion`
   * should hold it, with its residency as known here, from which the caller decides
   * whether a peer can answer for it. Null when nothing is held or this region cannot tell.
   */
  async digestFor(asRegion: string): Promise<{ hash: string; residency: string | null } | null> {
    const h = await this.stateHash(asRegion);
    return h && { hash: h.hash, residency: this.getResidency() };
  }

  /**
   * Anti-entropy: one page of this account's journal for `region`, built exactly as the
   * outbox builds a batch for it: only what this region may pass on, each event masked
   * when it leaves its jurisdiction, the cross-border transfer audited first [LF4][LF7].
   * `next` is the cursor of the following page, null after the last.
   */
  async pullFor(
    region: string,
    afterSeq: number,
  ): Promise<{ batch: OutgoingBatch | null; next: number | null }> {
    const page = this.engine.journalPage(afterSeq, MAX_BATCH_EVENTS);
    const batch = page.events.length > 0 ? await this.outgoing(region, page.events) : null;
    return { batch, next: page.next };
  }

  /** The tenant's field policy from the region's directory, cached briefly in this object. */
  private async fieldPolicy(tenantId: string): Promise<FieldPolicy> {
    const now = Date.now();
    if (this.policyCache && this.policyCache.until > now) return this.policyCache.policy;
    const stored = await this.env.DIRECTORY.get(
      this.env.DIRECTORY.idFromName("directory"),
    ).fieldPolicy(tenantId);
    const policy = stored ?? DEFAULT_FIELD_POLICY;
    this.policyCache = { policy, until: now + POLICY_CACHE_MS };
    return policy;
  }

  private async registerInIndex(): Promise<void> {
    const state = this.engine.current();
    if (!state || this.engine.flag("indexed")) return;
    await this.env.DIRECTORY.get(this.env.DIRECTORY.idFromName("directory")).registerAccount(
      state.tenantId,
      state.accountId,
    );
    this.engine.setFlag("indexed");
  }

  /** `region` survival: the first same-jurisdiction peer to commit the events wins; null = held. */
  private async pushToJurisdictionPeer(
    peers: RegionInfo[],
    events: DomainEvent[],
  ): Promise<string | null> {
    const deadlineMs = Number(this.env.SURVIVAL_DEADLINE_MS ?? DEFAULT_SURVIVAL_DEADLINE_MS);
    const bus = new DirectBus(keyRingOf(this.env), deadlineMs, rttTableOf(this.env));
    return pushToFirstPeer(peers, async (peer) => {
      const batch = await this.outgoing(peer.region, events, true);
      if (batch) await bus.send(peer, batch);
    });
  }

  /** Ships events to one peer through the configured bus (masked and audited as core decides). */
  private async ship(region: string, events: DomainEvent[]): Promise<void> {
    const peer = regionInfo(this.env, region);
    if (!peer) return; // a region removed from REGIONS: nothing left to deliver to
    const batch = await this.outgoing(region, events);
    if (!batch) return; // nothing this region may pass on (masked copies are not forwarded)
    const bus = busFor(this.env);
    if (bus.kind === "qstash") {
      // The relay is outside the jurisdiction's infrastructure: even sealed, each transfer
      // through it is on the record [LF4][LF7].
      await this.audit({
        key: `relay:${region}:${batch.events.map((e) => e.id).join(",")}`,
        kind: "relay-transfer",
        detail: {
          tenantId: batch.events[0]?.tenantId,
          accountId: batch.events[0]?.accountId,
          from: this.env.REGION,
          to: region,
          eventIds: batch.events.map((e) => e.id),
          sealed: true,
        },
      });
    }
    await bus.send(peer, batch);
  }

  /**
   * The batch for `region` as core builds it: each event masked when it leaves its
   * jurisdiction, and the cross-border transfer audited before anything is sent
   * (idempotently, so a retried batch is one audit entry) [LF4][LF7].
   */
  private async outgoing(
    region: string,
    events: DomainEvent[],
    survivalPush = false,
  ): Promise<OutgoingBatch | null> {
    const { batch, audit } = await outgoingFor(this.engine, this.env, region, events, {
      survivalPush,
      sentAt: new Date().toISOString(),
      policy: (tenantId) => this.fieldPolicy(tenantId),
      maskingKey: () => this.maskingKey(),
      bugs: this.bugs,
    });
    if (audit) await this.audit(audit);
    return batch;
  }

  private async audit(entry: {
    key: string;
    kind: "cross-border-transfer" | "relay-transfer";
    detail: Record<string, unknown>;
  }) {
    await this.env.AUDIT.get(this.env.AUDIT.idFromName("audit")).append(entry);
  }

  /** Without a key, hashed fields (tax ids) could be reversed by dictionary: refuse to mask. */
  private maskingKey(): string {
    const key = this.env.MASKING_KEY;
    if (!key || key.length < 16)
      throw new Error(
        "MASKING_KEY is not set (16+ characters): data cannot leave its jurisdiction",
      );
    return key;
  }

  private async armAlarm(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }
}
