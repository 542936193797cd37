// A tenant's SLA policy for change requests (SPEC.md SLA11–SLA13): answer hours per tier,
// the warning share, and its business calendar (working days, hours, extra closed dates)
// laid over each jurisdiction's own (time zone, public holidays, make-up working days).
// Versioned: the groups journal keeps the highest version (core/groups/state.ts).
import { z } from "zod";
import type { Residency } from "../schemas.ts";
import {
  BusinessCalendar,
  BusinessHours,
  dailyMinutes,
  defaultCalendar,
  LocalDate,
  MAX_SEARCH_DAYS,
  Workdays,
} from "./calendar.ts";
import { DEFAULT_SLA_POLICY, SlaPolicy } from "./clock.ts";
import { DAY_MS, isoWeekday } from "./zone.ts";

export const MAX_CLOSED_DATES = 200;
export const MAX_SLA_VERSION = 1_000_000;
const JURISDICTIONS: readonly Residency[] = ["cn", "eu"];
/** Business time a DST change can take from a 400-day stretch (two changes, an hour each). */
const DST_MARGIN_MINUTES = 120;

/** Closed dates from this century and the next: far enough for any plan, bounded for checks. */
const ClosedDate = LocalDate.refine((d) => d >= "2000-01-01" && d <= "2199-12-31", {
  message: "must be a date from 2000 to 2199",
});

/** The tenant's part of the calendar; what it leaves out is its jurisdiction's. */
export const TenantCalendar = z
  .strictObject({
    workdays: Workdays.optional().meta({
      description:
        "ISO weekdays (1 = Monday … 7 = Sunday); the jurisdiction's (Mon–Fri) if left out",
    }),
    hours: BusinessHours.optional().meta({
      description:
        "Working hours and breaks; the jurisdiction's if left out (cn: 09:00–18:00 with lunch 12:00–13:00)",
    }),
    closedDates: z
      .array(ClosedDate)
      .max(MAX_CLOSED_DATES)
      .refine((ds) => new Set(ds).size === ds.length, { message: "must not repeat a date" })
      .default([])
      .meta({
        description:
          "Local dates the tenant is closed on besides the public holidays (a closed make-up working day is closed)",
      }),
  })
  .meta({ id: "TenantSlaCalendar" });
export type TenantCalendar = z.infer<typeof TenantCalendar>;

const BaseSlaPolicy = SlaPolicy.extend({
  version: z.int().min(1).max(MAX_SLA_VERSION).meta({
    description: "Higher than the version in force: two admins editing one version cannot both win",
  }),
  calendar: TenantCalendar.default({ closedDates: [] }),
});

/**
 * The whole setting, as an admin writes it. Refused [SLA12] when, in a jurisdiction, the
 * calendar it makes is invalid or has a 400-day stretch with less business time than the
 * longest SLA it promises (a change request could not fall due at all).
 */
export const TenantSlaPolicy = BaseSlaPolicy.superRefine((policy, ctx) => {
  const longest = Math.max(...Object.values(policy.hoursByTier));
  for (const jurisdiction of JURISDICTIONS) {
    const cal = composeCalendar(jurisdiction, policy.calendar);
    if (!cal.success) {
      // Said once: the field at fault (hours, workdays) is named by its own issue too.
      ctx.addIssue({
        code: "custom",
        path: ["calendar"],
        message: `makes an invalid ${jurisdiction} calendar: ${cal.error.issues[0]?.message}`,
      });
      return;
    }
    const leanest = leanestStretchMinutes(cal.data, MAX_SEARCH_DAYS - 1);
    if (leanest < longest * 60 + DST_MARGIN_MINUTES)
      ctx.addIssue({
        code: "custom",
        path: ["calendar"],
        message: `leaves ${Math.floor(leanest / 60)} business hours in some 400 days of the ${jurisdiction} calendar, too few for an SLA of ${longest} h`,
      });
  }
}).meta({ id: "TenantSlaPolicy" });
export type TenantSlaPolicy = z.infer<typeof TenantSlaPolicy>;

const bases = new Map<Residency, BusinessCalendar>();
function baseCalendar(jurisdiction: Residency): BusinessCalendar {
  let cal = bases.get(jurisdiction);
  if (!cal) {
    cal = defaultCalendar(jurisdiction);
    bases.set(jurisdiction, cal);
  }
  return cal;
}

function composeCalendar(jurisdiction: Residency, cal: TenantCalendar) {
  const base = baseCalendar(jurisdiction);
  const closed = new Set(cal.closedDates);
  return BusinessCalendar.safeParse({
    timeZone: base.timeZone,
    workdays: cal.workdays ?? base.workdays,
    hours: cal.hours ?? base.hours,
    holidays: [...new Set([...base.holidays, ...cal.closedDates])],
    workingWeekends: base.workingWeekends.filter((d) => !closed.has(d)),
  });
}

