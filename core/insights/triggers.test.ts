// Decision triggers: conditions over what the customer said and what the account holds,
// each firing its strategy with the best window its dates place; never on a guessed fact.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { z } from "zod";
import type { AccountContext, AccountFacts } from "./account.ts";
import { monthAt } from "./calendar.ts";
import { callFacts } from "./call-facts.ts";
import { turnOf } from "./fixtures.ts";
import {
  CustomerProfile,
  DecisionTrigger,
  type Signal,
  type SignalKind,
  type Speaker,
} from "./schema.ts";
import { decisionTriggers, type TriggerInput } from "./triggers.ts";
import { DEFAULT_TRIGGERS } from "./triggers-default.ts";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 9, 15, 2); // mid-October, Beijing morning
const ZONE = "Asia/Shanghai";
const TODAY = "2026-10-15";

const turn = turnOf;
const read = (context: Partial<AccountContext>): AccountFacts => ({
  status: "read",
  context: { lastWonDealAtMs: null, openServiceRequests: [], renewals: [], ...context },
});

function fire(
  over: {
    turns?: ReturnType<typeof turn>[];
    profile?: z.input<typeof CustomerProfile>;
    account?: AccountFacts;
    triggers?: readonly z.input<typeof DecisionTrigger>[];
    nowMs?: number;
    timeZone?: string;
  } = {},
) {
  const profile = CustomerProfile.parse(over.profile ?? {});
  const nowMs = over.nowMs ?? NOW;
  const timeZone = over.timeZone ?? ZONE;
  const input: TriggerInput = {
    facts: callFacts(over.turns ?? [], profile, monthAt(nowMs, timeZone)),
    profile,
    triggers: over.triggers ? over.triggers.map((t) => DecisionTrigger.parse(t)) : DEFAULT_TRIGGERS,
    account: over.account ?? { status: "none" },
    nowMs,
    timeZone,
    locale: "en",
  };
  return decisionTriggers(input);
}

const custom = (when: z.input<typeof DecisionTrigger>["when"], reason = "Act") => ({
  strategy: "acme.custom",
  priority: 50,
  when,
  title: "Act",
  reason,
});

describe("[T4] the budget month", () => {
  const cycle = { budgetCycle: { fiscalYearStartMonth: 1, planningMonths: 4 } };

  test("in October, for a January fiscal year planned four months ahead, the window is September to December", () => {
    const [t] = fire({ profile: cycle });
    expect(t).toMatchObject({
      strategy: "trigger.budget-month",
      window: { from: "2026-09-01", to: "2026-12-31", basis: ["budget-planning"] },
    });
    expect(t!.reason).toContain("the fiscal year starts in 3 month(s)");
  });

  test("the month turns at the customer's midnight: 1 September in Beijing is planning season, 31 August in UTC not", () => {
    const nowMs = Date.UTC(2026, 7, 31, 17);
    expect(fire({ profile: cycle, nowMs }).map((t) => t.strategy)).toEqual([
      "trigger.budget-month",
    ]);
    expect(fire({ profile: cycle, nowMs, timeZone: "UTC" })).toEqual([]);
  });

  test("no fiscal-year start, or no planning months: no budget month", () => {
    expect(fire({ profile: { budgetCycle: { budgetApproved: false } } })).toEqual([]);
    expect(
      fire({ profile: { budgetCycle: { fiscalYearStartMonth: 11, planningMonths: 0 } } }),
    ).toEqual([]);
  });
});

describe("account conditions", () => {
  const price: ReturnType<typeof turn> = turn(
    "customer",
    ["competitor-mention", "华康", "华康医疗"],
    ["price-sensitivity", "报价"],
  );

  test("[T1] 90 days without a won deal: the win-back fires on the 90th day, not the 89th", () => {
    const won = (days: number) => read({ lastWonDealAtMs: NOW - days * DAY_MS });
    expect(fire({ turns: [price], account: won(90) }).map((t) => t.strategy)).toEqual([
      "trigger.competitor-price-win-back",
    ]);
    expect(fire({ turns: [price], account: won(89) })).toEqual([]);
  });

  test("[T1] the rep naming the competitor and the price is no trigger", () => {
    const rep = turn(
      "rep",
      ["competitor-mention", "华康", "华康医疗"],
      ["price-sensitivity", "报价"],
    );
    expect(fire({ turns: [rep], account: read({}) })).toEqual([]);
  });

  test("[T5] no account read, no account condition holds; a trigger without one still fires", () => {
    for (const account of [
      { status: "none" },
      { status: "unavailable", reason: "timeout" },
    ] as const) {
      expect(fire({ turns: [price], account })).toEqual([]);
      expect(
        fire({ turns: [price], account, triggers: [custom({ competitorNamed: true })] }).map(
          (t) => t.strategy,
        ),
      ).toEqual(["acme.custom"]);
    }
  });

  test("[T2] requests past their time are counted, and the window runs from the first miss to one response time from now", () => {
    const request = (id: string, hoursAgo: number, hours: number) => ({
      id,
      severity: "high" as const,
      openedAtMs: NOW - hoursAgo * 3_600_000,
      dueAtMs: NOW - hoursAgo * 3_600_000 + hours * 3_600_000,
    });
    const [t] = fire({
      account: read({
        openServiceRequests: [request("a", 100, 24), request("b", 30, 8), request("c", 1, 8)],
      }),
    });
    expect(t).toMatchObject({
      strategy: "trigger.service-recovery",
      window: { from: "2026-10-12", to: "2026-10-15", basis: ["service-response"] },
    });
    expect(t!.reason).toMatch(/^2 service request\(s\) are past/);
  });

  test("[T3] a renewal in the window counts; one past or too far does not", () => {
    const renewals = [
      { contractId: "a", renewsAtMs: NOW - DAY_MS },
      { contractId: "b", renewsAtMs: NOW + 20 * DAY_MS },
      { contractId: "c", renewsAtMs: NOW + 61 * DAY_MS },
    ];
    const [t] = fire({ account: read({ renewals }) });
    expect(t).toMatchObject({
      strategy: "trigger.renewal-window",
      window: { from: "2026-09-05", to: "2026-11-04" },
    });
    expect(t!.reason).toMatch(/^1 contract\(s\) renew by 2026-11-04/);
  });
});

