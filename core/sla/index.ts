// The SLA clock for change requests (DESIGN §11, SPEC.md): business-hours calendars per tenant
// and the pure clock a Durable Object alarm drives.

export {
  addBusinessTime,
  BusinessCalendar,
  type BusinessCalendarInput,
  BusinessHours,
  businessTimeBetween,
  cnCalendar,
  dailyMinutes,
  defaultCalendar,
  JURISDICTION_TIME_ZONES,
  LocalDate,
  MAX_BREAKS,
  MAX_HOLIDAYS,
  MAX_SEARCH_DAYS,
  MAX_SPAN_DAYS,
  MAX_WORKING_WEEKENDS,
  TimeWindow,
  Workdays,
} from "./calendar.ts";
export {
  DEFAULT_SLA_POLICY,
  MAX_FIGURE_ITEMS,
  MAX_SLA_HOURS,
  nearestRank,
  nextAlarmMs,
  SLA_STATUSES,
  type SlaClock,
  type SlaFigures,
  SlaPolicy,
  type SlaStatus,
  slaClock,
  slaFigures,
  slaStatus,
} from "./clock.ts";
export {
  CN_HOLIDAY_DATES,
  CN_OFFICIAL_THROUGH,
  CN_PUBLIC_HOLIDAYS,
  CN_WORKING_WEEKEND_DATES,
  type CnFestival,
  type CnHolidayYear,
} from "./cn-holidays.ts";
export {
  DEFAULT_SLA_SETTING,
  leanestStretchMinutes,
  MAX_CLOSED_DATES,
  MAX_SLA_VERSION,
  SlaPolicyView,
  type SlaSetting,
  slaPolicyView,
  slaSettingOf,
  TenantCalendar,
  TenantSlaPolicy,
  tenantCalendar,
} from "./tenant.ts";
