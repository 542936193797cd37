// The customer's engagement as account facts: a call's sentiment as one number, the day a
// portal visit counts for, each noted once (a day, an insight), and how the views read them
// into the health index's portal activity and call-sentiment trend (core/groups/kpi.ts).
import { describe, expect, test } from "vitest";
import type { DomainEvent } from "../events.ts";
import { customerHealthIndex, DEFAULT_CHI_WEIGHTS, UNKNOWN_FACTS } from "../groups/kpi.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, portalUserIdFor } from "../ids.ts";
import { CustomerCreate } from "../schemas.ts";
import { type Command, type Decision, decide } from "./decide.ts";
import { callSentimentOf, engagementView, portalDay } from "./engagement.ts";
import { evolve } from "./evolve.ts";
import { type AccountState, emptyAccount } from "./state.ts";
import { envelopesFor } from "./test-events.ts";

const TENANT = "ten_demo";
const KEY = "cn-account-id-key-for-tests";
const ACCOUNT = accountIdFor(TENANT, { kind: "client", ulid: "01HZ0000000000000000000000" });
const ANNA = portalUserIdFor(ACCOUNT, "anna@example.cn", KEY);
const BO = portalUserIdFor(ACCOUNT, "bo@example.cn", KEY);
const DAY = 86_400_000;
const insight = (n: number) => `ins_cn-east_${String(n).padStart(32, "0")}`;
const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "user", id: "usr_rep" });

/** A region of the account's jurisdiction: decides at `now`, journals at the next HLC. */
class Region {
  state: AccountState = emptyAccount(TENANT, ACCOUNT);
  readonly events: DomainEvent[] = [];
  constructor(public now: number) {}

  run(command: Command): Decision {
    const d = decide(this.state, command, { nowMs: this.now });
    if (d.ok)
      for (const data of d.events) {
        this.now += 1;
        const e = envelope(encodeHlc({ wallMs: this.now, counter: 0, region: "cn-east" }), data);
        this.events.push(e);
        this.state = evolve(this.state, e);
      }
    return d;
  }
}

function withUsers(now: number, residency: "cn" | "eu" = "cn", users = [ANNA, BO]): Region {
  const r = new Region(now);
  r.run({
    type: "customer.create",
    input: CustomerCreate.parse({ name: "Clinic", residency }),
  });
  for (const [i, userId] of users.entries())
    r.run({
      type: "portal-user.invite",
      userId,
      email: `user-${i}@example.cn`,
      name: "Buyer",
      invitationHash: String(i).repeat(64),
      invitationExpiresAt: new Date(now + 7 * DAY).toISOString(),
    });
  return r;
}

const active = (userId: string): Command => ({ type: "portal-user.note-active", userId });
const sentiment = (n: number, at: string, score: number): Command => ({
  type: "call.record-sentiment",
  insightId: insight(n),
  sentiment: { at, score, utterances: 4 },
});
const eventsOf = (d: Decision) => (d.ok ? d.events : d.error);

describe("a call's sentiment as one number", () => {
  const u = (speaker: string, label: "negative" | "neutral" | "positive" | null, p = 1) => ({
    speaker,
    sentiment: label === null ? null : { label, probability: p },
  });

  test.each([
    [
      "+p for positive, −p for negative, 0 for neutral: the mean",
      [
        u("customer", "positive", 0.9),
        u("customer", "negative", 0.6),
        u("customer", "neutral", 0.8),
      ],
      { score: 0.1, utterances: 3 },
    ],
    [
      "the rep's utterances are no evidence",
      [u("rep", "negative"), u("customer", "positive", 0.75)],
      { score: 0.75, utterances: 1 },
    ],
    [
      "utterances no model read are left out",
      [u("customer", null), u("customer", "negative", 0.5)],
      { score: -0.5, utterances: 1 },
    ],
    [
      "all neutral is 0",
      [u("customer", "neutral", 0.99), u("customer", "neutral", 0.7)],
      { score: 0, utterances: 2 },
    ],
  ])("%s", (_, utterances, expected) => {
    expect(callSentimentOf(utterances, "2026-03-01T08:00:00.000Z")).toEqual({
      at: "2026-03-01T08:00:00.000Z",
      ...expected,
    });
  });

  test("no customer utterance with a sentiment (shed, or nobody read them): nothing to record", () => {
    expect(
      callSentimentOf([u("rep", "positive"), u("customer", null)], "2026-03-01T08:00:00.000Z"),
    ).toBeNull();
    expect(callSentimentOf([], "2026-03-01T08:00:00.000Z")).toBeNull();
  });
});

