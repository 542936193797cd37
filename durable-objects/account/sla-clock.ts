// When a change request's SLA warns and falls due (DESIGN §11): the customer's tier sets
// the answer time (core/sla DEFAULT_SLA_POLICY: 4 h, 2 h for strategic customers), counted
// in business hours of the account's jurisdiction's calendar (cn: Asia/Shanghai, Mon–Fri
// 09:00–18:00 with lunch, the State Council's public holidays and make-up working days;
// eu: Europe/Berlin, Mon–Fri 09:00–18:00), warning at 75% of it. The one place the
// AccountDO engine asks; tests pass their own clock.
//
// Left for later: per-tenant SLA policies and calendars (a tenant setting replicated with
// the groups journal); until then every tenant of a jurisdiction shares these.
import type { Residency, Tier } from "../../core/index.ts";
import { defaultCalendar } from "../../core/sla/calendar.ts";
import { DEFAULT_SLA_POLICY, slaClock } from "../../core/sla/clock.ts";

/** The SLA of a change request filed at `filedAtMs` by a customer of `tier`. */
export type SlaClock = (filedAtMs: number, tier: Tier) => { dueAtMs: number; warnAtMs: number };

/** Default answer time of a standard customer's change request, in business hours. */
export const CHANGE_REQUEST_SLA_HOURS = DEFAULT_SLA_POLICY.hoursByTier.standard;

const calendars = new Map<Residency, ReturnType<typeof defaultCalendar>>();

/** The business-hours clock of a jurisdiction. */
export function businessHoursClock(jurisdiction: Residency): SlaClock {
  let calendar = calendars.get(jurisdiction);
  if (!calendar) {
    calendar = defaultCalendar(jurisdiction);
    calendars.set(jurisdiction, calendar);
  }
  const cal = calendar;
  return (filedAtMs, tier) => {
    const { dueAtMs, warnAtMs } = slaClock({
      filedAtMs,
      tier,
      policy: DEFAULT_SLA_POLICY,
      calendar: cal,
    });
    return { dueAtMs, warnAtMs };
  };
}

/** Wall-clock hours, for tests that reason in plain time: 4 h, warning at 75%. */
export const CHANGE_REQUEST_SLA_MS = 4 * 60 * 60 * 1000;
export const changeRequestClock: SlaClock = (filedAtMs) => ({
  dueAtMs: filedAtMs + CHANGE_REQUEST_SLA_MS,
  warnAtMs: filedAtMs + Math.round(CHANGE_REQUEST_SLA_MS * 0.75),
});
