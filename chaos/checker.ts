// The chaos checker (DESIGN §9): judges one recorded Run against [LF1]–[LF4], durability,
// degradation modes, availability and latency. Pure; a malformed or hostile run is a
// failed invariant, never a crash, and ids from the run are only ever keys of a Map.
import { normalizePaymentReference, normalizeTaxId } from "../core/ids.ts";
import { SURVIVAL_POLICIES } from "../core/survival.ts";
import {
  type AccountRead,
  type CompletionOp,
  DEFAULT_TARGETS,
  type FaultWindow,
  type Flow,
  type InvokeOp,
  isWrite,
  MASKED_ONLY,
  READ_FLOWS,
  type RegionFinal,
  type Run,
  type Targets,
  WRITE_FLOWS,
  type WriteValue,
} from "./history.ts";

export const INVARIANTS = [
  "history-well-formed",
  "no-lost-writes",
  "no-double-effect",
  "convergence",
  "idempotent-replays",
  "sovereignty",
  "durability",
  "degradation-modes",
  "availability",
  "latency",
] as const;
export type InvariantName = (typeof INVARIANTS)[number];
/** The invariants about data (not about speed or modes): a run must never fail these. */
export const SAFETY_INVARIANTS: readonly InvariantName[] = INVARIANTS.slice(0, 7);

/** Violations listed per invariant; `count` still counts all of them. */
export const MAX_VIOLATIONS = 20;

export type InvariantResult = {
  name: InvariantName;
  ok: boolean;
  summary: string;
  /** How many violations there were (the list holds at most MAX_VIOLATIONS). */
  count: number;
  violations: string[];
};

export type LatencyStats = { n: number; p50: number; p95: number; p99: number; max: number };

/** Availability counts of one set of operations: `fail4xx` is the client's and excluded. */
export type Tally = {
  ok: number;
  fail4xx: number;
  /** Every other `fail`: 5xx, 408, 429, or no status. */
  fail5xx: number;
  info: number;
  /** ok / (ok + fail5xx + info); null when there was nothing to count. */
  availability: number | null;
  /** Of the `ok` operations. */
  latencyMs: LatencyStats | null;
};

export type PhaseStats = {
  /** "no-fault", or the fault window's name. */
  phase: string;
  kind: "no-fault" | "fault";
  /** The window's bounds; null for the no-fault phase (the time outside every window). */
  startMs: number | null;
  endMs: number | null;
  /** Every lifeline write together: what the availability and latency targets judge. */
  writes: Tally;
  flows: Array<{ flow: Flow } & Tally>;
  /** p99 of lifeline writes here over the no-fault phase's; null where either is missing. */
  p99Ratio: number | null;
};

export type Stats = {
  /** Run time until the final reads began. */
  durationMs: number;
  ops: { total: number; writes: number; reads: number; ok: number; fail: number; info: number };
  phases: PhaseStats[];
  convergedAfterMs: number | null;
};

export type Verdict = {
  ok: boolean;
  /** The targets this verdict was judged against (defaults ← run.targets ← caller). */
  targets: Targets;
  invariants: InvariantResult[];
  stats: Stats;
};

type WriteFlow = (typeof WRITE_FLOWS)[number];
type Pair = { invoke: InvokeOp; done: CompletionOp };
type Contract = AccountRead["contracts"][string];
type Payment = Contract["payments"][number];

class Findings {
  count = 0;
  readonly list: string[] = [];
  add(message: string): void {
    this.count++;
    if (this.list.length < MAX_VIOLATIONS) this.list.push(message);
  }
  result(name: InvariantName, summary: string, extraOk = true): InvariantResult {
    const ok = this.count === 0 && extraOk;
    return { name, ok, summary, count: this.count, violations: [...this.list] };
  }
}

// ---------------------------------------------------------------- small, hostile-safe helpers

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
function own<T>(rec: unknown, key: unknown): T | undefined {
  if (!isObj(rec) || typeof key !== "string" || !Object.hasOwn(rec, key)) return undefined;
  return rec[key] as T;
}
const entries = <T>(rec: unknown): Array<[string, T]> =>
  isObj(rec) ? (Object.entries(rec) as Array<[string, T]>) : [];
const arr = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const str = (x: unknown): x is string => typeof x === "string";
const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** A run's string, quoted and clipped, safe to embed in a sentence. */
function q(x: unknown): string {
  const s = String(x);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}