describe("the day a portal visit counts for", () => {
  test.each([
    ["cn" as const, "2026-03-01T15:59:59.000Z", "2026-03-01"],
    ["cn" as const, "2026-03-01T16:00:00.000Z", "2026-03-02"],
    ["eu" as const, "2026-03-01T23:30:00.000Z", "2026-03-02"],
    // Berlin in summer time (UTC+2) from 2026-03-29.
    ["eu" as const, "2026-03-29T22:30:00.000Z", "2026-03-30"],
    ["eu" as const, "2026-03-28T22:30:00.000Z", "2026-03-28"],
  ])("in %s at %s it is %s", (residency, at, day) => {
    expect(portalDay(residency, Date.parse(at))).toBe(day);
  });
});

describe("noted once", () => {
  test("[LF2] a user's day is one event however many requests note it; the next day is another", () => {
    const r = withUsers(Date.parse("2026-03-02T01:00:00Z"));
    expect(eventsOf(r.run(active(ANNA)))).toEqual([
      { type: "portal-user.active", userId: ANNA, day: "2026-03-02" },
    ]);
    expect(eventsOf(r.run(active(ANNA)))).toEqual([]);
    // 23:59 in Shanghai is still the same day; 00:00 is the next.
    r.now = Date.parse("2026-03-02T15:59:00Z");
    expect(eventsOf(r.run(active(ANNA)))).toEqual([]);
    r.now = Date.parse("2026-03-02T16:00:00Z");
    expect(eventsOf(r.run(active(ANNA)))).toEqual([
      { type: "portal-user.active", userId: ANNA, day: "2026-03-03" },
    ]);
    expect(r.state.portalUsers?.[ANNA]?.activeDays).toEqual({
      "2026-03-02": true,
      "2026-03-03": true,
    });
  });

  test("only a user the account invited is noted; without a customer nothing is", () => {
    const r = withUsers(Date.parse("2026-03-02T01:00:00Z"), "cn", [ANNA]);
    expect(r.run(active(BO))).toEqual({
      ok: false,
      error: { code: "not-found", entity: "portal-user", id: BO },
    });
    const bare = new Region(Date.parse("2026-03-02T01:00:00Z"));
    expect(bare.run(active(ANNA))).toMatchObject({ ok: false, error: { entity: "customer" } });
    expect(bare.run(sentiment(1, "2026-03-02T01:00:00.000Z", 0.5))).toMatchObject({
      ok: false,
      error: { entity: "customer" },
    });
  });

  test("[LF2] a call's sentiment is recorded once per insight, whatever is asked again", () => {
    const r = withUsers(Date.parse("2026-03-02T01:00:00Z"));
    expect(eventsOf(r.run(sentiment(1, "2026-03-02T01:00:00.000Z", 0.5)))).toEqual([
      {
        type: "call.sentiment-recorded",
        insightId: insight(1),
        at: "2026-03-02T01:00:00.000Z",
        score: 0.5,
        utterances: 4,
      },
    ]);
    expect(eventsOf(r.run(sentiment(1, "2026-03-02T02:00:00.000Z", -1)))).toEqual([]);
    expect(r.state.callSentiments?.[insight(1)]?.value.score).toBe(0.5);
  });
});

