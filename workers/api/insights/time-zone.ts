// The time zone a region's customers keep their calendars in, by jurisdiction: which month
// it is for a customer (their budget cycle) turns over at their midnight, not UTC's.

/** One zone per jurisdiction; eu spans several, and Central European Time covers most customers. */
export const JURISDICTION_TIME_ZONES: Readonly<Record<string, string>> = {
  cn: "Asia/Shanghai",
  eu: "Europe/Berlin",
};

/** UTC for a jurisdiction without an entry, said once per isolate: months may then turn early or late. */
let warned = false;
export function jurisdictionTimeZone(jurisdiction: string): string {
  const zone = JURISDICTION_TIME_ZONES[jurisdiction];
  if (zone) return zone;
  if (!warned) {
    warned = true;
    console.warn(`no time zone for jurisdiction ${jurisdiction}; insights use UTC months`);
  }
  return "UTC";
}
