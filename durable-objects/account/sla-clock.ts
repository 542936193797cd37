// When a change request's SLA warns and falls due (DESIGN §11): the tenant's SLA policy, read
// by the route from its GroupsDO and carried by the filing command (core/sla/tenant.ts:
// hours per tier, the warning share, working days and hours, closed dates), counted in the
// account's jurisdiction's calendar (cn: Asia/Shanghai with the State Council's public
// holidays and make-up working days; eu: Europe/Berlin). Without one, the defaults
// (DEFAULT_SLA_POLICY: 4 h, 2 h for strategic customers, warning at 75%, Mon–Fri 09:00–18:00,
// cn with a lunch break). The one place the AccountDO engine asks; tests pass their own clock.
import type { Residency, Tier } from "../../core/index.ts";
import { DEFAULT_SLA_POLICY, slaClock } from "../../core/sla/clock.ts";
import { type TenantSlaPolicy, tenantCalendar } from "../../core/sla/tenant.ts";

/** The SLA of a change request filed at `filedAtMs` by a customer of `tier`. */
export type SlaClock = (filedAtMs: number, tier: Tier) => { dueAtMs: number; warnAtMs: number };

/** Default answer time of a standard customer's change request, in business hours. */
export const CHANGE_REQUEST_SLA_HOURS = DEFAULT_SLA_POLICY.hoursByTier.standard;

/**
 * The business-hours clock of a jurisdiction under `policy` (null: the defaults). A tenant
 * calendar with no working time within the search horizon (possible only for a stored policy
 * an older build accepted) falls back to the defaults for that filing, and says so in the log.
 */
export function businessHoursClock(
  jurisdiction: Residency,
  policy: TenantSlaPolicy | null = null,
): SlaClock {
  const calendar = tenantCalendar(jurisdiction, policy);
  const rules = policy ?? DEFAULT_SLA_POLICY;
  return (filedAtMs, tier) => {
    try {
      const { dueAtMs, warnAtMs } = slaClock({ filedAtMs, tier, policy: rules, calendar });
      return { dueAtMs, warnAtMs };
    } catch (err) {
      if (!(err instanceof RangeError) || policy === null) throw err;
      console.warn(`SLA policy v${policy.version} unusable here (${err.message}); defaults apply`);
      return businessHoursClock(jurisdiction)(filedAtMs, tier);
    }
  };
}

/** Wall-clock hours, for tests that reason in plain time: 4 h, warning at 75%. */
export const CHANGE_REQUEST_SLA_MS = 4 * 60 * 60 * 1000;
export const changeRequestClock: SlaClock = (filedAtMs) => ({
  dueAtMs: filedAtMs + CHANGE_REQUEST_SLA_MS,
  warnAtMs: filedAtMs + Math.round(CHANGE_REQUEST_SLA_MS * 0.75),
});
