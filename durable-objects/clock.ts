// The wall clock the AccountDO stamps HLCs with. In local mode a chaos drill can offset it
// at runtime (`npm run chaos -- fault clock-skew cn-east +6m`, through `PUT /__local/clock`),
// to show what a region with a skewed clock does to its peers: events more than
// REPLICATION_MAX_SKEW_MS ahead are quarantined by receivers [LF8]. workerd runs a Worker's
// Durable Objects in the isolate of its fetch handler, so this one module state reaches
// both. Deployed regions never set it (the route exists only in local mode).

/** Bounded, so a typo cannot send HLCs into another century. */
export const MAX_CLOCK_OFFSET_MS = 24 * 60 * 60 * 1000;
let offsetMs = 0;

export const wallClock = (): number => Date.now() + offsetMs;
export const clockOffsetMs = (): number => offsetMs;

export function setClockOffset(ms: number): void {
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_CLOCK_OFFSET_MS)
    throw new RangeError(`a clock offset is an integer within ±${MAX_CLOCK_OFFSET_MS} ms`);
  offsetMs = ms;
}
