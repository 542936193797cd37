// Merge is a join [LF3]: three regions accept commands concurrently, each deciding on its
// own state, and exchange events in any order, duplicated and late. Whatever the schedule,
// once every event reached every region all regions hold one state and one state hash,
// and every concurrent contradiction is exactly one conflict record, everywhere [LF6].
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../encoding.ts";
import type { DomainEvent, EventData } from "../events.ts";
import { decodeHlc, encodeHlc, type Hlc, receive, tick, zeroHlc } from "../hlc.ts";
import {
  accountIdFor,
  changeRequestIdFor,
  contractIdFor,
  invoiceIdFor,
  paymentIdFor,
  portalUserIdFor,
  serviceRequestIdFor,
} from "../ids.ts";
import { CHANGE_KINDS, DEPARTMENTS } from "../portal/model.ts";
import {
  type ContractCreate,
  ContractView,
  type CustomerCreate,
  type PaymentCreate,
  type SignatureCreate,
} from "../schemas.ts";
import { type Command, decide } from "./decide.ts";
import { ACTIVE_DAYS_KEPT, CALL_DAYS_KEPT, CALLS_KEPT, engagementView } from "./engagement.ts";
import { evolve, mergeStates, replay } from "./evolve.ts";
import { type Horizon, joinNewest, joinRecords, newestOf } from "./lattice.ts";
import {
  type AccountState,
  contractStatus,
  draftOf,
  emptyAccount,
  pendingInvitation,
} from "./state.ts";
import { stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";
import { contractView, customerView, portalUserViews } from "./view.ts";

const REGIONS = ["cn-east", "cn-south", "eu-central"] as const;
const TENANT = "ten_demo";
const TAX_ID = "91310000MA1FL00T3X";
/** The cn jurisdiction's account id key, as every cn region holds it. */
const ID_KEY = "cn-account-id-key-for-tests";
const ACCOUNT = accountIdFor(TENANT, { kind: "taxId", taxId: TAX_ID, key: ID_KEY });
const HASHES = ["a".repeat(64), "b".repeat(64)] as const;
const SEEDS = ["ctr-1", "ctr-2"] as const;
const T0 = 1_700_000_000_000;
const CONTRACTS = SEEDS.map((seed) => contractIdFor(ACCOUNT, seed));
const contractOf = (seed: number) => CONTRACTS[seed]!;
const PAYMENT_IDS = CONTRACTS.map((c) => [0, 1, 2].map((ref) => paymentIdFor(c, `BANK-${ref}`)));
/** Two portal users of the account, and the invitation codes (by hash) they may be given. */
const PORTAL_EMAILS = ["anna@example.cn", "bo@example.cn"] as const;
const PORTAL_USERS = PORTAL_EMAILS.map((e) => portalUserIdFor(ACCOUNT, e, ID_KEY));
const PORTAL_CODES = ["1", "2", "3"].map((c) => c.repeat(64));
/** Insights of calls with the customer, and the sentiment scores they may record. */
const INSIGHTS = ["a", "b", "c"].map((c) => `ins_cn-east_${c.repeat(32)}`);
const SCORES = [-0.8, 0, 0.45];
/** The calls those insights may be analyses of (by transcript hash). */
const TRANSCRIPTS = ["d", "e"].map((c) => c.repeat(64));
const DAY_MS = 86_400_000;

/** Equal states; canonical JSON first because it is fast, toEqual for a readable diff. */
function expectSameState(actual: AccountState, expected: AccountState): void {
  if (canonicalJson(actual) !== canonicalJson(expected)) expect(actual).toEqual(expected);
}

const empty = () => emptyAccount(TENANT, ACCOUNT);

const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "system", id: "sim" });

// ------------------------------------------------------------------ the cluster

type Replica = { region: string; state: AccountState; clock: Hlc; wallMs: number };

/** Regions, each with its own clock and state, and the messages in flight between them. */
class Cluster {
  readonly replicas: Replica[];
  readonly inFlight: { to: number; event: DomainEvent }[] = [];
  readonly emitted: DomainEvent[] = [];

  constructor(skewsMs: readonly number[]) {
    this.replicas = REGIONS.map((region, i) => ({
      region,
      state: empty(),
      clock: zeroHlc(region),
      wallMs: T0 + (skewsMs[i] ?? 0),
    }));
  }

  /** Decide on the replica's own state, stamp with its HLC, apply, and send to the others. */
  run(r: number, command: Command): void {
    const rep = this.replicas[r]!;
    const d = decide(rep.state, command, { accountIdKey: ID_KEY, nowMs: rep.wallMs });
    if (!d.ok) return;
    for (const data of d.events) {
      rep.clock = tick(rep.clock, rep.wallMs);
      const event = envelope(encodeHlc(rep.clock), data);
      this.emitted.push(event);
      rep.state = evolve(rep.state, event);
      REGIONS.forEach((_, to) => {
        if (to !== r) this.inFlight.push({ to, event });
      });
    }
  }

  /** Deliver one message; a duplicated one stays in flight and arrives again later. */
  deliver(pick: number, duplicate: boolean): void {
    if (this.inFlight.length === 0) return;
    const i = pick % this.inFlight.length;
    const msg = this.inFlight[i]!;
    if (!duplicate) this.inFlight.splice(i, 1);
    const rep = this.replicas[msg.to]!;
    const merged = receive(
      rep.clock,
      decodeHlc(msg.event.hlc),
      rep.wallMs,
      Number.POSITIVE_INFINITY,
    );
    if (merged.ok) rep.clock = merged.hlc;
    rep.state = evolve(rep.state, msg.event);
  }

  drain(picks: readonly number[]): void {
    for (const p of picks) this.deliver(p, false);
    while (this.inFlight.length > 0) this.deliver(this.inFlight.length - 1, false);
  }
}

// ------------------------------------------------------------------ commands

type Step =
  | { t: "customer"; r: number; residency: "cn" | "eu"; name: number; tier: number }
  | { t: "draft"; r: number; seed: number; amount: number; currency: "CNY" | "EUR"; hash: number }
  | { t: "send"; r: number; seed: number }
  | { t: "sign"; r: number; seed: number; party: "customer" | "vendor" }
  | { t: "pay"; r: number; seed: number; ref: number; amount: number }
  | { t: "progress"; r: number; seed: number; ref: number; amount: number }
  | { t: "deliver"; pick: number; duplicate: boolean }
  | { t: "tick"; r: number; ms: number }
  | {
      t: "portal";
      r: number;
      user: number;
      op: "invite" | "activate" | "disable" | "active";
      code: number;
    }
  | { t: "call"; r: number; insight: number; call: number; score: number };

const NAMES = ["上海测试医疗器械有限公司", "Shanghai Test Medical", "上海测试"];
const TIERS = ["standard", "key", "strategic"] as const;
const AMOUNTS = [100_000, 250_000];
const PAYMENTS = [40_000, 60_000, 100_000];

