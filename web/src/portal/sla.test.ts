// The SLA countdown both UIs show: words, rounding and states.
import { describe, expect, test } from "vitest";
import { formatDuration, slaState, timeLeft } from "./sla.ts";

const MIN = 60_000;
const H = 60 * MIN;
const NOW = Date.parse("2026-03-02T08:00:00Z");

describe("SLA countdown", () => {
  test("time left to the due instant, or past it; nothing for a missing or bad instant", () => {
    expect(timeLeft("2026-03-02T10:14:30Z", NOW)).toEqual({
      overdue: false,
      ms: 2 * H + 14.5 * MIN,
    });
    expect(timeLeft("2026-03-02T07:00:00Z", NOW)).toEqual({ overdue: true, ms: H });
    expect(timeLeft(undefined, NOW)).toBeNull();
    expect(timeLeft("soon", NOW)).toBeNull();
  });

  test("durations read in at most two units, rounded down, in both languages", () => {
    expect(formatDuration(2 * H + 14.5 * MIN, "en")).toBe("2 h 14 min");
    expect(formatDuration(2 * H + 14.5 * MIN, "zh-CN")).toBe("2 小时 14 分钟");
    expect(formatDuration(27 * H + 5 * MIN, "en")).toBe("1 d 3 h");
    expect(formatDuration(24 * H + 5 * MIN, "zh-CN")).toBe("1 天");
    expect(formatDuration(2 * H, "en")).toBe("2 h");
    expect(formatDuration(59 * MIN, "en")).toBe("59 min");
    expect(formatDuration(30_000, "en")).toBe("< 1 min");
    expect(formatDuration(30_000, "zh-CN")).toBe("不到 1 分钟");
  });

  test("states: on track, warning from warnAt (else the last hour), violated past due", () => {
    const due = "2026-03-02T10:00:00Z";
    expect(slaState({ slaDueAt: due }, NOW)).toBe("on-track");
    expect(slaState({ slaDueAt: due }, NOW + 1.5 * H)).toBe("warning");
    expect(slaState({ slaDueAt: due, slaWarnAt: "2026-03-02T08:30:00Z" }, NOW + 31 * MIN)).toBe(
      "warning",
    );
    expect(slaState({ slaDueAt: due }, NOW + 2 * H + 1)).toBe("violated");
  });

  test("a state the server sent is never improved on by the device's clock", () => {
    const due = "2026-03-02T10:00:00Z";
    expect(slaState({ slaDueAt: due, sla: "warning" }, NOW)).toBe("warning");
    expect(slaState({ slaDueAt: due, sla: "on-track" }, NOW + 3 * H)).toBe("violated");
  });
});