const secs = (ms: unknown) => (num(ms) ? `${(ms / 1000).toFixed(1)} s` : "?");
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`);

function normRef(x: unknown): string | null {
  if (!str(x)) return null;
  try {
    return normalizePaymentReference(x);
  } catch {
    return x;
  }
}
const normTax = (x: unknown): string | null => (str(x) ? normalizeTaxId(x) : null);

/** Minor units compare as integers ("0100" is 100); anything else as written. */
function amountKey(x: unknown): string | null {
  if (!str(x)) return null;
  return /^-?\d{1,400}$/.test(x) ? BigInt(x).toString() : x;
}

const STATUS_RANK: ReadonlyMap<unknown, number> = new Map([
  ["draft", 0],
  ["sent", 1],
  ["signed", 2],
  ["active", 3],
  // Terminal: a voided contract went as far as it will go (no flow voids today).
  ["voided", 4],
]);
const rank = (status: unknown) => STATUS_RANK.get(status) ?? -1;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    max: s[s.length - 1]!,
  };
}

// ---------------------------------------------------------------- the run, read once

type Ctx = {
  run: Run;
  targets: Targets;
  pairs: Pair[];
  /** region → jurisdiction, for every region named by the topology or the final reads. */
  regions: Map<string, string>;
  /** Regions read at the end (present and reachable). */
  readable: Map<string, RegionFinal>;
  accountJurisdiction: Map<string, string>;
  accountTenant: Map<string, string>;
  finalMs: number;
  /** Each contract read's payments by normalised reference, built once. */
  byRef: WeakMap<Contract, Map<string, Payment[]>>;
};

function context(run: Run, targets: Targets, pairs: Pair[]): Ctx {
  const regions = new Map<string, string>();
  for (const [r, j] of entries<unknown>(run.regions)) if (str(j)) regions.set(r, j);
  const finals = isObj(run.final) ? run.final.regions : undefined;
  for (const [r, f] of entries<RegionFinal>(finals)) {
    if (!regions.has(r) && isObj(f) && str(f.jurisdiction)) regions.set(r, f.jurisdiction);
  }
  const readable = new Map<string, RegionFinal>();
  for (const r of regions.keys()) {
    const f = own<RegionFinal>(finals, r);
    if (isObj(f) && f.reachable === true) readable.set(r, f);
  }
  const accountJurisdiction = new Map<string, string>();
  const accountTenant = new Map<string, string>();
  for (const { invoke } of pairs) {
    const v = invoke.value;
    if (!isObj(v) || !str(v.accountId)) continue;
    if (str(v.jurisdiction) && !accountJurisdiction.has(v.accountId))
      accountJurisdiction.set(v.accountId, v.jurisdiction);
    if (str(v.tenantId) && !accountTenant.has(v.accountId))
      accountTenant.set(v.accountId, v.tenantId);
  }
  const finalMs = isObj(run.final) && num(run.final.timeMs) ? run.final.timeMs : 0;
  return {
    run,
    targets,
    pairs,
    regions,
    readable,
    accountJurisdiction,
    accountTenant,
    finalMs,
    byRef: new WeakMap(),
  };
}

const homeRegions = (ctx: Ctx, jurisdiction: string) =>
  [...ctx.regions].filter(([, j]) => j === jurisdiction).map(([r]) => r);

function accountIn(ctx: Ctx, region: string, accountId: string): AccountRead | undefined {
  const f = ctx.readable.get(region);
  const acc = f ? own<AccountRead>(f.accounts, accountId) : undefined;
  return isObj(acc) ? acc : undefined;
}
function paymentsByRef(ctx: Ctx, c: Contract): Map<string, Payment[]> {
  let index = ctx.byRef.get(c);
  if (index) return index;
  index = new Map();
  for (const pay of arr<Payment>(c.payments)) {
    const ref = isObj(pay) ? normRef(pay.reference) : null;
    if (ref === null) continue;
    const list = index.get(ref) ?? [];
    list.push(pay);
    index.set(ref, list);
  }
  ctx.byRef.set(c, index);
  return index;
}

function contractOf(acc: AccountRead | undefined, contractId: unknown): Contract | undefined {
  const c = acc ? own<Contract>(acc.contracts, contractId) : undefined;
  return isObj(c) ? c : undefined;
}

// ---------------------------------------------------------------- history-well-formed

const VALUE_NEEDS: Readonly<Record<WriteFlow, readonly (keyof WriteValue)[]>> = {
  "customer.create": [],
  "contract.create": ["contractId"],
  "contract.send": ["contractId"],
  "contract.sign": ["contractId", "party"],
  "payment.confirm": ["contractId", "reference", "amountMinor"],
};
const FLOWS: ReadonlySet<string> = new Set([...WRITE_FLOWS, ...READ_FLOWS]);
const isWriteFlow = (f: unknown): f is WriteFlow => str(f) && FLOWS.has(f) && isWrite(f as Flow);

/** The value's fields a write of this flow needs and lacks. */
function valueMissing(f: WriteFlow, v: unknown): string[] {
  const needs = ["tenantId", "accountId", "jurisdiction", ...VALUE_NEEDS[f]];
  return needs.filter((k) => !str(own(v, k)));
}

function wellFormed(history: unknown): { pairs: Pair[]; result: InvariantResult } {
  const f = new Findings();
  const pairs: Pair[] = [];
  const open = new Map<string, InvokeOp>();
  const inFlight = new Map<number, InvokeOp>();
  const invoked = new Set<string>();
  let lastIndex = Number.NEGATIVE_INFINITY;
  const lines = arr<unknown>(history);
  lines.forEach((h, i) => {
    if (!isObj(h) || !str(h.op) || !num(h.process) || !str(h.type)) {
      f.add(`line ${i} is not an operation (needs op, process and type)`);
      return;
    }
    const at = `op ${q(h.op)} (process ${h.process}, index ${q(h.index)})`;
    if (!num(h.index) || h.index <= lastIndex)
      f.add(`${at} does not come after index ${lastIndex}: indexes must strictly increase`);
    else lastIndex = h.index;
    if (!str(h.f) || !FLOWS.has(h.f)) f.add(`${at} has an unknown flow ${q(h.f)}`);
    if (!num(h.time)) f.add(`${at} has no time`);
    if (h.type === "invoke") {
      const inv = h as unknown as InvokeOp;
      if (invoked.has(inv.op)) f.add(`${at} is invoked a second time: op ids must be unique`);
      invoked.add(inv.op);
      const busy = inFlight.get(inv.process);
      if (busy)
        f.add(`${at} is invoked while process ${inv.process} still has op ${q(busy.op)} in flight`);
      if (isWriteFlow(inv.f)) {
        const missing = valueMissing(inv.f, inv.value);
        if (missing.length) f.add(`${at}, a ${inv.f}, has no ${missing.join(", ")} in its value`);
      }
      inFlight.set(inv.process, inv);
      open.set(inv.op, inv);
      return;
    }
    if (h.type !== "ok" && h.type !== "fail" && h.type !== "info") {
      f.add(`${at} has an unknown type ${q(h.type)}`);
      return;
    }
    const done = h as unknown as CompletionOp;
    const inv = open.get(done.op);
    if (!inv) {
      f.add(`${at} completes (${done.type}) an op that is not in flight`);
      return;
    }
    open.delete(done.op);
    if (inFlight.get(inv.process) === inv) inFlight.delete(inv.process);
    if (inv.process !== done.process)
      f.add(`${at} completes an op invoked by process ${inv.process}`);
    if (inv.f !== done.f) f.add(`${at} completes as ${q(done.f)} an op invoked as ${q(inv.f)}`);
    if (num(inv.time) && num(done.time) && done.time < inv.time)
      f.add(`${at} completes before it was invoked`);
    if (num(done.latencyMs) === false) f.add(`${at} has no latencyMs`);
    pairs.push({ invoke: inv, done });
  });
  for (const inv of open.values())
    f.add(`op ${q(inv.op)} (process ${inv.process}) was invoked but never completed`);
  const summary = f.count
    ? `${plural(f.count, "defect")} in ${plural(lines.length, "history line")}; the other invariants judge the ${plural(pairs.length, "operation")} that pair up`
    : `${plural(lines.length, "history line")}: every invoke has exactly one completion, one op in flight per process, indexes increase`;
  return { pairs, result: f.result("history-well-formed", summary) };
}

// ---------------------------------------------------------------- no-lost-writes [LF1/LF3]

const statusOf = (d: CompletionOp) =>
  `${d.type}${num(d.status) ? ` ${d.status}` : ""}${str(d.region) ? ` from ${q(d.region)}` : ""}`;

function describe(p: Pair): string {
  const v = p.invoke.value!;
  const bits = [`account ${q(v.accountId)}`];
  if (str(v.contractId)) bits.push(`contract ${q(v.contractId)}`);
  if (str(v.party)) bits.push(`party ${v.party}`);
  if (str(v.reference)) bits.push(`reference ${q(v.reference)}`);
  if (str(v.amountMinor))
    bits.push(`amount ${q(v.amountMinor)}${str(v.currency) ? ` ${q(v.currency)}` : ""}`);
  return `${p.invoke.f} op ${q(p.invoke.op)} (${bits.join(", ")}; ${statusOf(p.done)} at ${secs(p.done.time)})`;
}

/** Why the write's effect is absent from this account read, or null when it is present. */
function missingEffect(
  ctx: Ctx,
  f: WriteFlow,
  v: WriteValue,
  acc: AccountRead | undefined,
): string | null {
  if (!acc) return "the account is absent";
  if (f === "customer.create") return isObj(acc.customer) ? null : "the account has no customer";
  const c = contractOf(acc, v.contractId);
  if (!c) return "the contract is absent";
  switch (f) {
    case "contract.create":
      return null;
    case "contract.send":
      return rank(c.status) >= rank("sent") ? null : `the contract is ${q(c.status)}, not sent`;
    case "contract.sign": {
      if (!arr<unknown>(c.signedBy).includes(v.party))
        return `the contract has no ${v.party} signature`;
      const want = v.party === "vendor" ? "active" : "signed";
      return rank(c.status) >= rank(want) ? null : `the contract is ${q(c.status)}, not ${want}`;
    }
    case "payment.confirm": {
      const same = paymentsByRef(ctx, c).get(normRef(v.reference) ?? "") ?? [];
      if (same.length === 0) return "the contract has no payment with that reference";
      const exact = same.some(
        (p) =>
          amountKey(p.amountMinor) === amountKey(v.amountMinor) &&
          (!str(v.currency) || p.currency === v.currency),
      );
      return exact
        ? null
        : `the payment with that reference has amount ${q(same[0]!.amountMinor)} ${q(same[0]!.currency)}`;
    }
  }
}

const validValue = (p: Pair): boolean =>
  isWriteFlow(p.invoke.f) && valueMissing(p.invoke.f, p.invoke.value).length === 0;

/** The key of what a write sets that only ops naming the same key can set too. */
function effectKey(f: WriteFlow, v: WriteValue): string | null {
  switch (f) {
    case "customer.create":
      return `${f}\0${v.accountId}`;
    case "contract.create":
      return `${f}\0${v.accountId}\0${v.contractId}`;
    case "contract.sign":
      return `${f}\0${v.accountId}\0${v.contractId}\0${v.party}`;
    case "payment.confirm":
      return `${f}\0${v.accountId}\0${v.contractId}\0${normRef(v.reference)}`;
    case "contract.send":
      // Sending leaves only a status behind, which a later signature implies too.
      return null;
  }
}

function noLostWrites(ctx: Ctx): InvariantResult {
  const f = new Findings();
  const writes = ctx.pairs.filter(validValue);
  const unverifiable = new Map<string, number>();
  let checked = 0;
  for (const p of writes.filter((w) => w.done.type === "ok")) {
    const v = p.invoke.value!;
    const flow = p.invoke.f as WriteFlow;
    const home = homeRegions(ctx, v.jurisdiction);
    const readableHome = home.filter((r) => ctx.readable.has(r));
    if (readableHome.length === 0) {
      f.add(
        `${describe(p)} cannot be found: no region of jurisdiction ${q(v.jurisdiction)} was readable at the end`,
      );
      continue;
    }
    checked++;
    for (const r of home) {
      if (!ctx.readable.has(r)) {
        unverifiable.set(r, (unverifiable.get(r) ?? 0) + 1);
        continue;
      }
      const why = missingEffect(ctx, flow, v, accountIn(ctx, r, v.accountId));
      if (why) f.add(`${describe(p)} is lost in ${q(r)}: ${why}`);
    }
    for (const [r, j] of ctx.regions) {
      if (j === v.jurisdiction) continue;
      const final = ctx.readable.get(r);
      if (!final) {
        unverifiable.set(r, (unverifiable.get(r) ?? 0) + 1);
        continue;
      }
      if (own(own(final.hashes, r), v.accountId) === undefined)
        f.add(
          `${describe(p)} never reached ${q(r)} abroad: its own view has no hash for the account`,
        );
    }
  }
  // A definite refusal must have done nothing, where nothing else could have done it.
  const setters = new Map<string, number>();
  for (const p of writes) {
    const k = effectKey(p.invoke.f as WriteFlow, p.invoke.value!);
    if (k !== null) setters.set(k, (setters.get(k) ?? 0) + 1);
  }
  let refusals = 0;
  for (const p of writes.filter((w) => w.done.type === "fail")) {
    const v = p.invoke.value!;
    const flow = p.invoke.f as WriteFlow;
    const k = effectKey(flow, v);
    if (k === null || setters.get(k) !== 1) continue;
    refusals++;
    for (const r of ctx.readable.keys()) {
      const acc = accountIn(ctx, r, v.accountId);
      if (!acc) continue;
      // The reference alone is this op's effect, whatever amount it carries.
      const c = flow === "payment.confirm" ? contractOf(acc, v.contractId) : undefined;
      const took =
        flow === "payment.confirm"
          ? c !== undefined && paymentsByRef(ctx, c).has(normRef(v.reference) ?? "")
          : missingEffect(ctx, flow, v, acc) === null;
      if (took) f.add(`${describe(p)} was refused, yet took effect in ${q(r)}`);
    }
  }
  const skipped = [...unverifiable].map(([r, n]) => `${q(r)} (${plural(n, "write")})`);
  const summary = `[LF1/LF3] ${plural(checked, "acknowledged write")} looked for in every readable region of their jurisdiction and in every view abroad, ${plural(refusals, "definitely refused write")} with a unique effect looked for everywhere${f.count ? `: ${plural(f.count, "violation")}` : ""}${skipped.length ? `; unreadable at the end, not checked: ${skipped.join(", ")}` : ""}`;
  return f.result("no-lost-writes", summary);
}

// ---------------------------------------------------------------- no-double-effect [LF2]

function noDoubleEffect(ctx: Ctx): InvariantResult {
  const f = new Findings();
  let contracts = 0;
  for (const [r, final] of ctx.readable) {
    for (const [accountId, acc] of entries<AccountRead>(final.accounts)) {
      for (const [contractId, c] of entries<Contract>(isObj(acc) ? acc.contracts : undefined)) {
        contracts++;
        if (!isObj(c)) continue;
        for (const [ref, pays] of paymentsByRef(ctx, c)) {
          if (pays.length > 1)
            f.add(
              `${q(r)}: contract ${q(contractId)} of account ${q(accountId)} holds ${pays.length} payments with reference ${q(ref)} (${pays.map((x) => q(x.id)).join(", ")})`,
            );
        }
      }
    }
  }
  // Each acknowledged reference carries the acknowledged amount wherever it is held.
  for (const p of ctx.pairs) {
    if (p.invoke.f !== "payment.confirm" || p.done.type !== "ok" || !validValue(p)) continue;
    const v = p.invoke.value!;
    const ref = normRef(v.reference) ?? "";
    for (const r of ctx.readable.keys()) {
      const c = contractOf(accountIn(ctx, r, v.accountId), v.contractId);
      for (const pay of c ? (paymentsByRef(ctx, c).get(ref) ?? []) : []) {
        const sameAmount = amountKey(pay.amountMinor) === amountKey(v.amountMinor);
        if (!sameAmount || (str(v.currency) && pay.currency !== v.currency))
          f.add(
            `${describe(p)} was acknowledged, but ${q(r)} holds that reference as ${q(pay.amountMinor)} ${q(pay.currency)}`,
          );
      }
    }
  }
  // One account per (tenant, tax id) across the home regions of a jurisdiction.
  let customers = 0;
  const jurisdictions = new Set(ctx.regions.values());
  for (const j of jurisdictions) {
    const byKey = new Map<string, Set<string>>();
    for (const r of homeRegions(ctx, j)) {
      const final = ctx.readable.get(r);
      for (const [accountId, acc] of entries<AccountRead>(final?.accounts)) {
        if (!isObj(acc) || !isObj(acc.customer)) continue;
        const known = ctx.accountJurisdiction.get(accountId);
        if (known !== undefined && known !== j) continue;
        const tax = normTax(acc.customer.taxId);
        if (!tax) continue;
        customers++;
        const tenant = ctx.accountTenant.get(accountId) ?? (str(acc.tenantId) ? acc.tenantId : "");
        const key = `${tenant}\0${tax}`;
        const ids = byKey.get(key) ?? new Set<string>();
        ids.add(accountId);
        byKey.set(key, ids);
      }
    }
    for (const [key, ids] of byKey) {
      if (ids.size < 2) continue;
      const tenant = key.slice(0, key.indexOf("\0"));
      f.add(
        `jurisdiction ${q(j)}: tenant ${tenant ? q(tenant) : "(unknown)"} has ${ids.size} accounts for one tax id (${[...ids].map(q).join(", ")})`,
      );
    }
  }
  const summary = `[LF2] ${plural(contracts, "contract read")} with one payment per reference, acknowledged amounts held as acknowledged, ${plural(customers, "customer read")} with one account per tenant and tax id${f.count ? `: ${plural(f.count, "violation")}` : ""}`;
  return f.result("no-double-effect", summary);
}

// ---------------------------------------------------------------- convergence [LF3]

function convergence(ctx: Ctx): InvariantResult {
  const f = new Findings();
  const after = isObj(ctx.run.final) ? ctx.run.final.convergedAfterMs : null;
  const within = ctx.targets.convergeWithinMs;
  if (!num(after)) f.add("the regions never converged after heal (convergedAfterMs is null)");
  else if (after > within)
    f.add(`the regions converged ${secs(after)} after heal, later than the ${secs(within)} target`);
  for (const r of ctx.regions.keys())
    if (!ctx.readable.has(r)) f.add(`${q(r)} was not readable at the final reads`);
  let compared = 0;
  let differing = 0;
  for (const as of ctx.regions.keys()) {
    const base = ctx.readable.get(as);
    if (!base) continue;
    const want = own<Record<string, string>>(base.hashes, as);
    if (!isObj(want)) {
      f.add(`${q(as)} reports no hashes for its own view`);
      continue;
    }
    for (const [r, final] of ctx.readable) {
      if (r === as) continue;
      const got = own<Record<string, string>>(final.hashes, as);
      if (!isObj(got)) {
        f.add(`${q(r)} reports no hashes for the view of ${q(as)}`);
        continue;
      }
      compared++;
      const accounts = new Set([...Object.keys(want), ...Object.keys(got)]);
      // A region holding only the masked copy cannot hash the full view (MASKED_ONLY): it
      // knows the account, and that is all it can say.
      const diff = [...accounts].filter(
        (a) => own(got, a) !== MASKED_ONLY && own(want, a) !== own(got, a),
      );
      if (diff.length === 0) continue;
      differing += diff.length;
      const shown = diff.slice(0, 10).map(q).join(", ");
      f.add(
        `view ${q(as)}: ${q(r)} differs from ${q(as)} on ${plural(diff.length, "account")}: ${shown}${diff.length > 10 ? `, and ${diff.length - 10} more` : ""}`,
      );
    }
  }
  const summary = `[LF3] converged ${num(after) ? `${secs(after)} after heal` : "never"} (target ${secs(within)}); ${plural(compared, "view")} of other regions compared account by account${differing ? `, ${plural(differing, "account")} differ` : ""}`;
  return f.result("convergence", summary);
}

// ---------------------------------------------------------------- idempotent-replays [LF2]

function idempotentReplays(ctx: Ctx): InvariantResult {
  const f = new Findings();
  const byKey = new Map<string, Pair[]>();
  for (const p of ctx.pairs) {
    if (p.done.type !== "ok" || !str(p.invoke.idempotencyKey)) continue;
    const tenant =
      isObj(p.invoke.value) && str(p.invoke.value.tenantId) ? p.invoke.value.tenantId : "";
    const k = `${tenant}\0${p.invoke.idempotencyKey}`;
    const list = byKey.get(k) ?? [];
    list.push(p);
    byKey.set(k, list);
  }
  let replays = 0;
  for (const list of byKey.values()) {
    const first = list[0]!;
    for (const p of list.slice(1)) {
      replays++;
      const a = first.done;
      const b = p.done;
      const sameBody = !str(a.bodySha256) || !str(b.bodySha256) || a.bodySha256 === b.bodySha256;
      if (a.status === b.status && sameBody) continue;
      const what =
        a.status !== b.status
          ? `status ${String(b.status)} where the first had ${String(a.status)}`
          : `body sha256 ${q(String(b.bodySha256).slice(0, 12))} where the first had ${q(String(a.bodySha256).slice(0, 12))}`;
      f.add(
        `idempotency key ${q(first.invoke.idempotencyKey)}: op ${q(b.op)} (${statusOf(b)}) does not match the first answer, op ${q(a.op)} (${statusOf(a)}): ${what}`,
      );
    }
  }
  const summary = `[LF2] ${plural(byKey.size, "idempotency key")} acknowledged, ${plural(replays, "later answer")} compared with the first by status and body${f.count ? `: ${plural(f.count, "mismatch", "mismatches")}` : ""}`;
  return f.result("idempotent-replays", summary);
}

// ---------------------------------------------------------------- sovereignty [LF4]

/** Paths of the strings in `x` that equal or contain a raw value (bounded depth). */
function findRaw(
  x: unknown,
  raws: readonly string[],
  path: string,
  out: string[],
  depth = 0,
): void {
  if (depth > 8 || out.length > 5) return;
  if (str(x)) {
    if (raws.some((raw) => x === raw || (raw.length >= 6 && x.includes(raw)))) out.push(path);
    return;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) findRaw(x[i], raws, `${path}[${i}]`, out, depth + 1);
    return;
  }
  for (const [k, y] of entries<unknown>(x)) findRaw(y, raws, `${path}.${k}`, out, depth + 1);
}

function sovereignty(ctx: Ctx): InvariantResult {
  const f = new Findings();
  const leaks = isObj(ctx.run.final) ? arr<Run["final"]["leaks"][number]>(ctx.run.final.leaks) : [];
  for (const l of leaks) {
    if (!isObj(l)) continue;
    f.add(
      `${q(l.region)} stores raw ${q(l.field)} of jurisdiction ${q(l.ofJurisdiction)} (${q(l.where)})`,
    );
  }
  const raw = new Map<string, { taxIds: Set<string>; values: Set<string> }>();
  for (const { invoke } of ctx.pairs) {
    const v = invoke.value;
    if (!isObj(v) || !str(v.accountId)) continue;
    const r = raw.get(v.accountId) ?? { taxIds: new Set<string>(), values: new Set<string>() };
    if (str(v.taxId) && v.taxId) r.taxIds.add(v.taxId);
    for (const x of arr<{ value: unknown }>(v.restricted))
      if (isObj(x) && str(x.value) && x.value) r.values.add(x.value);
    raw.set(v.accountId, r);
  }
  let held = 0;
  for (const [accountId, { taxIds, values }] of raw) {
    const j = ctx.accountJurisdiction.get(accountId);
    for (const [r, rj] of ctx.regions) {
      if (j === undefined || rj === j) continue;
      const acc = accountIn(ctx, r, accountId);
      if (!acc) continue;
      held++;
      const tax = isObj(acc.customer) ? normTax(acc.customer.taxId) : null;
      if (tax && [...taxIds].some((t) => normTax(t) === tax))
        f.add(`${q(r)} holds account ${q(accountId)} (jurisdiction ${q(j)}) with its raw tax id`);
      const hits: string[] = [];
      findRaw(acc, [...taxIds, ...values], "account", hits);
      for (const path of hits.filter((h) => h !== "account.customer.taxId"))
        f.add(
          `${q(r)} holds account ${q(accountId)} (jurisdiction ${q(j)}) with a raw restricted value at ${q(path)}`,
        );
    }
  }
  const summary = `[LF4] ${plural(leaks.length, "raw value")} found in foreign storage; ${plural(held, "account copy", "account copies")} read abroad compared with the raw values written${f.count ? `: ${plural(f.count, "violation")}` : ""}`;
  return f.result("sovereignty", summary);
}

// ---------------------------------------------------------------- durability [LF1]

const strictFlows = new Set<string>(
  Object.entries(SURVIVAL_POLICIES)
    .filter(([, p]) => p.goal === "region" && p.onDeadline === "strict")
    .map(([flow]) => flow),
);

function durability(ctx: Ctx): InvariantResult {
  const f = new Findings();
  let region = 0;
  let asked = 0;
  for (const p of ctx.pairs) {
    if (p.done.type !== "ok" || !isWriteFlow(p.invoke.f)) continue;
    const d = p.done.durability;
    if (d === "region") {
      region++;
      if (p.done.peerHasIt !== undefined) asked++;
      if (p.done.peerHasIt === false)
        f.add(
          `${p.invoke.f} op ${q(p.invoke.op)} was acknowledged with durability region by ${q(p.done.region)}, but the peer did not hold it right after`,
        );
    } else if (
      d === "local" &&
      strictFlows.has(p.invoke.f) &&
      // A jurisdiction with one region cannot hold a second copy: it acks as local by design.
      homeRegions(ctx, ctx.regions.get(p.done.region ?? "") ?? "").length > 1
    ) {
      f.add(
        `${p.invoke.f} op ${q(p.invoke.op)} (survival region/strict) was acknowledged with durability local by ${q(p.done.region)}: it must fail with 503 instead`,
      );
    }
  }
  const summary = `[LF1] ${plural(region, "write")} acknowledged with durability region (${asked} checked at the peer right after); ${[...strictFlows].join(" and ")} never acknowledged as local${f.count ? `: ${plural(f.count, "violation")}` : ""}`;
  return f.result("durability", summary);
}

// ---------------------------------------------------------------- degradation-modes

function degradationModes(ctx: Ctx): InvariantResult {
  const f = new Findings();
  const { modeGraceMs, modeRecoverMs } = ctx.targets;
  const changes = arr<Run["modeChanges"][number]>(ctx.run.modeChanges)
    .filter((c) => isObj(c) && str(c.region) && str(c.mode) && num(c.timeMs))
    .map((c, i) => ({ ...c, i }))
    .sort((a, b) => a.timeMs - b.timeMs || a.i - b.i);
  let expected = 0;
  for (const w of arr<FaultWindow>(ctx.run.faults)) {
    if (!isObj(w)) continue;
    const expects = arr<{ region: unknown; mode: unknown }>(w.expectModes);
    const name = q(w.name);
    if (w.endMs === null || !num(w.endMs)) {
      if (expects.length) f.add(`fault ${name} never healed: its modes cannot have been left`);
    }
    const start = num(w.startMs) ? w.startMs : 0;
    const end = num(w.endMs) ? w.endMs : ctx.finalMs;
    for (const e of expects) {
      if (!isObj(e) || !str(e.region) || !str(e.mode)) continue;
      expected++;
      const mine = changes.filter((c) => c.region === e.region && c.mode === e.mode);
      const activeAt = (t: number) => {
        let on = false;
        for (const c of mine) if (c.timeMs <= t) on = c.entered === true;
        return on;
      };
      const enterBy = Math.max(end, start + modeGraceMs);
      const entry = activeAt(start)
        ? start
        : mine.find((c) => c.entered === true && c.timeMs >= start && c.timeMs <= enterBy)?.timeMs;
      const what = `${q(e.region)} mode ${q(e.mode)} for fault ${name}`;
      if (entry === undefined) {
        f.add(`${what} was never entered between ${secs(start)} and ${secs(enterBy)}`);
        continue;
      }
      if (!num(w.endMs)) continue;
      const leaveBy = w.endMs + modeRecoverMs;
      if (activeAt(leaveBy)) {
        const last = mine.length ? mine[mine.length - 1]!.timeMs : entry;
        f.add(
          last < leaveBy
            ? `${what} was still active at the last record (${secs(last)}), ${secs(leaveBy)} being the deadline to leave it`
            : `${what} was not left by ${secs(leaveBy)} (${secs(modeRecoverMs)} after the fault ended)`,
        );
      }
    }
  }
  const summary = `${plural(expected, "expected mode")} entered within the fault (grace ${secs(modeGraceMs)} after its start) and left within ${secs(modeRecoverMs)} after it ended${f.count ? `: ${plural(f.count, "violation")}` : ""}`;
  return f.result("degradation-modes", summary);
}

// ---------------------------------------------------------------- availability and latency

/** 4xx except 408 and 429 is the client's fault; everything else counts against availability. */
const clientFault = (d: CompletionOp) =>
  num(d.status) && d.status >= 400 && d.status < 500 && d.status !== 408 && d.status !== 429;

function tally(pairs: readonly Pair[]): Tally {
  let ok = 0;
  let fail4xx = 0;
  let fail5xx = 0;
  let info = 0;
  const latencies: number[] = [];
  for (const { invoke, done } of pairs) {
    if (done.type === "ok") {
      ok++;
      const l = num(done.latencyMs) ? done.latencyMs : done.time - invoke.time;
      if (num(l)) latencies.push(l);
    } else if (done.type === "info") info++;
    else if (clientFault(done)) fail4xx++;
    else fail5xx++;
  }
  const denominator = ok + fail5xx + info;
  return {
    ok,
    fail4xx,
    fail5xx,
    info,
    availability: denominator ? ok / denominator : null,
    latencyMs: latencyStats(latencies),
  };
}

function phaseStats(ctx: Ctx): PhaseStats[] {
  const windows = arr<FaultWindow>(ctx.run.faults).filter(isObj);
  const bounds = windows.map((w) => ({
    start: num(w.startMs) ? w.startMs : 0,
    end: num(w.endMs) ? w.endMs : Number.POSITIVE_INFINITY,
  }));
  const inside = (p: Pair, b: { start: number; end: number }) =>
    num(p.invoke.time) && num(p.done.time) && p.invoke.time < b.end && p.done.time >= b.start;
  const flowsOf = (pairs: Pair[]) =>
    [...WRITE_FLOWS, ...READ_FLOWS].map((flow) => ({
      flow: flow as Flow,
      ...tally(pairs.filter((p) => p.invoke.f === flow)),
    }));
  const phase = (
    name: string,
    kind: PhaseStats["kind"],
    pairs: Pair[],
    w?: FaultWindow,
  ): PhaseStats => ({
    phase: name,
    kind,
    startMs: w && num(w.startMs) ? w.startMs : null,
    endMs: w && num(w.endMs) ? w.endMs : null,
    writes: tally(pairs.filter((p) => isWriteFlow(p.invoke.f))),
    flows: flowsOf(pairs),
    p99Ratio: null,
  });
  const calm = ctx.pairs.filter((p) => !bounds.some((b) => inside(p, b)));
  const out = [phase("no-fault", "no-fault", calm)];
  windows.forEach((w, i) => {
    out.push(
      phase(
        String(w.name),
        "fault",
        ctx.pairs.filter((p) => inside(p, bounds[i]!)),
        w,
      ),
    );
  });
  const base = out[0]!.writes.latencyMs?.p99;
  for (const p of out.slice(1)) {
    const mine = p.writes.latencyMs?.p99;
    p.p99Ratio = base !== undefined && mine !== undefined && base > 0 ? mine / base : null;
  }
  return out;
}

function availability(ctx: Ctx, phases: PhaseStats[]): InvariantResult {
  const f = new Findings();
  const parts: string[] = [];
  for (const p of phases) {
    const target =
      p.kind === "no-fault"
        ? ctx.targets.writeAvailability
        : ctx.targets.writeAvailabilityDuringFault;
    const a = p.writes.availability;
    parts.push(`${p.kind === "no-fault" ? "no fault" : q(p.phase)} ${pct(a)}`);
    if (a !== null && a < target) {
      const low = p.flows
        .filter((fl) => isWrite(fl.flow) && fl.availability !== null && fl.availability < target)
        .map((fl) => `${fl.flow} ${pct(fl.availability)}`);
      f.add(
        `lifeline write availability ${p.kind === "no-fault" ? "outside fault windows" : `during fault ${q(p.phase)}`} was ${pct(a)} (${p.writes.ok} ok, ${p.writes.fail5xx} failed, ${p.writes.info} indeterminate), below the ${pct(target)} target${low.length ? `; lowest: ${low.join(", ")}` : ""}`,
      );
    }
  }
  const summary = `lifeline write availability (ok / ok+5xx+info; targets ${pct(ctx.targets.writeAvailability)} outside faults, ${pct(ctx.targets.writeAvailabilityDuringFault)} inside): ${parts.join(", ")}`;
  return f.result("availability", summary);
}

function latency(ctx: Ctx, phases: PhaseStats[]): InvariantResult {
  const f = new Findings();
  const max = ctx.targets.p99RatioMax;
  const base = phases[0]!.writes.latencyMs;
  const parts = phases.map(
    (p) =>
      `${p.kind === "no-fault" ? "no fault" : q(p.phase)} p99 ${p.writes.latencyMs ? `${p.writes.latencyMs.p99} ms` : "n/a"}${p.p99Ratio !== null ? ` (×${p.p99Ratio.toFixed(2)})` : ""}`,
  );
  if (max !== null) {
    const faults = phases.slice(1);
    if (!base && faults.length)
      f.add(
        "no lifeline write was acknowledged outside fault windows: the p99 ratio has no baseline",
      );
    for (const p of faults) {
      if (!base || !p.writes.latencyMs) continue;
      const ratio = p.p99Ratio ?? (p.writes.latencyMs.p99 > 0 ? Number.POSITIVE_INFINITY : 1);
      if (ratio > max)
        f.add(
          `lifeline write p99 during fault ${q(p.phase)} was ${p.writes.latencyMs.p99} ms, ×${ratio.toFixed(2)} the no-fault ${base.p99} ms (target ≤ ×${max})`,
        );
    }
  }
  const summary = `[LF5] ${max === null ? "not judged (no p99 ratio target)" : `p99 of lifeline writes inside each fault ≤ ×${max} the no-fault p99`}: ${parts.join(", ")}`;
  return f.result("latency", summary);
}

// ---------------------------------------------------------------- check

function targetsOf(run: Run, targets: Partial<Targets> | undefined): Targets {
  const out: Targets = { ...DEFAULT_TARGETS };
  for (const over of [isObj(run) ? run.targets : undefined, targets]) {
    if (!isObj(over)) continue;
    for (const k of Object.keys(DEFAULT_TARGETS) as (keyof Targets)[]) {
      const v = own<unknown>(over, k);
      if (num(v) || (k === "p99RatioMax" && v === null)) (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

/** Judges one run. Never throws on what the run contains. */
export function check(run: Run, targets?: Partial<Targets>): Verdict {
  const t = targetsOf(run, targets);
  const { pairs, result: formed } = wellFormed(isObj(run) ? run.history : undefined);
  const ctx = context(isObj(run) ? run : ({} as Run), t, pairs);
  const phases = phaseStats(ctx);
  const invariants = [
    formed,
    noLostWrites(ctx),
    noDoubleEffect(ctx),
    convergence(ctx),
    idempotentReplays(ctx),
    sovereignty(ctx),
    durability(ctx),
    degradationModes(ctx),
    availability(ctx, phases),
    latency(ctx, phases),
  ];
  const count = (type: string) => pairs.filter((p) => p.done.type === type).length;
  const writes = pairs.filter((p) => isWriteFlow(p.invoke.f)).length;
  const after = isObj(ctx.run.final) ? ctx.run.final.convergedAfterMs : null;
  return {
    ok: invariants.every((i) => i.ok),
    targets: t,
    invariants,
    stats: {
      durationMs: ctx.finalMs,
      ops: {
        total: pairs.length,
        writes,
        reads: pairs.length - writes,
        ok: count("ok"),
        fail: count("fail"),
        info: count("info"),
      },
      phases,
      convergedAfterMs: num(after) ? after : null,
    },
  };
}