/**
 * The command a region's client would send, built from what that region currently shows.
 * Inputs are valid by construction (the API's zod parsing is tested elsewhere).
 */
function commandFor(state: AccountState, s: Step, nowMs: number): Command | null {
  switch (s.t) {
    case "customer":
      return {
        type: "customer.create",
        input: {
          name: NAMES[s.name]!,
          taxId: TAX_ID,
          residency: s.residency,
          tier: TIERS[s.tier]!,
          contacts: [{ name: "张三", phone: "+86 138 0013 8000", email: "zhang.san@example.com" }],
        } satisfies CustomerCreate,
      };
    case "draft":
      return {
        type: "contract.create",
        seed: SEEDS[s.seed]!,
        input: {
          customerId: ACCOUNT,
          title: `Ultrasound X${s.seed}`,
          amount: { value: AMOUNTS[s.amount]!, currency: s.currency },
          documentHash: HASHES[s.hash]!,
        } satisfies ContractCreate,
      };
    case "send":
      return { type: "contract.send", contractId: contractOf(s.seed) };
    case "sign": {
      const c = state.contracts[contractOf(s.seed)];
      const draft = c && draftOf(c);
      if (!draft) return null;
      const signer = { name: s.party === "customer" ? "张三" : "Li Si" };
      const input: SignatureCreate = { party: s.party, signer, documentHash: draft.documentHash };
      return { type: "contract.sign", contractId: contractOf(s.seed), input };
    }
    case "pay": {
      const c = state.contracts[contractOf(s.seed)];
      const draft = c && draftOf(c);
      if (!draft) return null;
      const amount = { value: PAYMENTS[s.amount]!, currency: draft.amount.currency };
      const input: PaymentCreate = {
        contractId: contractOf(s.seed),
        reference: `BANK-${s.ref}`,
        amount,
      };
      return { type: "payment.confirm", input };
    }
    case "progress": {
      // The next step of the contract's life as this region sees it: what reps mostly do.
      const c = state.contracts[contractOf(s.seed)];
      const status = c && draftOf(c) ? contractStatus(c) : null;
      if (status === null) return null;
      if (status === "draft") return commandFor(state, { ...s, t: "send" }, nowMs);
      if (status === "sent")
        return commandFor(state, { ...s, t: "sign", party: "customer" }, nowMs);
      if (status === "signed" && s.amount === 0)
        return commandFor(state, { ...s, t: "sign", party: "vendor" }, nowMs);
      return commandFor(state, { ...s, t: "pay" }, nowMs);
    }
    case "portal": {
      // A portal user's life as this region sees it: invited (again), accepting a code this
      // region knows to be pending (the user's, else the other user's), disabled or enabled.
      const userOf = (i: number) => {
        const userId = PORTAL_USERS[i]!;
        return { userId, u: state.portalUsers?.[userId] };
      };
      const { userId, u } = userOf(s.user);
      switch (s.op) {
        case "invite":
          return {
            type: "portal-user.invite",
            userId,
            email: PORTAL_EMAILS[s.user]!,
            name: "张三",
            invitationHash: PORTAL_CODES[s.code]!,
            invitationExpiresAt: new Date(T0 + 7 * 86_400_000).toISOString(),
          };
        case "activate": {
          const pending = [userOf(s.user), userOf(1 - s.user)].find(
            (x) => x.u && pendingInvitation(x.u),
          );
          if (!pending) return null;
          return {
            type: "portal-user.activate",
            userId: pending.userId,
            invitationHash: pendingInvitation(pending.u!)!.hash,
            passwordHash: `pbkdf2-sha256$1$${s.code}$x`,
          };
        }
        case "disable":
          return { type: "portal-user.disable", userId, disabled: u?.disabled?.value !== true };
        case "active":
          return { type: "portal-user.note-active", userId };
      }
      return null;
    }
    case "call":
      // Insights recording a call's sentiment as they analyse it: possibly again (the same
      // insight counts once) or another analysis of a call already recorded (its transcript).
      return {
        type: "call.record-sentiment",
        insightId: INSIGHTS[s.insight]!,
        sentiment: {
          at: new Date(nowMs).toISOString(),
          score: SCORES[s.score]!,
          utterances: 3,
          transcriptHash: TRANSCRIPTS[s.call]!,
        },
      };
    case "deliver":
    case "tick":
      return null;
  }
}

function play(cluster: Cluster, steps: readonly Step[]): void {
  for (const s of steps) {
    if (s.t === "deliver") cluster.deliver(s.pick, s.duplicate);
    else if (s.t === "tick") cluster.replicas[s.r]!.wallMs += s.ms;
    else {
      const { state, wallMs } = cluster.replicas[s.r]!;
      const command = commandFor(state, s, wallMs);
      if (command) cluster.run(s.r, command);
    }
  }
}

const region = fc.integer({ min: 0, max: 2 });
const seed = fc.integer({ min: 0, max: 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("customer" as const),
      r: region,
      residency: fc.constantFrom("cn" as const, "cn" as const, "eu" as const),
      name: fc.integer({ min: 0, max: 2 }),
      tier: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("draft" as const),
      r: region,
      seed,
      amount: fc.integer({ min: 0, max: 1 }),
      currency: fc.constantFrom("CNY" as const, "CNY" as const, "EUR" as const),
      hash: fc.integer({ min: 0, max: 1 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("send" as const), r: region, seed }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("sign" as const),
      r: region,
      seed,
      party: fc.constantFrom("customer" as const, "vendor" as const),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("pay" as const),
      r: region,
      seed,
      ref: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("progress" as const),
      r: region,
      seed,
      ref: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("deliver" as const),
      pick: fc.nat(),
      duplicate: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("tick" as const), r: region, ms: fc.nat(3_000) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("portal" as const),
      r: region,
      user: fc.integer({ min: 0, max: 1 }),
      op: fc.constantFrom(
        "invite" as const,
        "invite" as const,
        "activate" as const,
        "disable" as const,
      ),
      code: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

/**
 * Engagement noted anywhere, any number of times, between deliveries: days of portal use
 * and calls' sentiment. Drawn after everything else, so the other steps of a seed stay the
 * same as before engagement existed.
 */
const engagementArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    t: fc.constant("portal" as const),
    r: region,
    user: fc.integer({ min: 0, max: 1 }),
    op: fc.constant("active" as const),
    code: fc.constant(0),
  }),
  fc.record({
    t: fc.constant("call" as const),
    r: region,
    insight: fc.integer({ min: 0, max: 2 }),
    call: fc.integer({ min: 0, max: 1 }),
    score: fc.integer({ min: 0, max: 2 }),
  }),
  // Days to months: portal days and calls outlive what the account keeps of them.
  fc.record({ t: fc.constant("tick" as const), r: region, ms: fc.nat(90 * DAY_MS) }),
  fc.record({ t: fc.constant("deliver" as const), pick: fc.nat(), duplicate: fc.boolean() }),
);

