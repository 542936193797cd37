// The customer's engagement as account facts: a call's sentiment as one number, the day a
// portal visit counts for, each noted once (a day; a call, by its transcript), what an
// account keeps of them (bounded), and how the views read them into the health index's
// portal activity and call-sentiment trend (core/groups/kpi.ts).
import { describe, expect, test } from "vitest";
import type { DomainEvent } from "../events.ts";
import { customerHealthIndex, DEFAULT_CHI_WEIGHTS, UNKNOWN_FACTS } from "../groups/kpi.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, portalUserIdFor } from "../ids.ts";
import { CustomerCreate } from "../schemas.ts";
import { type Command, type Decision, decide } from "./decide.ts";
import {
  ACTIVE_DAYS_KEPT,
  CALL_DAYS_KEPT,
  CALLS_KEPT,
  callSentimentOf,
  canonicalTranscript,
  engagementView,
  PORTAL_ACTIVITY_DAYS,
  portalDay,
} from "./engagement.ts";
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

  /** Decides at `ms` (a call is recorded when it is analysed), then goes on from there. */
  runAt(ms: number, command: Command): Decision {
    this.now = ms;
    return this.run(command);
  }

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
/** A call's transcript hash: call `n`'s, unless the insight analysed another call. */
const transcript = (n: number) => n.toString(16).padStart(64, "0");
const sentiment = (n: number, at: string, score: number, call = n): Command => ({
  type: "call.record-sentiment",
  insightId: insight(n),
  sentiment: { at, score, utterances: 4, transcriptHash: transcript(call) },
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
        transcriptHash: transcript(1),
        score: 0.5,
        utterances: 4,
      },
    ]);
    expect(eventsOf(r.run(sentiment(1, "2026-03-02T01:00:00.005Z", -1, 2)))).toEqual([]);
    expect(r.state.callSentiments?.[insight(1)]?.value.score).toBe(0.5);
  });

  test("[LF2] the same call analysed again (a new insight of the same transcript) records nothing, even days later", () => {
    const r = withUsers(Date.parse("2026-03-02T01:00:00Z"));
    r.run(sentiment(1, "2026-03-02T01:00:00.000Z", -0.9));
    r.now = Date.parse("2026-03-20T01:00:00Z");
    expect(eventsOf(r.run(sentiment(2, "2026-03-20T01:00:00.000Z", 0.9, 1)))).toEqual([]);
    expect(Object.keys(r.state.callSentiments ?? {})).toEqual([insight(1)]);
    // Another call is another fact.
    expect(eventsOf(r.run(sentiment(3, "2026-03-20T01:00:00.000Z", 0.9)))).toHaveLength(1);
  });

  test("a call is recorded at the time it was analysed, by the account's clock: not from the future, not from days ago", () => {
    const now = Date.parse("2026-03-02T01:00:00Z");
    const r = withUsers(now);
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const at of [now + 5 * 60_000, now - 2 * DAY, now + 365 * DAY])
      expect(r.run(sentiment(1, iso(at), 0.5))).toMatchObject({
        ok: false,
        error: { code: "invalid-state", field: "at" },
      });
    expect(r.run(sentiment(1, iso(r.now - 3_600_000), 0.5)).ok).toBe(true);
  });
});

describe("the call a transcript is", () => {
  const say = (speaker: string, text: string, atMs?: number) => ({ speaker, text, atMs });
  const CALL = [say("rep", "您好，设备用得怎么样？"), say("customer", "挺好的。 Thanks")];

  test("the same words, pasted again with other white space, full-width letters or timings, are the same call", () => {
    const again = [
      say("rep", "  您好，设备用得怎么样？\n", 0),
      say("customer", "挺好的。\t\tＴｈａｎｋｓ", 1_500),
    ];
    expect(canonicalTranscript(again)).toBe(canonicalTranscript(CALL));
  });

  test.each([
    ["another word", [CALL[0]!, say("customer", "挺好的。 Thank you")]],
    ["the speakers swapped", [say("customer", CALL[0]!.text), say("rep", CALL[1]!.text)]],
    [
      "an utterance split in two",
      [CALL[0]!, say("customer", "挺好的。"), say("customer", "Thanks")],
    ],
    ["the utterances reordered", [CALL[1]!, CALL[0]!]],
  ])("%s is another call", (_, other) => {
    expect(canonicalTranscript(other)).not.toBe(canonicalTranscript(CALL));
  });
});

