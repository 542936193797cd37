// Group KPIs from facts, each expectation worked out by hand from the formulas in
// README.md (customer health index, cross-sell rate, resolution time, adoption).
import { describe, expect, test } from "vitest";
import {
  type AccountFacts,
  adoptionRate,
  ChiWeights,
  crossSellRate,
  customerHealthIndex,
  DEFAULT_CHI_WEIGHTS,
  groupHealthIndex,
  serviceResolution,
  UNKNOWN_FACTS,
} from "./kpi.ts";

const NOW = Date.parse("2026-06-01T00:00:00Z");

const FULL: AccountFacts = {
  invoices: [
    { dueDate: "2026-05-01", paidAt: "2026-04-30T10:00:00Z" }, // on time
    { dueDate: "2026-05-10", paidAt: "2026-05-12T09:00:00Z" }, // late
    { dueDate: "2026-05-20", paidAt: null }, // overdue: late
    { dueDate: "2026-07-01", paidAt: null }, // not due yet: not counted
  ],
  openChangeRequests: 1,
  changeRequestSla: { met: 3, missed: 1 },
  sentiment: [
    { at: "2026-05-20T00:00:00Z", score: 0.5 }, // last 30 days
    { at: "2026-05-25T00:00:00Z", score: 0.7 }, // last 30 days
    { at: "2026-04-15T00:00:00Z", score: 0.2 }, // the 30 before
    { at: "2026-01-01T00:00:00Z", score: -1 }, // older: ignored
  ],
  portalActivity: { activeDays30: 4 },
};

describe("customer health index", () => {
  test("each component's sub-score and the weighted index, by hand", () => {
    const chi = customerHealthIndex(FULL, DEFAULT_CHI_WEIGHTS, NOW);
    const scores = Object.fromEntries(chi.components.map((c) => [c.component, c.score]));
    expect(scores).toEqual({
      paymentsOnTime: 33.3, // 1 of 3 counted invoices on time
      openChangeRequests: 80, // 100 × (1 − 1/5)
      slaAdherence: 75, // 3 of 4
      sentimentTrend: 70, // 50 + 50 × (0.6 − 0.2)
      portalActivity: 50, // 100 × 4/8
    });
    // 0.3×33.33 + 0.15×80 + 0.2×75 + 0.2×70 + 0.15×50 = 10 + 12 + 15 + 14 + 7.5
    expect(chi.score).toBe(58.5);
    expect(chi.components.map((c) => c.effectiveWeight)).toEqual([0.3, 0.15, 0.2, 0.2, 0.15]);
  });

  test("a component without facts is left out and its weight shared by the others", () => {
    const chi = customerHealthIndex(
      { ...UNKNOWN_FACTS, invoices: FULL.invoices, changeRequestSla: FULL.changeRequestSla },
      DEFAULT_CHI_WEIGHTS,
      NOW,
    );
    // (0.3 × 33.33 + 0.2 × 75) / 0.5 = 25 / 0.5
    expect(chi.score).toBe(50);
    expect(chi.components.map((c) => c.effectiveWeight)).toEqual([0.6, 0, 0.4, 0, 0]);
    expect(chi.components.find((c) => c.component === "sentimentTrend")).toMatchObject({
      score: null,
      detail: "no call-sentiment facts",
    });
  });

  test("no facts at all: no index (null), never a made-up 0 or 100", () => {
    expect(customerHealthIndex(UNKNOWN_FACTS, DEFAULT_CHI_WEIGHTS, NOW).score).toBeNull();
  });

  test("a sentiment trend needs a call in both windows; it is clamped to 0–100", () => {
    const onlyRecent = { ...UNKNOWN_FACTS, sentiment: [{ at: "2026-05-20T00:00:00Z", score: 1 }] };
    const chi = customerHealthIndex(onlyRecent, DEFAULT_CHI_WEIGHTS, NOW);
    expect(chi.score).toBeNull();
    expect(chi.components.find((c) => c.component === "sentimentTrend")?.detail).toBe(
      "needs a call in each of the last two 30-day windows (1 recent, 0 earlier)",
    );
    const collapse = {
      ...UNKNOWN_FACTS,
      sentiment: [
        { at: "2026-05-20T00:00:00Z", score: -1 },
        { at: "2026-04-20T00:00:00Z", score: 1 },
      ],
    };
    expect(customerHealthIndex(collapse, DEFAULT_CHI_WEIGHTS, NOW).score).toBe(0);
  });

  test("five open change requests or more score 0; an invoice paid on its due date is on time", () => {
    const facts = {
      ...UNKNOWN_FACTS,
      openChangeRequests: 7,
      invoices: [{ dueDate: "2026-05-01", paidAt: "2026-05-01T23:59:00Z" }],
    };
    const parts = customerHealthIndex(facts, DEFAULT_CHI_WEIGHTS, NOW).components;
    expect(parts.find((c) => c.component === "openChangeRequests")?.score).toBe(0);
    expect(parts.find((c) => c.component === "paymentsOnTime")?.score).toBe(100);
  });

  test("tenant weights change the index and must sum to 1", () => {
    const onlyPayments = ChiWeights.parse({
      paymentsOnTime: 1,
      openChangeRequests: 0,
      slaAdherence: 0,
      sentimentTrend: 0,
      portalActivity: 0,
    });
    expect(customerHealthIndex(FULL, onlyPayments, NOW).score).toBe(33.3);
    expect(ChiWeights.safeParse({ paymentsOnTime: 0.9 }).success).toBe(false);
  });

  test("the group's index is the mean of its accounts' indexes that exist", () => {
    expect(groupHealthIndex([58.5, 50, null])).toBe(54.3); // (58.5 + 50) / 2 = 54.25
    expect(groupHealthIndex([null])).toBeNull();
  });
});

