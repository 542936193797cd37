// Which regions may serve a request, best first. [LF4] Only regions of the account's
// jurisdiction are ever candidates, for writes and for reads alike: a write must land
// where the data may live, and a read from a foreign region would only see the masked
// copy. With no healthy region left in the jurisdiction the answer is 503, never abroad.
import type { RegionInfo } from "./config.ts";

/** closed: healthy; trial: half-open and free to take its one trial; out: turned away. */
export type Standing = "closed" | "trial" | "out";

/**
 * Healthy regions before half-open ones (a trial risks one request); within each, the
 * client's Lifeline-Region hint first (it holds that region's latest writes), then the
 * configured order (the sort is stable), so every isolate prefers the same region.
 */
export function candidates(
  regions: readonly RegionInfo[],
  jurisdiction: string,
  hint: string | undefined,
  standing: (region: string) => Standing,
): RegionInfo[] {
  return regions
    .filter((region) => region.jurisdiction === jurisdiction)
    .map((region) => ({ region, standing: standing(region.region) }))
    .filter((c) => c.standing !== "out")
    .map((c) => ({
      region: c.region,
      score: (c.standing === "closed" ? 0 : 2) + (c.region.region === hint ? 0 : 1),
    }))
    .sort((a, b) => a.score - b.score)
    .map((c) => c.region);
}
