// Emulated geography for local benchmarks: a per-link round-trip delay added to every
// direct delivery between two regions (e.g. cn↔cn 30 ms, cn↔eu 200 ms). Off unless the
// EMULATED_RTT_MS var is set; never set in a deployed region.

export type RttTable = Record<string, number>;

/** `EMULATED_RTT_MS` is JSON `{ "cn-east|eu-central": 200, … }`; the pair order does not matter. */
export function rttTableOf(env: { EMULATED_RTT_MS?: string }): RttTable {
  if (!env.EMULATED_RTT_MS) return {};
  const parsed = JSON.parse(env.EMULATED_RTT_MS) as RttTable;
  for (const [pair, ms] of Object.entries(parsed)) {
    if (!/^[a-z0-9-]+\|[a-z0-9-]+$/.test(pair) || !Number.isFinite(ms) || ms < 0 || ms > 10_000) {
      throw new Error(`EMULATED_RTT_MS: bad entry ${pair}=${ms}`);
    }
  }
  return parsed;
}

export function rttBetween(table: RttTable, a: string, b: string): number {
  return table[`${a}|${b}`] ?? table[`${b}|${a}`] ?? 0;
}
