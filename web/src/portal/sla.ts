// A change request's SLA clock as both UIs show it: the time left to its due instant (or
// past it), in words a person reads at a glance, and its state when the server gave none.
// Pure: `nowMs` is a parameter, so the countdown is unit-tested and ticks in the UI.
import type { SlaState } from "./api-types.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export type TimeLeft = { overdue: boolean; ms: number };

/** Time to `dueAt` (ms, absolute) and whether it passed; null for a missing or bad instant. */
export function timeLeft(dueAt: string | undefined | null, nowMs: number): TimeLeft | null {
  if (!dueAt) return null;
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return null;
  return { overdue: nowMs > due, ms: Math.abs(due - nowMs) };
}

const UNITS = {
  en: { d: "d", h: "h", min: "min", under: "< 1 min" },
  "zh-CN": { d: " 天", h: " 小时", min: " 分钟", under: "不到 1 分钟" },
} as const;

/**
 * A duration in at most two units, rounded down: "2 h 14 min", "1 d 3 h", "< 1 min"
 * (zh-CN: "2 小时 14 分钟"). A countdown never shows seconds: it changes once a minute.
 */
export function formatDuration(ms: number, lang: "en" | "zh-CN"): string {
  const u = UNITS[lang];
  const sep = lang === "en" ? " " : "";
  const join = (parts: Array<[number, string]>) =>
    parts
      .filter(([n], i) => i === 0 || n > 0)
      .map(([n, unit]) => `${n}${sep}${unit}`)
      .join(" ");
  if (ms < MINUTE_MS) return u.under;
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  if (days > 0)
    return join([
      [days, u.d],
      [hours, u.h],
    ]);
  if (hours > 0)
    return join([
      [hours, u.h],
      [minutes, u.min],
    ]);
  return join([[minutes, u.min]]);
}

/**
 * The SLA state of an open request at `nowMs`: violated past due, warning from `slaWarnAt`
 * (without one: the last hour), else on track. A state the server sent is never improved
 * on: while a request stays open its state only gets worse, so the later of the two wins.
 */
export function slaState(
  c: { slaDueAt: string; slaWarnAt?: string | undefined; sla?: SlaState | undefined },
  nowMs: number,
): SlaState {
  const due = Date.parse(c.slaDueAt);
  let mine: SlaState = "on-track";
  if (nowMs > due) mine = "violated";
  else if (!Number.isNaN(due)) {
    const warn = c.slaWarnAt ? Date.parse(c.slaWarnAt) : Number.NaN;
    if (nowMs >= (Number.isNaN(warn) ? due - HOUR_MS : warn)) mine = "warning";
  }
  const rank = (s: SlaState) => SLA_ORDER.indexOf(s);
  return c.sla && rank(c.sla) > rank(mine) ? c.sla : mine;
}

const SLA_ORDER: readonly SlaState[] = ["on-track", "warning", "violated"];
