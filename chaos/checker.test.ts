// The checker proves each rule on hand-built runs: a clean run passes everything, and each
// case below breaks (or bends without breaking) exactly one rule.
import { describe, expect, test } from "vitest";
import { check, INVARIANTS, type InvariantName, MAX_VIOLATIONS, type Verdict } from "./checker.ts";
import type { HistoryOp, Run } from "./history.ts";
import {
  CN,
  CTR,
  cleanBuilder,
  cleanRun,
  EU,
  pay,
  RunBuilder,
} from "./run-builder.test-support.ts";

const inv = (v: Verdict, name: InvariantName) => v.invariants.find((i) => i.name === name)!;
const acc = (run: Run, region: string, id = CN.accountId) =>
  run.final.regions[region]!.accounts[id]!;
const contract = (run: Run, region: string) => acc(run, region).contracts[CTR]!;
const lastCompletion = (run: Run, f: string) =>
  run.history.filter((h) => h.type !== "invoke" && h.f === f).at(-1)! as Extract<
    HistoryOp,
    { type: "ok" }
  >;

test("a clean run passes every invariant", () => {
  const v = check(cleanRun());
  for (const i of v.invariants)
    expect({ name: i.name, violations: i.violations }).toEqual({ name: i.name, violations: [] });
  expect(v.ok).toBe(true);
  expect(v.invariants.map((i) => i.name)).toEqual([...INVARIANTS]);
  expect(inv(v, "no-lost-writes").summary).toContain("[LF1/LF3]");
});

type Case = {
  name: string;
  rule: InvariantName;
  ok: boolean;
  /** Breaks the clean run (or a builder's run) in place. */
  mutate?: (run: Run) => void;
  build?: () => Run;
  targets?: Parameters<typeof check>[1];
  /** A fragment each failing case's first violation names. */
  names?: string;
  /** Neighbours that the same damage breaks too; every other invariant stays ok. */
  alsoBreaks?: InvariantName[];
};