describe("cross-sell rate", () => {
  test("without product lines: the share of accounts with two or more signed contracts", () => {
    const r = crossSellRate([
      { contracts: [{ status: "signed" }, { status: "active" }] },
      { contracts: [{ status: "signed" }, { status: "draft" }] },
      { contracts: [] },
    ]);
    expect(r).toEqual({ rate: 0.333, accounts: 3, crossSold: 1, definition: "signed-contracts" });
  });

  test("with product lines: two distinct lines among an account's signed contracts", () => {
    const r = crossSellRate([
      {
        contracts: [
          { status: "signed", productLine: "CT" },
          { status: "active", productLine: "CT" },
        ],
      },
      {
        contracts: [
          { status: "signed", productLine: "CT" },
          { status: "signed", productLine: "MR" },
        ],
      },
    ]);
    expect(r).toEqual({ rate: 0.5, accounts: 2, crossSold: 1, definition: "product-lines" });
  });

  test("no accounts: no rate", () => {
    expect(crossSellRate([]).rate).toBeNull();
  });
});

describe("service-request resolution time", () => {
  test("nearest-rank p50 and p90 in hours over resolved requests; open ones counted apart", () => {
    const opened = "2026-05-01T00:00:00Z";
    const after = (h: number) => new Date(Date.parse(opened) + h * 3_600_000).toISOString();
    const r = serviceResolution([
      ...[8, 1, 30, 4, 2].map((h) => ({ openedAt: opened, resolvedAt: after(h) })),
      { openedAt: opened, resolvedAt: null },
    ]);
    // Sorted 1, 2, 4, 8, 30: p50 = rank ⌈2.5⌉ = 3 → 4 h; p90 = rank ⌈4.5⌉ = 5 → 30 h.
    expect(r).toEqual({ p50Hours: 4, p90Hours: 30, resolved: 5, open: 1 });
  });

  test("nothing resolved: no percentiles", () => {
    expect(serviceResolution([{ openedAt: "2026-05-01T00:00:00Z", resolvedAt: null }])).toEqual({
      p50Hours: null,
      p90Hours: null,
      resolved: 0,
      open: 1,
    });
  });
});

describe("recommendation adoption", () => {
  test("adopted / answered with the Wilson 95% interval", () => {
    // p = 0.65, n = 20: centre 0.6258, half-width 0.1930.
    expect(adoptionRate({ answered: 20, adopted: 13 })).toEqual({
      rate: 0.65,
      interval95: [0.433, 0.819],
      answered: 20,
      adopted: 13,
    });
    expect(adoptionRate({ answered: 0, adopted: 0 }).rate).toBeNull();
  });
});