describe("the views the health index reads", () => {
  const NOW = Date.parse("2026-04-30T04:00:00Z"); // 12:00 in Shanghai, 2026-04-30

  test("portal activity: distinct days of any user among the last 30, today included; unknown without portal users", () => {
    const r = withUsers(NOW);
    const days = ["2026-03-31", "2026-04-01", "2026-04-15", "2026-04-30", "2026-05-01"];
    for (const [i, day] of days.entries()) {
      const e = envelope(encodeHlc({ wallMs: NOW + 100 + i, counter: 0, region: "cn-south" }), {
        type: "portal-user.active",
        userId: i % 2 ? ANNA : BO,
        day,
      });
      r.state = evolve(r.state, e);
    }
    // Two users on one day count once.
    r.state = evolve(
      r.state,
      envelope(encodeHlc({ wallMs: NOW + 200, counter: 0, region: "cn-east" }), {
        type: "portal-user.active",
        userId: ANNA,
        day: "2026-04-15",
      }),
    );
    // 2026-03-31 is 30 days before today (out); 05-01 is tomorrow here (another clock's).
    expect(engagementView(r.state, NOW).portalActivity).toEqual({
      activeDays30: 3,
      lastActiveDay: "2026-04-30",
    });
    expect(engagementView(withUsers(NOW, "cn", []).state, NOW).portalActivity).toBeNull();
    expect(engagementView(withUsers(NOW).state, NOW).portalActivity).toEqual({
      activeDays30: 0,
      lastActiveDay: null,
    });
  });

  test("call sentiment: the last 60 days, oldest first; copies without their score are counted apart", () => {
    const r = withUsers(NOW);
    const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
    r.run(sentiment(1, at(61), 0.9));
    r.run(sentiment(2, at(10), -0.5));
    r.run(sentiment(3, at(40), 0.25));
    const masked = envelope(encodeHlc({ wallMs: NOW + 500, counter: 0, region: "cn-east" }), {
      type: "call.sentiment-recorded",
      insightId: insight(4),
      at: at(5),
      utterances: 2,
    });
    expect(engagementView(r.state, NOW).sentiment).toEqual({
      calls: [
        { insightId: insight(3), at: at(40), score: 0.25, utterances: 4 },
        { insightId: insight(2), at: at(10), score: -0.5, utterances: 4 },
      ],
      withheld: 0,
    });
    expect(engagementView(evolve(r.state, masked), NOW).sentiment.withheld).toBe(1);
  });

  test("the trend in the index: calls in both 30-day windows, and days in the portal, give real sub-scores", () => {
    const r = withUsers(NOW);
    const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
    r.run(sentiment(1, at(45), -0.5));
    r.run(sentiment(2, at(35), -0.1));
    r.run(sentiment(3, at(3), 0.4));
    for (const day of ["2026-04-20", "2026-04-27"])
      r.state = evolve(
        r.state,
        envelope(encodeHlc({ wallMs: NOW + 9, counter: 0, region: "cn-south" }), {
          type: "portal-user.active",
          userId: day.endsWith("20") ? ANNA : BO,
          day,
        }),
      );
    const view = engagementView(r.state, NOW);
    const chi = customerHealthIndex(
      {
        ...UNKNOWN_FACTS,
        sentiment: view.sentiment.calls,
        portalActivity: view.portalActivity,
      },
      DEFAULT_CHI_WEIGHTS,
      NOW,
    );
    const part = (k: string) => chi.components.find((c) => c.component === k)!;
    // Recent mean 0.4, earlier mean −0.3: trend +0.7, sub-score 50 + 35.
    expect(part("sentimentTrend")).toMatchObject({
      score: 85,
      detail: "trend +0.70 (1 recent, 2 earlier calls)",
    });
    // Two active days of the 8 that make 100.
    expect(part("portalActivity")).toMatchObject({
      score: 25,
      detail: "2 active days of 30 (100 at 8)",
    });
    // Only these two are known: the index is their weighted mean (0.2 and 0.15).
    expect(chi.score).toBe(Math.round(((0.2 * 85 + 0.15 * 25) / 0.35) * 10) / 10);
  });
});