/**
 * The calendar change requests of an account in `jurisdiction` are counted in: the
 * jurisdiction's zone, public holidays and make-up working days, with the tenant's working
 * days and hours, and its closed dates added to the holidays. No policy: the jurisdiction's.
 */
export function tenantCalendar(
  jurisdiction: Residency,
  policy: TenantSlaPolicy | null,
): BusinessCalendar {
  if (policy === null) return baseCalendar(jurisdiction);
  const cal = composeCalendar(jurisdiction, policy.calendar);
  // A parsed policy was checked to compose in every jurisdiction (TenantSlaPolicy).
  if (!cal.success) throw new RangeError(`SLA policy v${policy.version}: ${cal.error.message}`);
  return cal.data;
}

/**
 * The fewest working minutes any `days` consecutive local days of `cal` hold (wall time).
 * Outside its listed dates a calendar repeats weekly, so the stretches that matter start
 * within `days` before its first listed date through its last, or anywhere in one week.
 */
export function leanestStretchMinutes(cal: BusinessCalendar, days: number): number {
  const perDay = dailyMinutes(cal.hours);
  const workdays = new Set(cal.workdays);
  const dayOf = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / DAY_MS);
  const holidays = new Set(cal.holidays.map(dayOf));
  const working = new Set(cal.workingWeekends.map(dayOf));
  const listed = [...holidays, ...working];
  const lo = (listed.length ? Math.min(...listed) : 0) - days - 7;
  const hi = (listed.length ? Math.max(...listed) : 0) + days + 7;
  const open = (day: number) =>
    !holidays.has(day) && (working.has(day) || workdays.has(isoWeekday(day)));
  // A sliding window over [lo, hi]: the sum of the `days` days ending at each day.
  let sum = 0;
  let leanest = Number.POSITIVE_INFINITY;
  for (let day = lo; day <= hi; day++) {
    if (open(day)) sum += perDay;
    if (day - days >= lo && open(day - days)) sum -= perDay;
    if (day - lo + 1 >= days) leanest = Math.min(leanest, sum);
  }
  return leanest;
}

/** The policy in force, and where it comes from: the tenant's, or the defaults and why. */
export type SlaSetting =
  | { source: "tenant"; policy: TenantSlaPolicy }
  | { source: "default"; policy: null; reason: "unset" | "unreadable" | "unavailable" };

export const DEFAULT_SLA_SETTING: SlaSetting = { source: "default", policy: null, reason: "unset" };

// Stored settings are immutable state: each is judged once (its calendar check is not free).
const settings = new WeakMap<object, SlaSetting>();

/**
 * The tenant's setting from its stored document (the groups journal keeps documents as data,
 * so one written by a newer build still merges): a document this build cannot read, or
 * whose version is not the one it was published under, falls back to the defaults.
 */
export function slaSettingOf(stored: { version: number; document: unknown } | null): SlaSetting {
  if (stored === null) return DEFAULT_SLA_SETTING;
  let setting = settings.get(stored);
  if (setting === undefined) {
    const parsed = TenantSlaPolicy.safeParse(stored.document);
    setting =
      parsed.success && parsed.data.version === stored.version
        ? { source: "tenant", policy: parsed.data }
        : { source: "default", policy: null, reason: "unreadable" };
    settings.set(stored, setting);
  }
  return setting;
}

/** The defaults as a tenant policy would spell them (version 0: none was published). */
function defaultsView() {
  return { ...DEFAULT_SLA_POLICY, calendar: { closedDates: [] as string[] } };
}

export const SlaPolicyView = z
  .object({
    source: z.enum(["tenant", "default"]),
    reason: z.enum(["unset", "unreadable", "unavailable"]).nullable().meta({
      description:
        "Why the defaults are in force: nothing published, a stored policy this build cannot read, or the tenant's settings did not answer",
    }),
    version: z.int().min(0).meta({ description: "0 while the defaults are in force" }),
    hoursByTier: SlaPolicy.shape.hoursByTier,
    warnAtFraction: z.number(),
    calendar: TenantCalendar,
    calendars: z.object({ cn: BusinessCalendar, eu: BusinessCalendar }).meta({
      description:
        "The calendar each jurisdiction's change requests are counted in: its zone, public holidays and make-up working days, with the tenant's days, hours and closed dates",
    }),
  })
  .meta({ id: "SlaPolicyView" });
export type SlaPolicyView = z.infer<typeof SlaPolicyView>;

/** The effective policy as `GET /v1/admin/sla-policy` shows it. */
export function slaPolicyView(setting: SlaSetting): SlaPolicyView {
  const { version, hoursByTier, warnAtFraction, calendar } = setting.policy ?? {
    version: 0,
    ...defaultsView(),
  };
  return {
    source: setting.source,
    reason: setting.source === "default" ? setting.reason : null,
    version,
    hoursByTier,
    warnAtFraction,
    calendar,
    calendars: {
      cn: tenantCalendar("cn", setting.policy),
      eu: tenantCalendar("eu", setting.policy),
    },
  };
}
