// Hand-built runs for the checker's and the report's tests: a builder that records ops and
// applies acknowledged writes to every home region, and `cleanRun()`, a small run that
// passes every invariant, for tests to break one rule at a time.
import type {
  AccountRead,
  CompletionOp,
  FaultWindow,
  Flow,
  HistoryOp,
  ModeChange,
  Run,
  WriteValue,
} from "./history.ts";

export const REGIONS: Record<string, string> = {
  "cn-east": "cn",
  "cn-south": "cn",
  "eu-central": "eu",
};

type Done = Partial<Omit<CompletionOp, "index" | "process" | "op" | "f" | "time">> & {
  type: "ok" | "fail" | "info";
};
export type OpSpec = {
  process?: number;
  f: Flow;
  at: number;
  value?: WriteValue;
  key?: string;
  op?: string;
  /** Apply the write to every home region (default: when it is ok). */
  apply?: boolean;
};

const CONTRACT_RANK = ["draft", "sent", "signed", "active"];

export class RunBuilder {
  readonly history: HistoryOp[] = [];
  readonly faults: FaultWindow[] = [];
  readonly modeChanges: ModeChange[] = [];
  /** region → accountId → account, as each region will hold it at the end. */
  readonly state = new Map<string, Map<string, AccountRead>>();
  private seq = 0;

  constructor(readonly regions: Record<string, string> = REGIONS) {
    for (const r of Object.keys(regions)) this.state.set(r, new Map());
  }

  /** Records an invoke and its completion; returns the op id. */
  op(spec: OpSpec, done: Done): string {
    const op = spec.op ?? `op-${this.seq++}`;
    const process = spec.process ?? 0;
    const latencyMs = done.latencyMs ?? 20;
    this.history.push({
      index: this.history.length,
      process,
      op,
      f: spec.f,
      time: spec.at,
      type: "invoke",
      ...(spec.key !== undefined ? { idempotencyKey: spec.key } : {}),
      ...(spec.value ? { value: spec.value } : {}),
    });
    const ok = done.type === "ok";
    this.history.push({
      index: this.history.length,
      process,
      op,
      f: spec.f,
      time: spec.at + latencyMs,
      degraded: [],
      replayed: false,
      attempts: [],
      status: ok ? 201 : done.type === "fail" ? 422 : undefined,
      region: "cn-east",
      ...done,
      latencyMs,
    } as HistoryOp);
    if (spec.value && (spec.apply ?? ok)) this.apply(spec.f, spec.value);
    return op;
  }

  /** What the write does to the account in every region of its jurisdiction. */
  apply(f: Flow, v: WriteValue, regions?: string[]): void {
    const home =
      regions ?? Object.keys(this.regions).filter((r) => this.regions[r] === v.jurisdiction);
    for (const r of home) {
      const accounts = this.state.get(r)!;
      const acc = accounts.get(v.accountId) ?? {
        tenantId: v.tenantId,
        customer: null,
        contracts: {},
      };
      accounts.set(v.accountId, acc);
      const c = v.contractId ? acc.contracts[v.contractId] : undefined;
      const raise = (status: string) => {
        if (c && CONTRACT_RANK.indexOf(status) > CONTRACT_RANK.indexOf(c.status)) c.status = status;
      };
      switch (f) {
        case "customer.create":
          acc.customer = {
            taxId: v.taxId ?? null,
            name: "Acme",
            contacts: (v.restricted ?? []).map((x) => ({ [x.field]: x.value })),
          };
          break;
        case "contract.create":
          if (!c) acc.contracts[v.contractId!] = { status: "draft", signedBy: [], payments: [] };
          break;
        case "contract.send":
          raise("sent");
          break;
        case "contract.sign":
          if (c && !c.signedBy.includes(v.party!)) c.signedBy.push(v.party!);
          raise(v.party === "vendor" ? "active" : "signed");
          break;
        case "payment.confirm":
          if (c && !c.payments.some((p) => p.reference === v.reference))
            c.payments.push({
              id: `pay-${v.reference}`,
              reference: v.reference!,
              amountMinor: v.amountMinor!,
              currency: v.currency ?? "CNY",
            });
          break;
      }
    }
  }

  fault(w: Omit<FaultWindow, "expectModes"> & Partial<Pick<FaultWindow, "expectModes">>): this {
    this.faults.push({ expectModes: [], ...w });
    return this;
  }

  mode(region: string, mode: string, entered: boolean, timeMs: number): this {
    this.modeChanges.push({ region, mode, entered, timeMs });
    return this;
  }