/** A customer every region knows, and a contract every region has seen signed. */
const SIGNED: Step[] = [
  { t: "customer", r: 0, residency: "cn", name: 0, tier: 0 },
  { t: "draft", r: 0, seed: 0, amount: 1, currency: "CNY", hash: 0 },
  { t: "send", r: 0, seed: 0 },
  { t: "sign", r: 0, seed: 0, party: "customer" },
];

/**
 * Split brain: two regions draft the same contract id with their own terms, then take it
 * through sending, signing and a payment before hearing of each other.
 */
const splitArb = fc
  .record({
    regions: fc.constantFrom([0, 1], [1, 2], [2, 0]),
    terms: fc.array(
      fc.record({
        amount: fc.integer({ min: 0, max: 1 }),
        currency: fc.constantFrom("CNY" as const, "EUR" as const),
        hash: fc.integer({ min: 0, max: 1 }),
        ref: fc.integer({ min: 0, max: 1 }),
        pay: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 2, maxLength: 2 },
    ),
    interleaving: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .map(({ regions, terms, interleaving }): Step[] => {
    const lanes = regions.map((r, i): Step[] => {
      const t = terms[i]!;
      return [
        { t: "draft", r, seed: 1, amount: t.amount, currency: t.currency, hash: t.hash },
        { t: "send", r, seed: 1 },
        { t: "sign", r, seed: 1, party: "customer" },
        { t: "pay", r, seed: 1, ref: t.ref, amount: t.pay },
      ];
    });
    // Each region keeps its own order; how the two interleave in time is arbitrary.
    return interleaving.map(
      (first) => (lanes[first ? 0 : 1]!.shift() ?? lanes[first ? 1 : 0]!.shift())!,
    );
  });

/** The same tax id created in several regions at once, possibly with different residency. */
const rivalsArb = fc.uniqueArray(region, { minLength: 2, maxLength: 3 }).chain((regions) =>
  fc.tuple(
    ...regions.map((r) =>
      fc.record({
        t: fc.constant("customer" as const),
        r: fc.constant(r),
        residency: fc.constantFrom("cn" as const, "eu" as const),
        name: fc.integer({ min: 0, max: 2 }),
        tier: fc.integer({ min: 0, max: 2 }),
      }),
    ),
  ),
);

const scheduleArb = fc.record({
  skewsMs: fc.array(fc.integer({ min: -2_000, max: 2_000 }), { minLength: 3, maxLength: 3 }),
  rivals: fc.option(rivalsArb, { freq: 3 }),
  baseline: fc.boolean(),
  split: fc.option(splitArb, { freq: 3 }),
  steps: fc.array(stepArb, { maxLength: 60 }),
  drain: fc.array(fc.nat(), { maxLength: 40 }),
  engagement: fc.array(engagementArb, { maxLength: 12 }),
});

type Schedule = {
  skewsMs: number[];
  rivals: Step[] | null;
  baseline: boolean;
  split: Step[] | null;
  steps: Step[];
  drain: number[];
  engagement: Step[];
};

function simulate(schedule: Schedule): Cluster {
  const cluster = new Cluster(schedule.skewsMs);
  if (schedule.rivals) play(cluster, schedule.rivals);
  if (schedule.baseline || schedule.split) {
    play(cluster, SIGNED);
    cluster.drain([]);
  }
  if (schedule.split) play(cluster, schedule.split);
  play(cluster, schedule.steps);
  play(cluster, schedule.engagement);
  cluster.drain(schedule.drain);
  return cluster;
}

// ------------------------------------------------------------------ the oracle

type Expected = { kind: string; subject: string; events: string[] };
type EventOf<T extends EventData["type"]> = DomainEvent & { data: Extract<EventData, { type: T }> };

const byHlc = (a: DomainEvent, b: DomainEvent) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0);

function eventsOf<T extends EventData["type"]>(events: DomainEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.data.type === type);
}

/** Earliest event per distinct key, earliest first. */
function firstPerKey<E extends DomainEvent>(events: E[], key: (e: E) => string): E[] {
  const first = new Map<string, E>();
  for (const e of [...events].sort(byHlc)) if (!first.has(key(e))) first.set(key(e), e);
  return [...first.values()];
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

/** The earliest value wins; every other distinct value is one record against it. */
function pairs(kind: string, subject: string, variants: DomainEvent[]): Expected[] {
  const [winner, ...rest] = variants;
  return rest.map((l) => ({ kind, subject, events: [winner!.id, l.id].sort() }));
}

/**
 * The conflicts the event set implies, computed straight from the events rather than from
 * the state: one record per value a rule set aside, naming it and the value that won.
 */
function expectedConflicts(events: DomainEvent[]): Expected[] {
  const out: Expected[] = [];
  const customers = eventsOf(events, "customer.created");
  out.push(
    ...pairs(
      "customer-residency",
      ACCOUNT,
      firstPerKey(customers, (e) => e.data.residency),
    ),
  );

  const drafts = groupBy(eventsOf(events, "contract.drafted"), (e) => e.data.contractId);
  for (const [id, ds] of drafts) {
    const terms = firstPerKey(ds, (e) => canonicalJson([e.data.amount, e.data.documentHash]));
    out.push(...pairs("contract-terms", id, terms));
  }

  const signed = eventsOf(events, "contract.signed");
  for (const ss of groupBy(signed, (e) => `${e.data.contractId}|${e.data.party}`).values()) {
    const hashes = firstPerKey(ss, (e) => e.data.documentHash);
    out.push(...pairs("signature-document", ss[0]!.data.contractId, hashes));
  }

  const confirmed = eventsOf(events, "payment.confirmed");
  for (const [id, ps] of groupBy(confirmed, (e) => e.data.paymentId)) {
    const amounts = firstPerKey(ps, (e) => canonicalJson(e.data.amount));
    out.push(...pairs("payment-amount", id, amounts));
    const draft = [...(drafts.get(ps[0]!.data.contractId) ?? [])].sort(byHlc)[0];
    const counted = amounts[0]!;
    if (draft && draft.data.amount.currency !== counted.data.amount.currency) {
      out.push({ kind: "payment-currency", subject: id, events: [draft.id, counted.id].sort() });
    }
  }
  return out;
}

const key = (x: Expected) => `${x.kind}|${x.subject}|${x.events.join(",")}`;

/** Each payment reference counts once: the earliest confirmation, in the contract's currency. */
function expectedPaid(events: DomainEvent[], contractId: string): number {
  const mine = <E extends EventOf<"contract.drafted" | "payment.confirmed">>(xs: E[]) =>
    xs.filter((e) => e.data.contractId === contractId);
  const draft = mine(eventsOf(events, "contract.drafted")).sort(byHlc)[0];
  if (!draft) return 0;
  let paid = 0;
  for (const e of firstPerKey(
    mine(eventsOf(events, "payment.confirmed")),
    (x) => x.data.paymentId,
  )) {
    if (e.data.amount.currency === draft.data.amount.currency) paid += e.data.amount.value;
  }
  return paid;
}

/**
 * What an account keeps of its engagement, straight from the events: of each user's days
 * those within 60 of their newest; of the calls the newest 500 within 120 days of the
 * newest (engagement.ts), whichever region noted them and in whatever order they arrived.
 * Counts of all noted, to tell when some were forgotten.
 */
function expectedEngagement(events: DomainEvent[]) {
  const days = new Map<string, { all: number; kept: string[] }>();
  const byUser = groupBy(eventsOf(events, "portal-user.active"), (e) => e.data.userId);
  for (const [userId, es] of byUser) {
    const all = [...new Set(es.map((e) => e.data.day))].sort();
    const floor = Date.parse(`${all.at(-1)}T00:00:00Z`) - ACTIVE_DAYS_KEPT * DAY_MS;
    days.set(userId, { all: all.length, kept: all.filter((d) => Date.parse(d) > floor) });
  }
  // An insight ranks by its latest analysis time: here two regions may record one insight id.
  const latest = new Map<string, number>();
  for (const { data } of eventsOf(events, "call.sentiment-recorded"))
    latest.set(data.insightId, Math.max(latest.get(data.insightId) ?? 0, Date.parse(data.at)));
  const calls = [...latest]
    .map(([id, ms]) => ({ id, ms }))
    .sort((x, y) => y.ms - x.ms || (x.id < y.id ? -1 : 1));
  const floor = (calls[0]?.ms ?? 0) - CALL_DAYS_KEPT * DAY_MS;
  const kept = calls
    .slice(0, CALLS_KEPT)
    .filter((c) => c.ms > floor)
    .map((c) => c.id);
  return { days, calls: { all: calls.length, kept: kept.sort() } };
}

// ------------------------------------------------------------------ properties

describe("[LF3] three regions converge", () => {
  test("[LF3] any delivery order, duplication and delay ends in one state and one state hash", () => {
    fc.assert(
      fc.property(scheduleArb, (schedule) => {
        const cluster = simulate(schedule);
        const [a, ...others] = cluster.replicas.map((r) => r.state);
        const reference = replay(
          empty(),
          [...cluster.emitted].sort((x, y) => (x.id < y.id ? -1 : 1)),
        );
        for (const s of others) expectSameState(s, a!);
        expectSameState(a!, reference);
        const hashes = new Set(cluster.replicas.map((r) => stateHash(r.state)));
        expect(hashes.size).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });

  test("[LF6] every concurrent contradiction is exactly one conflict record, on every region", () => {
    fc.assert(
      fc.property(scheduleArb, (schedule) => {
        const cluster = simulate(schedule);
        const expected = expectedConflicts(cluster.emitted).map(key).sort();
        for (const { state } of cluster.replicas) {
          const actual = state.conflicts.map((c) =>
            key({ kind: c.kind, subject: c.subject, events: c.facts.map((f) => f.eventId).sort() }),
          );
          expect(actual.sort()).toEqual(expected);
          expect(new Set(state.conflicts.map((c) => c.id)).size).toBe(state.conflicts.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("[LF2] a payment reference confirmed in several regions counts once in paid", () => {
    fc.assert(
      fc.property(scheduleArb, (schedule) => {
        const cluster = simulate(schedule);
        for (const { state } of cluster.replicas) {
          for (const id of Object.keys(state.contracts)) {
            const view = contractView(state, id);
            if (view) expect(view.paid.value).toBe(expectedPaid(cluster.emitted, id));
          }
          customerView(state);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("[LF3] what an account keeps of its engagement is a function of the facts: the newest within the horizon, on every region", () => {
    fc.assert(
      fc.property(scheduleArb, (schedule) => {
        const cluster = simulate(schedule);
        const expected = expectedEngagement(cluster.emitted);
        for (const { state } of cluster.replicas) {
          for (const [userId, { kept }] of expected.days)
            expect(Object.keys(state.portalUsers?.[userId]?.activeDays ?? {}).sort()).toEqual(kept);
          expect(Object.keys(state.callSentiments ?? {}).sort()).toEqual(expected.calls.kept);
          // And each call counts once, however many insights analysed it.
          const view = engagementView(state, Math.max(...cluster.replicas.map((r) => r.wallMs)));
          const hashes = view.sentiment.calls.map(
            (c) => state.callSentiments?.[c.insightId]?.value.transcriptHash,
          );
          expect(new Set(hashes).size).toBe(hashes.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("the schedules reach every conflict kind, every contract status, every portal user status and engagement", () => {
    const kinds = new Set<string>();
    const statuses = new Set<string>();
    const portal = new Set<string>();
    const engaged = new Set<string>();
    fc.assert(
      fc.property(scheduleArb, (schedule) => {
        const cluster = simulate(schedule);
        const { state } = cluster.replicas[0]!;
        for (const c of state.conflicts) kinds.add(c.kind);
        for (const id of Object.keys(state.contracts)) {
          const status = contractView(state, id)?.status;
          if (status) statuses.add(status);
        }
        for (const u of portalUserViews(state)) portal.add(u.status);
        if (Object.values(state.portalUsers ?? {}).some((u) => u.activeDays))
          engaged.add("active-days");
        if (Object.keys(state.callSentiments ?? {}).length > 1) engaged.add("calls");
        const expected = expectedEngagement(cluster.emitted);
        for (const days of expected.days.values())
          if (days.all > days.kept.length) engaged.add("days-forgotten");
        if (expected.calls.all > expected.calls.kept.length) engaged.add("calls-forgotten");
        const recorded = eventsOf(cluster.emitted, "call.sentiment-recorded");
        if (new Set(recorded.map((e) => e.data.transcriptHash)).size < recorded.length)
          engaged.add("one-call-recorded-twice");
      }),
      { numRuns: 300, seed: 3 },
    );
    expect([...engaged].sort()).toEqual([
      "active-days",
      "calls",
      "calls-forgotten",
      "days-forgotten",
      "one-call-recorded-twice",
    ]);
    expect([...portal].sort()).toEqual(["active", "disabled", "invited"]);
    expect([...kinds].sort()).toEqual([
      "contract-terms",
      "customer-residency",
      "payment-amount",
      "payment-currency",
      "signature-document",
    ]);
    expect([...statuses].sort()).toEqual(["active", "draft", "sent", "signed"]);
  });
});

// ------------------------------------------------------------------ algebra

/**
 * Arbitrary events, not only those decide would emit: facts before drafts, reassignments
 * before their customer, payments in any currency, and even two different events on one
 * HLC (which real clocks never produce), so that determinism cannot lean on any delivery
 * discipline.
 */
const hlcArb = fc
  .record({
    wall: fc.integer({ min: 0, max: 30 }),
    counter: fc.integer({ min: 0, max: 1 }),
    region: fc.constantFrom(...REGIONS),
  })
  .map((h) => encodeHlc({ wallMs: T0 + h.wall, counter: h.counter, region: h.region }));
const contractArb = fc.integer({ min: 0, max: 1 }).map(contractOf);
const moneyArb = fc.record({
  value: fc.constantFrom(40_000, 60_000, 100_000),
  currency: fc.constantFrom("CNY", "EUR"),
});
/** A voucher photo or stroke image (by hash), or none: files join grow-only beside their facts. */
const fileArb = fc.option(
  fc.constantFrom("c", "d").map((x) => ({ sha256: x.repeat(64) })),
  {
    nil: undefined,
  },
);
/** The owning rep a creation names (or none) and a reassignment names: an LWW register. */
const ownerArb = fc.constantFrom("usr_rep_a", "usr_rep_b");
const dataArb: fc.Arbitrary<EventData> = fc.oneof(
  fc
    .record({
      type: fc.constant("customer.created" as const),
      name: fc.constantFrom(...NAMES),
      taxId: fc.constant(TAX_ID),
      residency: fc.constantFrom("cn" as const, "eu" as const),
      tier: fc.constantFrom(...TIERS),
      contacts: fc.array(fc.record({ name: fc.constantFrom("张三", "李四") }), { maxLength: 2 }),
      ownerId: fc.option(ownerArb, { nil: undefined }),
    })
    .map(({ ownerId, ...data }) => (ownerId === undefined ? data : { ...data, ownerId })),
  fc.record({ type: fc.constant("customer.owner-assigned" as const), ownerId: ownerArb }),
  fc.record({
    type: fc.constant("contract.drafted" as const),
    contractId: contractArb,
    title: fc.constantFrom("A", "B"),
    amount: moneyArb,
    documentHash: fc.constantFrom(...HASHES),
  }),
  fc.record({
    type: fc.constant("contract.sent" as const),
    contractId: contractArb,
    documentHash: fc.constantFrom(...HASHES),
  }),
  fc
    .record({
      type: fc.constant("contract.signed" as const),
      contractId: contractArb,
      party: fc.constantFrom("customer" as const, "vendor" as const),
      signer: fc.record({ name: fc.constantFrom("张三", "Li Si") }),
      documentHash: fc.constantFrom(...HASHES),
      image: fileArb,
    })
    .map(({ image, ...data }) => (image ? { ...data, image } : data)),
  fc
    .record({ seed, ref: fc.integer({ min: 0, max: 2 }), amount: moneyArb, voucher: fileArb })
    .map(({ seed, ref, amount, voucher }) => ({
      type: "payment.confirmed" as const,
      paymentId: PAYMENT_IDS[seed]![ref]!,
      contractId: contractOf(seed),
      reference: `BANK-${ref}`,
      amount,
      receivedAt: null,
      ...(voucher ? { voucher } : {}),
    })),
);
/** Optional fields as events carry them: present with a value, or absent (never `undefined`). */
function present<T extends object>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;
}
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const DATES = ["2026-03-01", "2026-03-15", "2026-04-01"];
const dateArb = fc.constantFrom(...DATES);
const INSTANTS = ["2026-03-01T08:00:00.000Z", "2026-03-01T12:00:00.000Z"];
const instantArb = fc.constantFrom(...INSTANTS);
/** Around the horizons: 2026-01-31 is 60 days before 2026-04-01 (forgotten), 02-01 is 59. */
const ACTIVE_DAYS = ["2025-11-20", "2026-01-31", "2026-02-01", "2026-05-30"];
/**
 * 2026-06-29T08:00Z is 120 days after the first instant (which it pushes out) and 4 h less
 * after the second; +08:00 is another spelling of the first.
 */
const CALL_INSTANTS = [
  "2025-10-01T08:00:00.000+08:00",
  "2026-03-01T16:00:00.000+08:00",
  "2026-06-29T08:00:00.000Z",
];
const MORE_INSIGHTS = ["d", "e", "f"].map((c) => `ins_cn-south_${c.repeat(32)}`);
const INVOICE_IDS = CONTRACTS.map((c) => ["INV-1", "INV-2"].map((n) => invoiceIdFor(c, n)));
const SERVICE_IDS = ["s1", "s2"].map((seed) => serviceRequestIdFor(ACCOUNT, seed));
const CHANGE_IDS = ["c1", "c2"].map((seed) => changeRequestIdFor(ACCOUNT, seed));
const serviceArb = fc.constantFrom(...SERVICE_IDS);
const changeArb = fc.constantFrom(...CHANGE_IDS);
const personArb = fc.constantFrom("usr_a", "usr_b", "pus_c");
/**
 * Delivery and service facts (DESIGN §11), with the optional fields a masked copy leaves
 * out absent at random: raw and masked shapes merge by the same rules.
 */
const factDataArb: fc.Arbitrary<EventData> = fc.oneof(
  fc.record({
    type: fc.constant("contract.terms-set" as const),
    contractId: contractArb,
    terms: fc.record({
      deliveryTracking: fc.boolean(),
      documentSharing: fc.boolean(),
      paymentVisibility: fc.boolean(),
      changeRequests: fc.boolean(),
    }),
  }),
  fc
    .record({
      type: fc.constant("delivery.milestone-set" as const),
      contractId: contractArb,
      milestoneId: fc.constantFrom("m1", "m2"),
      name: fc.constantFrom("First lot", "Installation"),
      destination: fc.constantFrom("深圳仓", "Shanghai site"),
      quantity: maybe(fc.constantFrom(10, 20)),
      plannedDate: dateArb,
      committedDate: fc.option(dateArb, { nil: null }),
      actualDate: fc.option(dateArb, { nil: null }),
      supplier: maybe(fc.constantFrom("Acme", "Bolt")),
      costMinor: maybe(fc.constantFrom(1_000, 2_000)),
      internalNote: maybe(fc.constantFrom("fragile", "late")),
    })
    .map(present),
  fc
    .record({
      seed,
      n: fc.integer({ min: 0, max: 1 }),
      amount: moneyArb,
      issuedAt: dateArb,
      dueDate: dateArb,
    })
    .map(({ seed, n, amount, issuedAt, dueDate }) => ({
      type: "invoice.issued" as const,
      contractId: contractOf(seed),
      invoiceId: INVOICE_IDS[seed]![n]!,
      number: `INV-${n + 1}`,
      amount,
      issuedAt,
      dueDate,
    })),
  fc
    .record({
      type: fc.constant("service.opened" as const),
      serviceRequestId: serviceArb,
      contractId: fc.option(contractArb, { nil: null }),
      title: maybe(fc.constantFrom("Probe broken", "Training")),
      severity: fc.constantFrom("low" as const, "critical" as const),
      openedAt: instantArb,
      internalNote: maybe(fc.constantFrom("vip")),
    })
    .map(present),
  fc
    .record({
      type: fc.constant("service.resolved" as const),
      serviceRequestId: serviceArb,
      resolvedAt: instantArb,
      resolution: maybe(fc.constantFrom("Replaced", "Explained")),
    })
    .map(present),
  fc
    .record({
      type: fc.constant("change.filed" as const),
      changeRequestId: changeArb,
      contractId: contractArb,
      kind: fc.constantFrom(...CHANGE_KINDS),
      summary: maybe(fc.constantFrom("Later please", "New address")),
      requested: maybe(fc.constantFrom<Record<string, string>>({}, { deliveryDate: "2026-05-01" })),
      filedAt: instantArb,
      filedBy: personArb,
      tier: fc.constantFrom(...TIERS),
      slaDueAt: instantArb,
      slaWarnAt: instantArb,
    })
    .map(present),
  fc
    .record({
      type: fc.constant("change.checklist-set" as const),
      changeRequestId: changeArb,
      department: fc.constantFrom(...DEPARTMENTS),
      status: fc.constantFrom("pending" as const, "ok" as const, "blocked" as const),
      note: maybe(fc.constantFrom("needs a new mould")),
    })
    .map(present),
  fc
    .record({
      type: fc.constant("change.answered" as const),
      changeRequestId: changeArb,
      feasible: fc.boolean(),
      newCommittedDate: fc.option(dateArb, { nil: null }),
      message: maybe(fc.constantFrom("Yes", "No")),
      answeredBy: personArb,
      answeredAt: instantArb,
    })
    .map(present),
  fc.record({
    type: fc.constant("change.responded" as const),
    changeRequestId: changeArb,
    decision: fc.constantFrom("accepted" as const, "declined" as const),
    respondedBy: personArb,
    respondedAt: instantArb,
  }),
  fc.record({
    type: fc.constant("change.withdrawn" as const),
    changeRequestId: changeArb,
    withdrawnBy: personArb,
    withdrawnAt: instantArb,
  }),
  fc.record({
    type: fc.constant("change.sla-marked" as const),
    changeRequestId: changeArb,
    mark: fc.constantFrom("warning" as const, "violation" as const),
    at: instantArb,
  }),
);
/**
 * Portal users' facts, with the fields a masked copy withholds absent at random: a
 * re-invitation, an activation naming one of the codes (or none), a disable or an enable.
 */
const portalDataArb: fc.Arbitrary<EventData> = fc.oneof(
  fc
    .record({
      type: fc.constant("portal-user.invited" as const),
      userId: fc.constantFrom(...PORTAL_USERS),
      email: maybe(fc.constantFrom(...PORTAL_EMAILS)),
      name: maybe(fc.constantFrom("张三", "Anna")),
      invitationHash: maybe(fc.constantFrom(...PORTAL_CODES)),
      invitationExpiresAt: instantArb,
    })
    .map(present),
  fc
    .record({
      type: fc.constant("portal-user.activated" as const),
      userId: fc.constantFrom(...PORTAL_USERS),
      invitationHash: maybe(fc.constantFrom(...PORTAL_CODES)),
      passwordHash: maybe(fc.constantFrom("pbkdf2-sha256$1$a$b", "pbkdf2-sha256$1$c$d")),
    })
    .map(present),
  fc.record({
    type: fc.constant("portal-user.disabled" as const),
    userId: fc.constantFrom(...PORTAL_USERS),
    disabled: fc.boolean(),
  }),
  // Days and calls months apart: some fall beyond what the account keeps of them.
  fc.record({
    type: fc.constant("portal-user.active" as const),
    userId: fc.constantFrom(...PORTAL_USERS),
    day: fc.constantFrom(...DATES, ...ACTIVE_DAYS),
  }),
  // A call's sentiment, its score and transcript hash absent at random (a masked copy
  // withholds them).
  fc
    .record({
      type: fc.constant("call.sentiment-recorded" as const),
      insightId: fc.constantFrom(...INSIGHTS, ...MORE_INSIGHTS),
      at: fc.constantFrom(...INSTANTS, ...CALL_INSTANTS),
      transcriptHash: maybe(fc.constantFrom(...TRANSCRIPTS)),
      score: maybe(fc.constantFrom(...SCORES)),
      utterances: fc.constantFrom(1, 4),
    })
    .map(present),
);
const eventArb = fc
  .record({
    hlc: hlcArb,
    data: fc.oneof({ weight: 3, arbitrary: dataArb }, factDataArb, portalDataArb),
  })
  .map((e) => envelope(e.hlc, e.data));
const eventsArb = fc.array(eventArb, { maxLength: 24 });

const fold = (events: readonly DomainEvent[]) => replay(empty(), events);

describe("[LF3] evolve is a join over sets of events", () => {
  test("[LF3] commutative: every permutation of the events folds to the same state", () => {
    fc.assert(
      fc.property(
        eventsArb.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        ([events, permuted]) => {
          expect(fold(permuted)).toEqual(fold(events));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("[LF3] idempotent: duplicated events change nothing", () => {
    fc.assert(
      fc.property(eventsArb, fc.array(fc.nat()), (events, picks) => {
        if (events.length === 0) return;
        const dups = picks.map((i) => events[i % events.length]!);
        expect(fold([...events, ...dups])).toEqual(fold(events));
        const once = fold(events);
        expect(replay(once, events)).toEqual(once);
      }),
      { numRuns: 1000 },
    );
  });

  test("[LF3] mergeStates is a join: commutative, associative, idempotent", () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, eventsArb, (x, y, z) => {
        const [a, b, c] = [fold(x), fold(y), fold(z)];
        expect(mergeStates(a, b)).toEqual(mergeStates(b, a));
        expect(mergeStates(mergeStates(a, b), c)).toEqual(mergeStates(a, mergeStates(b, c)));
        expect(mergeStates(a, a)).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  test("[LF3] merging two replicas' states equals folding the union of their events", () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, (x, y) => {
        expect(mergeStates(fold(x), fold(y))).toEqual(fold([...x, ...y]));
        expect(mergeStates(empty(), fold(x))).toEqual(fold(x));
      }),
      { numRuns: 500 },
    );
  });
});

describe("[LF3] bounded grow-only maps (lattice.ts joinNewest) are a join", () => {
  type Entry = { rank: number; tag: number };
  type Facts = Array<{ key: string; rank: number; tag: number }>;
  /** Per key the higher rank wins whole, as joinNewest needs; a tie goes to the lower tag. */
  const higher = (x: Entry, y: Entry) =>
    x.rank !== y.rank ? (x.rank > y.rank ? x : y) : x.tag <= y.tag ? x : y;
  const rankOf = (_: string, e: Entry) => e.rank;
  const factsArb: fc.Arbitrary<Facts> = fc.array(
    fc.record({
      key: fc.constantFrom("a", "b", "c", "d", "e", "f"),
      rank: fc.integer({ min: 0, max: 9 }),
      tag: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 16 },
  );
  // Small horizons, so that both the count and the span cut in most cases.
  const horizonArb = fc.record({
    keep: fc.integer({ min: 1, max: 4 }),
    span: fc.integer({ min: 1, max: 8 }),
  });
  const single = (f: Facts[number]) => ({ [f.key]: { rank: f.rank, tag: f.tag } });
  const build = (facts: Facts, h: Horizon) =>
    facts.reduce<Record<string, Entry>>((m, f) => joinNewest(m, single(f), higher, rankOf, h), {});
  /** Every fact joined with no bound, then cut once: what a bounded fold must equal. */
  const reference = (facts: Facts, h: Horizon) =>
    newestOf(
      facts.reduce<Record<string, Entry>>((m, f) => joinRecords(m, single(f), higher), {}),
      rankOf,
      h,
    );
  const join = (h: Horizon) => (x: Record<string, Entry>, y: Record<string, Entry>) =>
    joinNewest(x, y, higher, rankOf, h);

  test("[LF3] folding facts one at a time, in any order, equals cutting their unbounded union once", () => {
    fc.assert(
      fc.property(
        horizonArb,
        factsArb.chain((facts) =>
          fc.tuple(fc.constant(facts), fc.shuffledSubarray(facts, { minLength: facts.length })),
        ),
        (h, [facts, permuted]) => {
          expect(build(facts, h)).toEqual(reference(facts, h));
          expect(build(permuted, h)).toEqual(reference(facts, h));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("[LF3] commutative, associative, idempotent; merging two folds equals folding their facts together", () => {
    fc.assert(
      fc.property(horizonArb, factsArb, factsArb, factsArb, (h, x, y, z) => {
        const [a, b, c] = [build(x, h), build(y, h), build(z, h)];
        const j = join(h);
        expect(j(a, b)).toEqual(j(b, a));
        expect(j(j(a, b), c)).toEqual(j(a, j(b, c)));
        expect(j(a, a)).toEqual(a);
        expect(j(a, b)).toEqual(reference([...x, ...y], h));
      }),
      { numRuns: 2000 },
    );
  });

  test("bounded: at most `keep` entries, none `span` or more below the newest", () => {
    fc.assert(
      fc.property(horizonArb, factsArb, (h, facts) => {
        const ranks = Object.values(build(facts, h)).map((e) => e.rank);
        expect(ranks.length).toBeLessThanOrEqual(h.keep);
        for (const r of ranks) expect(r).toBeGreaterThan(Math.max(...ranks) - h.span);
      }),
      { numRuns: 500 },
    );
  });

  test("a per-key join that can lower a key's rank (the earliest record holding) would not be associative: why the later call wins", () => {
    const lower = (x: Entry, y: Entry) => (x.rank <= y.rank ? x : y);
    const j = (x: Record<string, Entry>, y: Record<string, Entry>) =>
      joinNewest(x, y, lower, rankOf, { keep: 1, span: 100 });
    const a = { k1: { rank: 10, tag: 0 } };
    const b = { k2: { rank: 5, tag: 0 } };
    const c = { k1: { rank: 1, tag: 0 } };
    expect(j(j(a, b), c)).not.toEqual(j(a, j(b, c)));
  });
});

describe("[LF3] stateHash", () => {
  test("[LF3] the hash is a function of the state: equal states, equal hashes; different, different", () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, (x, y) => {
        const [a, b] = [fold(x), fold(y)];
        expect(stateHash(a) === stateHash(b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(stateHash(fold([...x].reverse()))).toBe(stateHash(a));
      }),
      { numRuns: 500 },
    );
  });

  test("[LF3] leaving out an event that changes a visible fact changes the hash", () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), (events, pick) => {
        if (events.length === 0) return;
        const i = pick % events.length;
        const without = fold(events.filter((_, j) => j !== i));
        const all = fold(events);
        const visible = (s: AccountState) =>
          canonicalJson([
            customerView(s),
            portalUserViews(s),
            Object.keys(s.contracts)
              .sort()
              .map((id) => contractView(s, id)),
            s.conflicts,
          ]);
        if (visible(without) !== visible(all)) expect(stateHash(without)).not.toBe(stateHash(all));
      }),
      { numRuns: 500 },
    );
  });
});

describe("facts before their draft", () => {
  const hlc = (ms: number, region: (typeof REGIONS)[number] = "cn-east") =>
    encodeHlc({ wallMs: T0 + ms, counter: 0, region });
  const contractId = contractOf(0);
  const draft = envelope(hlc(2), {
    type: "contract.drafted",
    contractId,
    title: "Ultrasound",
    amount: { value: 100_000, currency: "CNY" },
    documentHash: HASHES[0],
  });
  const sent = envelope(hlc(3), { type: "contract.sent", contractId, documentHash: HASHES[0] });
  const signed = envelope(hlc(4), {
    type: "contract.signed",
    contractId,
    party: "customer",
    signer: { name: "张三" },
    documentHash: HASHES[0],
  });
  const paid = envelope(hlc(5), {
    type: "payment.confirmed",
    paymentId: paymentIdFor(contractId, "BANK-1"),
    contractId,
    reference: "BANK-1",
    amount: { value: 30_000, currency: "CNY" },
    receivedAt: null,
  });

  test("[LF3] a contract accumulates facts before its draft and has no view until the draft", () => {
    const early = fold([paid, signed, sent]);
    expect(Object.keys(early.contracts)).toEqual([contractId]);
    expect(contractView(early, contractId)).toBeNull();
    expect(customerView(early)).toBeNull();
    const decided = decide(early, {
      type: "contract.send",
      contractId,
    });
    expect(decided).toMatchObject({ ok: false, error: { code: "not-found", entity: "contract" } });

    const complete = evolve(early, draft);
    expect(complete).toEqual(fold([draft, sent, signed, paid]));
    expect(contractView(complete, contractId)).toMatchObject({
      status: "signed",
      paid: { value: 30_000, currency: "CNY" },
      outstanding: { value: 70_000, currency: "CNY" },
      conflicts: [],
    });
  });

  test("drafting a contract whose facts arrived first is still a creation", () => {
    const early = evolve(
      fold([
        envelope(hlc(0), {
          type: "customer.created",
          name: NAMES[0]!,
          taxId: TAX_ID,
          residency: "cn",
          tier: "standard",
          contacts: [],
        }),
      ]),
      sent,
    );
    const input: ContractCreate = {
      customerId: ACCOUNT,
      title: "Ultrasound",
      amount: { value: 100_000, currency: "CNY" },
      documentHash: HASHES[0],
    };
    const d = decide(early, { type: "contract.create", seed: SEEDS[0], input });
    expect(d).toMatchObject({ ok: true, created: true, events: [{ type: "contract.drafted" }] });
    const again = decide(evolve(early, draft), { type: "contract.create", seed: SEEDS[0], input });
    expect(again).toMatchObject({ ok: true, created: false, events: [] });
  });

  test("[LF3] a contract drafted before its customer exists is kept and shown", () => {
    const s = fold([draft]);
    expect(customerView(s)).toBeNull();
    expect(contractView(s, contractId)?.status).toBe("draft");
  });
});

describe("conflict records, by example", () => {
  /** cn-east and cn-south share a signed contract, then act before hearing of each other. */
  function signedEverywhere(): Cluster {
    const cluster = new Cluster([0, 0, 0]);
    play(cluster, SIGNED);
    cluster.drain([]);
    return cluster;
  }
  const pay = (r: number, amount: number): Step => ({ t: "pay", r, seed: 0, ref: 1, amount });
  const contractId = contractOf(0);
  const views = (cluster: Cluster) =>
    cluster.replicas.map((r) => contractView(r.state, contractId)!);

  test("[LF2] the same bank reference confirmed in cn-east and cn-south counts once", () => {
    const cluster = signedEverywhere();
    play(cluster, [pay(0, 2), pay(1, 2)]);
    cluster.drain([]);
    for (const v of views(cluster)) {
      expect(v.paid).toEqual({ value: 100_000, currency: "CNY" });
      expect(v.payments).toHaveLength(1);
      expect(v.conflicts).toEqual([]);
    }
  });

  test("[LF6] one reference with two amounts: the earlier counts, one conflict on every region", () => {
    const cluster = signedEverywhere();
    play(cluster, [pay(0, 0), { t: "tick", r: 1, ms: 5 }, pay(1, 1)]);
    cluster.drain([]);
    const all = views(cluster);
    for (const v of all) {
      expect(v.paid.value).toBe(40_000);
      expect(v.conflicts).toHaveLength(1);
      expect(v.conflicts[0]).toMatchObject({
        kind: "payment-amount",
        subject: PAYMENT_IDS[0]![1],
        resolution: "earliest-confirmation-counts",
        facts: [
          { effective: true, value: { amount: { value: 40_000, currency: "CNY" } } },
          { effective: false, value: { amount: { value: 60_000, currency: "CNY" } } },
        ],
      });
      expect(v.conflicts[0]!.detectedHlc).toBe(v.conflicts[0]!.facts[1]!.hlc);
    }
    expect(new Set(all.map((v) => v.conflicts[0]!.id)).size).toBe(1);
  });

  test("[LF6] payments merged past Number.MAX_SAFE_INTEGER: paid stays exact, the excess is a conflict, the view renders", () => {
    const cluster = signedEverywhere();
    const big = 2 ** 52; // each alone fits; any two together do not
    const confirm = (r: number, reference: string, value: number) =>
      cluster.run(r, {
        type: "payment.confirm",
        input: { contractId, reference, amount: { value, currency: "CNY" } },
      });
    confirm(0, "BIG-EAST", big);
    cluster.replicas[1]!.wallMs += 5;
    confirm(1, "BIG-SOUTH", big);
    cluster.replicas[1]!.wallMs += 5;
    confirm(1, "SMALL", 7);
    cluster.drain([]);
    const all = views(cluster);
    for (const v of all) {
      expect(ContractView.safeParse(v).success).toBe(true);
      expect(v.paid).toEqual({ value: big + 7, currency: "CNY" });
      expect(v.payments).toHaveLength(3);
      expect(v.conflicts).toMatchObject([
        {
          kind: "payment-overflow",
          subject: paymentIdFor(contractId, "BIG-SOUTH"),
          resolution: "excluded-from-paid",
          facts: [{ effective: false, value: { amount: { value: big, currency: "CNY" } } }],
        },
      ]);
    }
    expect(new Set(cluster.replicas.map((r) => stateHash(r.state))).size).toBe(1);
    // And a region that now sees the full total refuses a further payment that would pass it.
    const refused = decide(cluster.replicas[0]!.state, {
      type: "payment.confirm",
      input: { contractId, reference: "MORE", amount: { value: big, currency: "CNY" } },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "amount-overflow", field: "amount.value" },
    });
  });

  test("[LF6] residency never flips by LWW: the first one holds and the other is a conflict", () => {
    const cluster = new Cluster([0, 0, 0]);
    play(cluster, [
      { t: "customer", r: 0, residency: "cn", name: 0, tier: 0 },
      { t: "tick", r: 2, ms: 10 },
      { t: "customer", r: 2, residency: "eu", name: 1, tier: 1 },
    ]);
    cluster.drain([]);
    for (const { state } of cluster.replicas) {
      const v = customerView(state)!;
      expect(v.residency).toBe("cn");
      expect(v.name).toBe(NAMES[1]); // plain fields are LWW registers
      expect(v.conflicts).toMatchObject([
        {
          kind: "customer-residency",
          resolution: "earliest-residency-kept",
          facts: [{ value: { residency: "cn" } }, { value: { residency: "eu" } }],
        },
      ]);
    }
  });

  test("[LF6] rival drafts: the earliest terms hold, signatures on both documents conflict, a payment in the other currency is not paid", () => {
    const cluster = new Cluster([0, 0, 0]);
    play(cluster, [SIGNED[0]!]);
    cluster.drain([]);
    play(cluster, [
      { t: "draft", r: 0, seed: 1, amount: 0, currency: "CNY", hash: 0 },
      { t: "tick", r: 1, ms: 10 },
      { t: "draft", r: 1, seed: 1, amount: 1, currency: "EUR", hash: 1 },
      { t: "send", r: 0, seed: 1 },
      { t: "send", r: 1, seed: 1 },
      { t: "sign", r: 0, seed: 1, party: "customer" },
      { t: "sign", r: 1, seed: 1, party: "customer" },
      { t: "pay", r: 1, seed: 1, ref: 0, amount: 0 },
    ]);
    cluster.drain([]);
    const [a, b, c] = cluster.replicas.map((r) => contractView(r.state, contractOf(1))!);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a).toMatchObject({
      amount: { value: 100_000, currency: "CNY" },
      documentHash: HASHES[0],
      status: "signed",
      paid: { value: 0, currency: "CNY" },
    });
    expect(a!.payments).toMatchObject([{ amount: { value: 40_000, currency: "EUR" } }]);
    expect(a!.conflicts.map((x) => x.kind).sort()).toEqual([
      "contract-terms",
      "payment-currency",
      "signature-document",
    ]);
    const signatures = a!.conflicts.find((x) => x.kind === "signature-document")!;
    expect(signatures.facts.map((f) => f.effective)).toEqual([true, false]);
  });
});