const cases: Case[] = [
  // history-well-formed
  {
    name: "an invoke that never completes fails history-well-formed",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      r.history.splice(r.history.length - 1, 1);
    },
    names: "never completed",
  },
  {
    name: "two ops in flight on one process fail history-well-formed",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      // Swap op-0's completion with op-1's invoke, and make op-1 run on process 0.
      const [a, b] = [r.history[1]!, r.history[2]!];
      r.history[1] = { ...b, index: 1, process: 0 };
      r.history[2] = { ...a, index: 2 };
      r.history[3] = { ...r.history[3]!, process: 0 };
    },
    names: "still has op",
  },
  {
    name: "indexes that do not increase fail history-well-formed",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      r.history[3]!.index = 1;
    },
    names: "strictly increase",
  },
  {
    name: "a completion from another process fails history-well-formed",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      r.history[1]!.process = 9;
    },
    names: "invoked by process 0",
  },
  {
    name: "a write invoked without its value fails history-well-formed",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      delete (r.history[0] as { value?: unknown }).value;
    },
    names: "has no tenantId",
  },
  {
    name: "garbage lines fail history-well-formed instead of crashing",
    rule: "history-well-formed",
    ok: false,
    mutate: (r) => {
      r.history.push(null as unknown as HistoryOp, { nonsense: true } as unknown as HistoryOp);
    },
    names: "is not an operation",
  },
  // no-lost-writes
  {
    name: "[LF1] an acknowledged payment missing in the peer region fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      contract(r, "cn-south").payments.splice(0, 1);
    },
    names: 'is lost in "cn-south"',
  },
  {
    name: "[LF1] an acknowledged customer missing in a home region fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      delete r.final.regions["cn-east"]!.accounts[CN.accountId];
    },
    names: "the account is absent",
  },
  {
    name: "[LF1] a contract left short of the status its acknowledged send took it to fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      contract(r, "cn-east").status = "draft";
      contract(r, "cn-east").signedBy = [];
    },
    names: "not sent",
  },
  {
    name: "[LF1] a missing vendor signature fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      contract(r, "cn-south").signedBy = ["customer"];
      contract(r, "cn-south").status = "signed";
    },
    names: "no vendor signature",
  },
  {
    name: "[LF1] a payment held with another amount fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      contract(r, "cn-east").payments[0]!.amountMinor = "99";
    },
    names: "has amount",
    alsoBreaks: ["no-double-effect"],
  },
  {
    name: "[LF3] an account missing from a foreign region's own view fails no-lost-writes",
    rule: "no-lost-writes",
    ok: false,
    mutate: (r) => {
      delete r.final.regions["eu-central"]!.hashes["eu-central"]![CN.accountId];
    },
    names: 'never reached "eu-central" abroad',
    alsoBreaks: ["convergence"],
  },
  {
    name: "[LF1] an indeterminate payment may be absent",
    rule: "no-lost-writes",
    ok: true,
    build: () => withTimeout(false),
  },
  {
    name: "[LF1] an indeterminate payment may be present",
    rule: "no-lost-writes",
    ok: true,
    build: () => withTimeout(true),
  },
  {
    name: "[LF2] a refused payment whose reference no other op used must not take effect",
    rule: "no-lost-writes",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.apply("payment.confirm", pay("BAD-REF"), ["cn-south"]);
      return b.build();
    },
    names: 'was refused, yet took effect in "cn-south"',
  },
  {
    name: "[LF2] a refused payment's reference held with any amount still took effect",
    rule: "no-lost-writes",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.apply("payment.confirm", pay("BAD-REF", "1"));
      return b.build();
    },
    names: "was refused, yet took effect",
  },
  {
    name: "[LF2] a refused payment whose reference another op also sent may be present",
    rule: "no-lost-writes",
    ok: true,
    build: () => {
      const b = cleanBuilder();
      b.op(
        { f: "payment.confirm", at: 30_000, value: pay("BAD-REF"), key: "k-bad2", process: 4 },
        {
          type: "info",
          error: "timeout",
        },
      );
      b.apply("payment.confirm", pay("BAD-REF"));
      return b.build({ targets: { writeAvailability: 0.5 } });
    },
  },
  {
    name: "[LF1] a region unreadable at the end is skipped, the write must be in a readable one",
    rule: "no-lost-writes",
    ok: true,
    mutate: (r) => {
      r.final.regions["cn-south"]!.reachable = false;
    },
    alsoBreaks: ["convergence"],
  },
  // no-double-effect
  {
    name: "[LF2] two payments with one reference in a contract fail no-double-effect",
    rule: "no-double-effect",
    ok: false,
    mutate: (r) =>
      void contract(r, "cn-east").payments.push({
        id: "pay-dup",
        reference: " icbc-1",
        amountMinor: "100000",
        currency: "CNY",
      }),
    names: '2 payments with reference "ICBC-1"',
  },
  {
    name: "[LF2] a reference held with another amount than acknowledged fails no-double-effect",
    rule: "no-double-effect",
    ok: false,
    mutate: (r) => {
      contract(r, "cn-south").payments[0]!.amountMinor = "100001";
    },
    names: 'holds that reference as "100001"',
    alsoBreaks: ["no-lost-writes"],
  },
  {
    name: "[LF2] amounts compare as integers: 0100000 is 100000",
    rule: "no-double-effect",
    ok: true,
    mutate: (r) => {
      contract(r, "cn-south").payments[0]!.amountMinor = "0100000";
    },
  },
  {
    name: "[LF2] two accounts for one tax id in a jurisdiction fail no-double-effect",
    rule: "no-double-effect",
    ok: false,
    mutate: (r) => {
      r.final.regions["cn-south"]!.accounts.acc_DUP = {
        tenantId: "t1",
        customer: { taxId: "91310000-MA1FL0001X", name: "Acme", contacts: [] },
        contracts: {},
      };
    },
    names: "2 accounts for one tax id",
  },
  {
    name: "[LF2] one tax id in two tenants is two customers",
    rule: "no-double-effect",
    ok: true,
    mutate: (r) => {
      r.final.regions["cn-south"]!.accounts.acc_OTHER = {
        tenantId: "t2",
        customer: { taxId: CN.taxId!, name: "Acme", contacts: [] },
        contracts: {},
      };
    },
  },
  // convergence
  {
    name: "[LF3] regions that never converge fail convergence",
    rule: "convergence",
    ok: false,
    mutate: (r) => {
      r.final.convergedAfterMs = null;
    },
    names: "never converged",
  },
  {
    name: "[LF3] converging later than the target fails convergence",
    rule: "convergence",
    ok: false,
    mutate: (r) => {
      r.final.convergedAfterMs = 61_000;
    },
    names: "later than the 60.0 s target",
  },
  {
    name: "[LF3] a scenario's target overrides the default",
    rule: "convergence",
    ok: true,
    mutate: (r) => {
      r.final.convergedAfterMs = 61_000;
    },
    targets: { convergeWithinMs: 90_000 },
  },
  {
    name: "[LF3] a region whose view differs on an account fails convergence, naming it",
    rule: "convergence",
    ok: false,
    mutate: (r) => {
      r.final.regions["cn-south"]!.hashes["cn-east"]![CN.accountId] = "x";
    },
    names: 'view "cn-east": "cn-south" differs from "cn-east" on 1 account: "acc_CN"',
  },
  {
    name: "[LF3] an account one region lacks in another's view fails convergence",
    rule: "convergence",
    ok: false,
    mutate: (r) => {
      delete r.final.regions["eu-central"]!.hashes["cn-south"]![EU.accountId];
    },
    names: '"acc_EU"',
  },
  {
    name: "[LF3] a region unreadable at the final reads fails convergence",
    rule: "convergence",
    ok: false,
    mutate: (r) => {
      r.final.regions["cn-south"]!.reachable = false;
    },
    names: '"cn-south" was not readable',
  },
  // idempotent-replays
  {
    name: "[LF2] a replay with another body fails idempotent-replays",
    rule: "idempotent-replays",
    ok: false,
    mutate: (r) => {
      const replay = r.history.find((h) => h.type === "ok" && h.replayed)!;
      (replay as { bodySha256?: string }).bodySha256 = "bb";
    },
    names: 'idempotency key "k-pay"',
  },
  {
    name: "[LF2] a replay with another status fails idempotent-replays",
    rule: "idempotent-replays",
    ok: false,
    mutate: (r) => {
      const replay = r.history.find((h) => h.type === "ok" && h.replayed)!;
      (replay as { status?: number }).status = 200;
    },
    names: "status 200 where the first had 201",
  },
  {
    name: "[LF2] one key in two tenants is two keys",
    rule: "idempotent-replays",
    ok: true,
    build: () => {
      const b = cleanBuilder();
      b.op(
        { f: "customer.create", at: 30_000, value: { ...EU, tenantId: "t2" }, key: "k-pay" },
        {
          type: "ok",
          region: "eu-central",
          bodySha256: "zz",
          durability: "local",
        },
      );
      return b.build();
    },
  },
  // sovereignty
  {
    name: "[LF4] a raw value found in foreign storage fails sovereignty",
    rule: "sovereignty",
    ok: false,
    mutate: (r) =>
      void r.final.leaks.push({
        region: "eu-central",
        ofJurisdiction: "cn",
        field: "contact.phone",
        where: "libsql/eu-central.db offset 4096",
      }),
    names: '"eu-central" stores raw "contact.phone"',
  },
  {
    name: "[LF4] a raw tax id held abroad fails sovereignty",
    rule: "sovereignty",
    ok: false,
    mutate: (r) => {
      acc(r, "eu-central").customer!.taxId = "9131 0000 MA1FL0001X";
    },
    names: "with its raw tax id",
  },
  {
    name: "[LF4] a raw contact phone held abroad fails sovereignty",
    rule: "sovereignty",
    ok: false,
    mutate: (r) => {
      acc(r, "eu-central").customer!.contacts = [{ phone: "+86 13812345678" }];
    },
    names: "account.customer.contacts[0].phone",
  },
  {
    name: "[LF4] raw values at home are fine",
    rule: "sovereignty",
    ok: true,
    mutate: (r) =>
      expect(acc(r, "cn-south").customer!.contacts).toEqual([{ "contact.phone": "13812345678" }]),
  },
  // durability
  {
    name: "[LF1] a region-durable ack the peer does not hold fails durability",
    rule: "durability",
    ok: false,
    mutate: (r) => {
      lastCompletion(r, "contract.send").peerHasIt = false;
    },
    names: "the peer did not hold it",
  },
  {
    name: "[LF1] a payment acknowledged with durability local fails durability",
    rule: "durability",
    ok: false,
    mutate: (r) => {
      lastCompletion(r, "payment.confirm").durability = "local";
    },
    names: "survival region/strict",
  },
  {
    name: "[LF1] a signature acknowledged with durability local fails durability",
    rule: "durability",
    ok: false,
    mutate: (r) => {
      lastCompletion(r, "contract.sign").durability = "local";
    },
    names: "contract.sign",
  },
  {
    name: "[LF1] a customer created with durability local (region/degrade) passes durability",
    rule: "durability",
    ok: true,
    mutate: (r) => {
      lastCompletion(r, "customer.create").durability = "local";
    },
  },
  // degradation-modes
  {
    name: "an expected mode never entered fails degradation-modes",
    rule: "degradation-modes",
    ok: false,
    mutate: (r) => {
      r.modeChanges = [];
    },
    names: 'mode "reads-stale-ok" for fault "slow-db cn-east" was never entered',
  },
  {
    name: "a mode entered only after the window and its grace fails degradation-modes",
    rule: "degradation-modes",
    ok: false,
    mutate: (r) => {
      r.modeChanges[0]!.timeMs = 21_000;
    },
    names: "never entered between 10.0 s and 20.0 s",
  },
  {
    name: "a mode entered within the grace of a short window passes degradation-modes",
    rule: "degradation-modes",
    ok: true,
    mutate: (r) => {
      r.faults[0]!.endMs = 12_000;
      r.modeChanges[0]!.timeMs = 19_000;
    },
  },
  {
    name: "a mode already active when the window starts counts as entered",
    rule: "degradation-modes",
    ok: true,
    mutate: (r) => {
      r.modeChanges[0]!.timeMs = 5_000;
    },
  },
  {
    name: "a mode never left fails degradation-modes",
    rule: "degradation-modes",
    ok: false,
    mutate: (r) => {
      r.modeChanges.pop();
    },
    names: "still active at the last record",
  },
  {
    name: "a mode left later than the recovery target fails degradation-modes",
    rule: "degradation-modes",
    ok: false,
    mutate: (r) => {
      r.modeChanges[1]!.timeMs = 90_000;
    },
    names: "was not left by 80.0 s",
  },
  {
    name: "a window that never healed fails degradation-modes",
    rule: "degradation-modes",
    ok: false,
    mutate: (r) => {
      r.faults[0]!.endMs = null;
    },
    names: "never healed",
  },
  // availability
  {
    name: "5xx failures outside faults below 99% fail availability",
    rule: "availability",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.op(
        { f: "customer.create", at: 40_000, value: { ...CN, accountId: "acc_X" } },
        {
          type: "fail",
          status: 503,
        },
      );
      return b.build();
    },
    names: "outside fault windows was 90.00%",
  },
  {
    name: "indeterminate writes count against availability",
    rule: "availability",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.op({ f: "contract.send", at: 40_000, value: { ...CN, contractId: CTR } }, { type: "info" });
      return b.build();
    },
    names: "1 indeterminate",
  },
  {
    name: "4xx refusals are the client's and do not count against availability",
    rule: "availability",
    ok: true,
    build: () => {
      const b = cleanBuilder();
      for (let i = 0; i < 5; i++)
        b.op(
          { f: "payment.confirm", at: 40_000 + i, value: pay(`R-${i}`) },
          { type: "fail", status: 409 },
        );
      return b.build();
    },
  },
  {
    name: "a 429 is the system's refusal and counts against availability",
    rule: "availability",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.op(
        { f: "payment.confirm", at: 40_000, value: pay("R-429") },
        { type: "fail", status: 429 },
      );
      return b.build();
    },
  },
  {
    name: "availability inside a fault is judged against its own target",
    rule: "availability",
    ok: false,
    build: () => {
      const b = cleanBuilder();
      b.op({ f: "payment.confirm", at: 15_000, value: pay("R-in") }, { type: "fail", status: 503 });
      return b.build();
    },
    names: 'during fault "slow-db cn-east" was 50.00%',
  },
  {
    name: "a run's own targets lower the bar",
    rule: "availability",
    ok: true,
    build: () => {
      const b = cleanBuilder();
      b.op({ f: "payment.confirm", at: 15_000, value: pay("R-in") }, { type: "fail", status: 503 });
      return b.build({ targets: { writeAvailabilityDuringFault: 0.5 } });
    },
  },
  // latency
  {
    name: "[LF5] latency is reported but not judged without a p99 ratio target",
    rule: "latency",
    ok: true,
    build: () => slowDuringFault(5),
  },
  {
    name: "[LF5] a p99 inside the fault over 1.2× the no-fault p99 fails latency",
    rule: "latency",
    ok: false,
    build: () => slowDuringFault(5),
    targets: { p99RatioMax: 1.2 },
    names: "×5.00 the no-fault 20 ms",
  },
  {
    name: "[LF5] a p99 inside the fault within 1.2× passes latency",
    rule: "latency",
    ok: true,
    build: () => slowDuringFault(1.1),
    targets: { p99RatioMax: 1.2 },
  },
];