  /**
   * The run, with every region's final accounts (a masked copy abroad) and hashes that
   * agree: each view's hash of an account is its full or masked state.
   */
  build(over: Partial<Run> = {}): Run {
    const jurisdictionOf = new Map<string, string>();
    for (const h of this.history)
      if (h.type === "invoke" && h.value)
        jurisdictionOf.set(h.value.accountId, h.value.jurisdiction);
    const home = new Map<string, AccountRead>();
    for (const accounts of this.state.values()) for (const [id, a] of accounts) home.set(id, a);
    const views: Record<string, Record<string, string>> = {};
    for (const [as, j] of Object.entries(this.regions)) {
      views[as] = {};
      for (const [id, a] of home)
        views[as]![id] = `${jurisdictionOf.get(id) === j ? "full" : "masked"}:${JSON.stringify(a)}`;
    }
    const regions: Run["final"]["regions"] = {};
    for (const [r, j] of Object.entries(this.regions)) {
      const accounts: Record<string, AccountRead> = {};
      for (const [id, a] of this.state.get(r)!) accounts[id] = structuredClone(a);
      for (const [id, a] of home) if (jurisdictionOf.get(id) !== j) accounts[id] = masked(a);
      regions[r] = { jurisdiction: j, reachable: true, accounts, hashes: structuredClone(views) };
    }
    const last = this.history.reduce((t, h) => Math.max(t, h.time), 0);
    return {
      scenario: "unit",
      seed: 7,
      commit: "0123456789abcdef",
      command: "npm run chaos -- run --scenario unit --seed 7",
      startedAt: "2025-01-02T03:04:05.000Z",
      regions: { ...this.regions },
      faults: structuredClone(this.faults),
      modeChanges: structuredClone(this.modeChanges),
      history: structuredClone(this.history),
      final: { timeMs: last + 1000, regions, convergedAfterMs: 1500, leaks: [] },
      ...over,
    };
  }
}

/** What a region abroad holds: no raw tax id, contacts masked. */
function masked(a: AccountRead): AccountRead {
  const copy = structuredClone(a);
  if (copy.customer) {
    copy.customer.taxId = copy.customer.taxId ? "hash:3f9a" : null;
    copy.customer.contacts = copy.customer.contacts.map((c) =>
      Object.fromEntries(Object.keys(c).map((k) => [k, "***"])),
    );
  }
  return copy;
}

export const CN: WriteValue = {
  tenantId: "t1",
  accountId: "acc_CN",
  jurisdiction: "cn",
  taxId: "91310000MA1FL0001X",
  restricted: [{ field: "contact.phone", value: "13812345678" }],
};
export const EU: WriteValue = {
  tenantId: "t1",
  accountId: "acc_EU",
  jurisdiction: "eu",
  taxId: "DE123456789",
};
export const CTR = "ctr_CN_1";
export const pay = (reference: string, amountMinor = "100000"): WriteValue => ({
  ...CN,
  contractId: CTR,
  reference,
  amountMinor,
  currency: "CNY",
});

/**
 * A small run that passes every invariant: the cn customer's whole lifecycle with a
 * payment, its replay from cn-south, an eu customer, reads, a refused payment, and one
 * slow-db window on cn-east whose mode is entered and left.
 */
export function cleanBuilder(): RunBuilder {
  const b = new RunBuilder();
  const region = { durability: "region" as const, peerHasIt: true };
  b.op({ f: "customer.create", at: 1000, value: CN, key: "k-cust" }, { type: "ok", ...region });
  b.op(
    { f: "customer.create", at: 1100, value: EU, key: "k-eu", process: 1 },
    {
      type: "ok",
      region: "eu-central",
      durability: "local",
    },
  );
  const c = { ...CN, contractId: CTR };
  b.op({ f: "contract.create", at: 2000, value: c, key: "k-ctr" }, { type: "ok", ...region });
  b.op({ f: "contract.send", at: 3000, value: c, key: "k-send" }, { type: "ok", ...region });
  b.op(
    { f: "contract.sign", at: 4000, value: { ...c, party: "customer" }, key: "k-sc" },
    {
      type: "ok",
      ...region,
    },
  );
  b.op(
    { f: "contract.sign", at: 5000, value: { ...c, party: "vendor" }, key: "k-sv" },
    {
      type: "ok",
      ...region,
    },
  );
  b.op(
    { f: "payment.confirm", at: 6000, value: pay("ICBC-1"), key: "k-pay" },
    {
      type: "ok",
      ...region,
      bodySha256: "aa",
    },
  );
  b.op(
    { f: "payment.confirm", at: 7000, value: pay("ICBC-1"), key: "k-pay", process: 2 },
    {
      type: "ok",
      region: "cn-south",
      durability: "region",
      replayed: true,
      bodySha256: "aa",
    },
  );
  b.op(
    { f: "payment.confirm", at: 8000, value: pay("BAD-REF"), key: "k-bad" },
    {
      type: "fail",
      status: 422,
      error: "invalid-state",
    },
  );
  b.op({ f: "customer.get", at: 9000, process: 3 }, { type: "ok", status: 200 });
  b.fault({
    name: "slow-db cn-east",
    params: { region: "cn-east", delayMs: 800 },
    startMs: 10_000,
    endMs: 20_000,
    expectModes: [{ region: "cn-east", mode: "reads-stale-ok" }],
  });
  b.mode("cn-east", "reads-stale-ok", true, 15_000);
  b.mode("cn-east", "reads-stale-ok", false, 30_000);
  b.op(
    { f: "payment.confirm", at: 12_000, value: pay("ICBC-2", "5000"), key: "k-p2" },
    {
      type: "ok",
      ...region,
      latencyMs: 22,
    },
  );
  b.op({ f: "customer.list", at: 14_000, process: 3 }, { type: "ok", status: 200, latencyMs: 900 });
  b.op(
    { f: "contract.create", at: 25_000, value: { ...EU, contractId: "ctr_EU_1" }, key: "k-ec" },
    {
      type: "ok",
      region: "eu-central",
      durability: "local",
    },
  );
  return b;
}

export const cleanRun = (): Run => cleanBuilder().build();