describe("rendering and ranking", () => {
  test("two dated conditions act where their windows overlap; a trigger without dates has no window", () => {
    const [t] = fire({
      profile: { budgetCycle: { fiscalYearStartMonth: 1 } },
      account: read({ renewals: [{ contractId: "a", renewsAtMs: NOW + 100 * DAY_MS }] }),
      triggers: [custom({ budgetMonth: true, renewalWithinDays: 120 })],
    });
    // Planning runs September to December; the renewal window opens 120 days before 23 January.
    expect(t).toMatchObject({
      strategy: "acme.custom",
      window: { from: "2026-09-25", to: "2026-12-31", basis: ["budget-planning", "renewal"] },
    });
    const [undated] = fire({
      turns: [turn("customer", ["competitor-mention", "华康", "华康医疗"])],
      triggers: [custom({ competitorNamed: true })],
    });
    expect(undated).toMatchObject({ strategy: "acme.custom", window: null, evidence: [0] });
  });

  test("a trigger of another industry does not fire; one whose text has no value is not shown", () => {
    const competitor = [turn("customer", ["competitor-mention", "华康", "华康医疗"])];
    expect(
      fire({
        turns: competitor,
        profile: { industry: "education" },
        triggers: [{ ...custom({ competitorNamed: true }), industry: "medical-devices" }],
      }),
    ).toEqual([]);
    expect(
      fire({ turns: competitor, triggers: [custom({ competitorNamed: true }, "{months} to go")] }),
    ).toEqual([]);
  });

  test("at most five triggers, by priority then strategy", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      ...custom({ competitorNamed: true }),
      strategy: `acme.t${i}`,
      priority: i % 3,
    }));
    const fired = fire({
      turns: [turn("customer", ["competitor-mention", "华康", "华康医疗"])],
      triggers: many,
    });
    expect(fired.map((t) => t.strategy)).toEqual([
      "acme.t2",
      "acme.t5",
      "acme.t1",
      "acme.t4",
      "acme.t7",
    ]);
  });

  test("whatever the call and account, an account trigger fires only on a read account, every window runs forwards and cites only the customer", () => {
    const kinds: SignalKind[] = ["competitor-mention", "price-sensitivity", "tender"];
    const turns = fc.array(
      fc.record({
        speaker: fc.constantFrom<Speaker>("customer", "rep"),
        signals: fc.subarray(kinds).map((ks) =>
          ks.map(
            (k): Signal => ({
              kind: k,
              match: k,
              start: 0,
              end: k.length,
              ...(k === "competitor-mention" ? { competitor: "华康医疗" } : {}),
            }),
          ),
        ),
        sentiment: fc.constant(null),
      }),
      { maxLength: 6 },
    );
    const dayish = fc.integer({ min: -400, max: 400 }).map((d) => NOW + d * DAY_MS);
    const account = fc.oneof(
      fc.constant<AccountFacts>({ status: "none" }),
      fc.constant<AccountFacts>({ status: "unavailable", reason: "x" }),
      fc
        .record({
          lastWonDealAtMs: fc.option(dayish, { nil: null }),
          openServiceRequests: fc.array(
            fc
              .record({
                id: fc.constant("r"),
                severity: fc.constantFrom("low", "normal", "high", "critical"),
                openedAtMs: dayish,
                dueAtMs: dayish,
              })
              .filter((r) => r.dueAtMs >= r.openedAtMs),
            { maxLength: 3 },
          ),
          renewals: fc.array(fc.record({ contractId: fc.constant("c"), renewsAtMs: dayish }), {
            maxLength: 3,
          }),
        })
        .map((context): AccountFacts => ({ status: "read", context })),
    );
    fc.assert(
      fc.property(turns, account, fc.integer({ min: 1, max: 12 }), (ts, acc, fiscal) => {
        const fired = fire({
          turns: ts,
          account: acc,
          profile: { budgetCycle: { fiscalYearStartMonth: fiscal } },
        });
        for (const t of fired) {
          const def = DEFAULT_TRIGGERS.find((d) => d.strategy === t.strategy)!;
          const usesAccount =
            def.when.noWonDealForDays !== undefined ||
            def.when.openServiceRequestsPastResponse !== undefined ||
            def.when.renewalWithinDays !== undefined;
          if (usesAccount) expect(acc.status).toBe("read");
          // Every dated condition holds today, so its window, and any overlap, contains today.
          if (t.window) expect(t.window.from <= TODAY && TODAY <= t.window.to).toBe(true);
          for (const i of t.evidence) expect(ts[i]!.speaker).toBe("customer");
          expect(t.title + t.reason).not.toMatch(/[{}]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