/** The clean run and a payment that timed out, with or without effect. */
function withTimeout(applied: boolean): Run {
  const b = cleanBuilder();
  const spec = { f: "payment.confirm" as const, at: 30_000, value: pay("ICBC-3", "7000") };
  b.op(
    { ...spec, key: "k-p3", apply: applied },
    { type: "info", error: "timeout", latencyMs: 5000 },
  );
  return b.build({ targets: { writeAvailability: 0.5 } });
}

/** The clean run with its only write inside the fault window answering `factor`× slower. */
function slowDuringFault(factor: number): Run {
  const run = cleanRun();
  const inside = run.history.find((h) => h.type === "ok" && h.time > 12_000 && h.time < 13_000)!;
  (inside as { latencyMs: number }).latencyMs = 20 * factor;
  return run;
}

describe.each(cases)("$name", (c) => {
  test(`${c.rule} is ${c.ok ? "ok" : "violated"}`, () => {
    const run = c.build ? c.build() : cleanRun();
    c.mutate?.(run);
    const v = check(run, c.targets);
    const i = inv(v, c.rule);
    expect(i.ok, i.violations.join("\n")).toBe(c.ok);
    if (!c.ok) {
      expect(i.count).toBeGreaterThan(0);
      expect(v.ok).toBe(false);
      if (c.names) expect(i.violations.join("\n")).toContain(c.names);
    }
    const others = v.invariants.filter((x) => !x.ok && x.name !== c.rule).map((x) => x.name);
    expect(others).toEqual(c.alsoBreaks ?? []);
  });
});

