// Durations as QStash writes them: Go-style `1d10h30m`, `10s`, `500ms` in headers, and the
// destination's `Retry-After` (seconds, HTTP date or duration) that can override a backoff.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** `1d10h30m` → ms; a bare integer counts as seconds. null when malformed. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (s.length === 0 || s.length > 64) return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return null;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  return Number.isFinite(total) ? total : null;
}

export const ONE_DAY_MS = 86_400_000;

/**
 * A destination's requested wait before the next attempt, or null if absent, unparsable or
 * beyond one day (QStash then keeps its own backoff).
 */
export function retryAfterMs(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  let ms: number | null;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else if (/^[\d.]+(ms|s|m|h|d)/.test(v)) ms = parseDurationMs(v);
  else {
    const at = Date.parse(v);
    ms = Number.isNaN(at) ? null : Math.max(0, at - nowMs);
  }
  return ms !== null && ms <= ONE_DAY_MS ? ms : null;
}
