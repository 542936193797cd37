// The breaker state machine and the per-isolate health registry, on a hand-driven clock.
import { describe, expect, test } from "vitest";
import {
  admit,
  type Breaker,
  CLOSED,
  current,
  isAvailable,
  record,
  type Signal,
} from "../../core/breaker.ts";
import { RegionHealth } from "../../workers/router/region-health.ts";

const policy = { failureThreshold: 3, coolDownMs: 5_000, trialLeaseMs: 11_000 };
const feed = (b: Breaker, signals: Signal[], nowMs = 0) =>
  signals.reduce((acc, s) => record(acc, s, nowMs, policy), b);

describe("breaker", () => {
  test("stays closed below the threshold and opens at the third consecutive failure", () => {
    expect(feed(CLOSED, ["failure", "failure"])).toEqual({ state: "closed", failures: 2 });
    expect(feed(CLOSED, ["failure", "failure", "failure"], 10)).toEqual({
      state: "open",
      untilMs: 5_010,
    });
  });

  test("a success in between resets the count: failures must be consecutive", () => {
    expect(feed(CLOSED, ["failure", "failure", "success", "failure", "failure"]).state).toBe(
      "closed",
    );
  });

  test("one failed probe opens a closed breaker at once", () => {
    expect(feed(CLOSED, ["probe-failed"]).state).toBe("open");
  });

  test("a healthy probe does not wipe out request failures", () => {
    const b = feed(CLOSED, ["failure", "failure", "probe-ok", "failure"]);
    expect(b.state).toBe("open");
  });

  test("an open breaker turns requests away until its cool-down ends, then is half-open", () => {
    const open = feed(CLOSED, ["probe-failed"], 0);
    expect(admit(open, 4_999, policy).admitted).toBe(false);
    expect(current(open, 5_000)).toEqual({ state: "half-open", trialUntilMs: null });
  });

  test("half-open lets exactly one trial through while it is out", () => {
    const open = feed(CLOSED, ["probe-failed"], 0);
    const first = admit(open, 5_000, policy);
    expect(first.admitted).toBe(true);
    expect(admit(first.breaker, 5_001, policy).admitted).toBe(false);
    expect(isAvailable(first.breaker, 5_001)).toBe(false);
  });

  test("a trial that never reports frees the breaker after its lease", () => {
    const trial = admit(feed(CLOSED, ["probe-failed"], 0), 5_000, policy).breaker;
    expect(admit(trial, 5_000 + policy.trialLeaseMs, policy).admitted).toBe(true);
  });

  test("a successful trial closes the breaker; a failed one reopens it for a full cool-down", () => {
    const trial = admit(feed(CLOSED, ["probe-failed"], 0), 5_000, policy).breaker;
    expect(record(trial, "success", 5_100, policy)).toEqual(CLOSED);
    expect(record(trial, "probe-ok", 5_100, policy)).toEqual(CLOSED);
    expect(record(trial, "failure", 5_100, policy)).toEqual({ state: "open", untilMs: 10_100 });
  });

  test("late outcomes of requests sent before it opened neither close nor extend it", () => {
    const open = feed(CLOSED, ["probe-failed"], 0);
    expect(record(open, "success", 100, policy)).toEqual(open);
    expect(record(open, "failure", 100, policy)).toEqual(open);
  });
});

describe("region health", () => {
  test("probes each region at most once per interval and not while its breaker is open", () => {
    const health = new RegionHealth(policy);
    const regions = ["cn-east", "cn-south"];
    expect(health.takeDueProbes(regions, 0, 2_000)).toEqual(regions);
    expect(health.takeDueProbes(regions, 1_999, 2_000)).toEqual([]);
    health.record("cn-east", "probe-failed", 2_000);
    expect(health.takeDueProbes(regions, 2_000, 2_000)).toEqual(["cn-south"]);
    expect(health.takeDueProbes(regions, 4_000, 2_000)).toEqual(["cn-south"]);
  });

  test("a half-open region's probe is its one trial", () => {
    const health = new RegionHealth(policy);
    health.record("cn-east", "probe-failed", 0);
    expect(health.takeDueProbes(["cn-east"], 5_000, 2_000)).toEqual(["cn-east"]);
    expect(health.standing("cn-east", 5_001)).toBe("out");
    health.record("cn-east", "probe-ok", 5_100);
    expect(health.standing("cn-east", 5_100)).toBe("closed");
  });

  test("says how long until a region of a set may take traffic again", () => {
    const health = new RegionHealth(policy);
    health.record("cn-east", "probe-failed", 0);
    health.record("cn-south", "probe-failed", 1_000);
    expect(health.retryInMs(["cn-east", "cn-south"], 2_000)).toBe(3_000);
    expect(health.retryInMs(["cn-east", "eu-central"], 2_000)).toBe(0);
  });

  test("reports each breaker with its failures and last probe", () => {
    const health = new RegionHealth(policy);
    health.record("cn-east", "failure", 0);
    health.record("cn-south", "probe-failed", 0);
    expect(health.status("cn-east", 10)).toMatchObject({
      breaker: "closed",
      consecutiveFailures: 1,
      lastProbe: null,
    });
    expect(health.status("cn-south", 10)).toMatchObject({
      breaker: "open",
      retryInMs: 4_990,
      lastProbe: { atMs: 0, ok: false },
    });
  });
});