describe("stats", () => {
  test("carries per-phase, per-flow availability and latency", () => {
    const v = check(cleanRun());
    const [calm, fault] = v.stats.phases;
    expect(calm!.phase).toBe("no-fault");
    expect(fault).toMatchObject({
      phase: "slow-db cn-east",
      kind: "fault",
      startMs: 10_000,
      endMs: 20_000,
    });
    expect(fault!.writes).toMatchObject({ ok: 1, info: 0, availability: 1 });
    const payments = fault!.flows.find((f) => f.flow === "payment.confirm")!;
    expect(payments.latencyMs).toEqual({ n: 1, p50: 22, p95: 22, p99: 22, max: 22 });
    expect(calm!.writes).toMatchObject({ ok: 9, fail4xx: 1, fail5xx: 0, info: 0, availability: 1 });
    expect(fault!.p99Ratio).toBeCloseTo(22 / 20);
    expect(v.stats.ops).toMatchObject({ total: 13, writes: 11, reads: 2 });
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  test("an op overlapping a window's start counts inside it", () => {
    const b = cleanBuilder();
    b.op(
      { f: "customer.create", at: 9_990, value: { ...CN, accountId: "acc_Y" } },
      {
        type: "fail",
        status: 503,
        latencyMs: 50,
      },
    );
    const v = check(b.build());
    expect(v.stats.phases[1]!.writes.fail5xx).toBe(1);
    expect(v.stats.phases[0]!.writes.fail5xx).toBe(0);
  });
});

describe("hostile input", () => {
  test("ids like __proto__ and constructor neither crash nor pollute", () => {
    const b = new RunBuilder();
    const evil = { ...CN, accountId: "__proto__", tenantId: "constructor", contractId: "toString" };
    b.op(
      { f: "customer.create", at: 0, value: evil, key: "__proto__", op: "__proto__" },
      { type: "ok" },
    );
    b.op(
      { f: "contract.create", at: 10, value: evil, key: "hasOwnProperty", op: "constructor" },
      {
        type: "ok",
      },
    );
    const run = JSON.parse(JSON.stringify(b.build())) as Run;
    // JSON.parse makes "__proto__" an own key, as a hostile history file would.
    run.final.regions = JSON.parse(
      `{"__proto__": {"jurisdiction": "cn", "reachable": true, "accounts": {}, "hashes": {}}, ${JSON.stringify(run.final.regions).slice(1)}`,
    );
    const v = check(run);
    expect(({} as Record<string, unknown>).jurisdiction).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("reachable");
    expect(inv(v, "history-well-formed").ok).toBe(true);
    expect(v.invariants.every((i) => typeof i.summary === "string")).toBe(true);
  });

  test("a run missing its parts is judged, not thrown on", () => {
    const v = check({ history: [{ type: "ok" }], final: null } as unknown as Run);
    expect(v.ok).toBe(false);
    expect(inv(v, "history-well-formed").ok).toBe(false);
    expect(inv(v, "convergence").violations).toContain(
      "the regions never converged after heal (convergedAfterMs is null)",
    );
  });

  test("violations are bounded, the count is not", () => {
    const run = cleanRun();
    for (let i = 0; i < 100; i++)
      run.final.leaks.push({
        region: "eu-central",
        ofJurisdiction: "cn",
        field: "x",
        where: `${i}`,
      });
    const s = inv(check(run), "sovereignty");
    expect(s.count).toBe(100);
    expect(s.violations).toHaveLength(MAX_VIOLATIONS);
  });

  test("long hostile ids are clipped in sentences", () => {
    const run = cleanRun();
    run.final.leaks.push({
      region: "x".repeat(10_000),
      ofJurisdiction: "cn",
      field: "f",
      where: "w",
    });
    const [line] = inv(check(run), "sovereignty").violations;
    expect(line!.length).toBeLessThan(300);
  });
});
