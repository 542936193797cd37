// Hybrid logical clock (Kulkarni et al.): a total order over events that respects
// causality and stays close to wall time. Timestamps compare by (wallMs, counter, region);
// raw wall-clock order is never trusted. Time is a parameter, never read here.

export type Hlc = { readonly wallMs: number; readonly counter: number; readonly region: string };

/** A remote clock further ahead than this is refused rather than dragging ours forward. */
export const MAX_DRIFT_MS = 60_000;
const MAX_COUNTER = 0xffff;

export function zeroHlc(region: string): Hlc {
  return { wallMs: 0, counter: 0, region };
}

/** Local event or send: advance past both the last timestamp and the wall clock. */
export function tick(last: Hlc, nowMs: number): Hlc {
  if (nowMs > last.wallMs) return { wallMs: nowMs, counter: 0, region: last.region };
  return bump(last.wallMs, last.counter + 1, last.region);
}

export type ReceiveResult = { ok: true; hlc: Hlc } | { ok: false; driftMs: number };

/** Receive: the merged clock is after the local clock, the remote stamp and now. */
export function receive(
  local: Hlc,
  remote: Hlc,
  nowMs: number,
  maxDriftMs = MAX_DRIFT_MS,
): ReceiveResult {
  const driftMs = remote.wallMs - nowMs;
  if (driftMs > maxDriftMs) return { ok: false, driftMs };
  const wallMs = Math.max(local.wallMs, remote.wallMs, nowMs);
  let counter = 0;
  if (wallMs === local.wallMs && wallMs === remote.wallMs) {
    counter = Math.max(local.counter, remote.counter) + 1;
  } else if (wallMs === local.wallMs) counter = local.counter + 1;
  else if (wallMs === remote.wallMs) counter = remote.counter + 1;
  return { ok: true, hlc: bump(wallMs, counter, local.region) };
}

function bump(wallMs: number, counter: number, region: string): Hlc {
  // A counter overflow borrows the next millisecond instead of wrapping around.
  if (counter > MAX_COUNTER) return { wallMs: wallMs + 1, counter: 0, region };
  return { wallMs, counter, region };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.region < b.region ? -1 : a.region > b.region ? 1 : 0;
}

/** Fixed-width string whose lexicographic order is the HLC order: `wallMs.counter.region`. */
export function encodeHlc(h: Hlc): string {
  return `${h.wallMs.toString().padStart(15, "0")}.${h.counter.toString(16).padStart(4, "0")}.${h.region}`;
}

const HLC_PATTERN = /^(\d{15})\.([0-9a-f]{4})\.([a-z0-9-]{1,32})$/;

export function decodeHlc(s: string): Hlc {
  const m = HLC_PATTERN.exec(s);
  if (!m) throw new RangeError(`not an HLC timestamp: ${s}`);
  return { wallMs: Number(m[1]), counter: Number.parseInt(m[2]!, 16), region: m[3]! };
}

export function isHlc(s: string): boolean {
  return HLC_PATTERN.test(s);
}