describe("bounded: what an account keeps of its engagement", () => {
  const START = Date.parse("2025-01-01T04:00:00Z");

  test("[LF3] a user's active days: the 60 up to their newest, however long they have used the portal; the view reads the same", () => {
    const r = withUsers(START, "cn", [ANNA]);
    for (let d = 0; d < 400; d++) {
      r.now = START + d * DAY;
      r.run(active(ANNA));
    }
    const days = Object.keys(r.state.portalUsers?.[ANNA]?.activeDays ?? {}).sort();
    expect(days).toHaveLength(ACTIVE_DAYS_KEPT);
    expect(days.at(-1)).toBe(portalDay("cn", r.now));
    expect(days[0]).toBe(portalDay("cn", r.now - (ACTIVE_DAYS_KEPT - 1) * DAY));
    expect(engagementView(r.state, r.now).portalActivity).toEqual({
      activeDays30: PORTAL_ACTIVITY_DAYS,
      lastActiveDay: portalDay("cn", r.now),
    });
  });

  test("[LF3] calls: the newest 500 of the 120 days up to the newest; the view's 60 days are whole", () => {
    const r = withUsers(START);
    let n = 0;
    // A year of calls, one a day, then a busy month of 20 a day.
    for (let d = 0; d < 365; d++) {
      r.now = START + d * DAY;
      r.run(sentiment(++n, new Date(r.now).toISOString(), 0.5));
    }
    const quiet = Object.values(r.state.callSentiments ?? {}).map((f) => Date.parse(f.value.at));
    expect(quiet).toHaveLength(CALL_DAYS_KEPT);
    expect(Math.max(...quiet)).toBe(START + 364 * DAY);
    expect(Math.min(...quiet)).toBe(START + (365 - CALL_DAYS_KEPT) * DAY);
    for (let d = 0; d < 30; d++)
      for (let i = 0; i < 20; i++) {
        r.now = START + (365 + d) * DAY + i * 60_000;
        r.run(sentiment(++n, new Date(r.now).toISOString(), -0.5));
      }
    const busy = Object.values(r.state.callSentiments ?? {});
    expect(busy).toHaveLength(CALLS_KEPT);
    // The newest are kept: the busy month's 600 calls leave its newest 500.
    expect(busy.every((f) => f.value.score === -0.5)).toBe(true);
    const view = engagementView(r.state, r.now).sentiment;
    expect(view.calls).toHaveLength(CALLS_KEPT);
    expect(view.calls.at(-1)?.insightId).toBe(insight(n));
  });

  test("[LF3] facts beyond the horizon leave no trace: an account that forgot them is the account that never had them", () => {
    const noted = (days: readonly number[]) => {
      const r = withUsers(START, "cn", [ANNA]);
      for (const d of days) {
        r.now = START + d * DAY;
        r.run(active(ANNA));
        r.run(sentiment(d + 1, new Date(r.now).toISOString(), d / 1000));
      }
      return r.state;
    };
    const early = [0, 1, 2];
    const late = [200, 230, 260];
    const strip = (s: AccountState) => ({ ...s, version: null });
    expect(strip(noted([...early, ...late]))).toEqual(strip(noted(late)));
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
    const record = (n: number, daysAgo: number, score: number) =>
      r.runAt(NOW - daysAgo * DAY, sentiment(n, at(daysAgo), score));
    record(1, 61, 0.9);
    record(2, 10, -0.5);
    record(3, 40, 0.25);
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

  test("[LF2] a call two regions recorded while apart counts once, at its first analysis: a resubmission cannot move it into the recent window", () => {
    const r = withUsers(NOW - 50 * DAY);
    const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
    r.runAt(NOW - 45 * DAY, sentiment(1, at(45), -0.9));
    r.runAt(NOW - 2 * DAY, sentiment(2, at(2), 0.1));
    // cn-south, not yet told of call 1, analyses it again yesterday: another insight.
    const again = envelope(encodeHlc({ wallMs: NOW - DAY, counter: 0, region: "cn-south" }), {
      type: "call.sentiment-recorded",
      insightId: `ins_cn-south_${"9".repeat(32)}`,
      at: at(1),
      transcriptHash: transcript(1),
      score: -0.9,
      utterances: 4,
    });
    const merged = evolve(r.state, again);
    expect(Object.keys(merged.callSentiments ?? {})).toHaveLength(3);
    expect(engagementView(merged, NOW).sentiment).toEqual(engagementView(r.state, NOW).sentiment);
    expect(engagementView(merged, NOW).sentiment.calls.map((c) => c.insightId)).toEqual([
      insight(1),
      insight(2),
    ]);
  });

  test("the trend in the index: calls in both 30-day windows, and days in the portal, give real sub-scores", () => {
    const r = withUsers(NOW);
    const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
    for (const [n, daysAgo, score] of [
      [1, 45, -0.5],
      [2, 35, -0.1],
      [3, 3, 0.4],
    ] as const)
      r.runAt(NOW - daysAgo * DAY, sentiment(n, at(daysAgo), score));
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
