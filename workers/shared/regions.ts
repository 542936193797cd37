// GET /v1/regions as every regional API and the router answer it: the REGIONS map as a
// client may read it (names, jurisdictions, public URLs: nothing secret), all of it or one
// jurisdiction's, so a client can fail over between the regions of its jurisdiction.
// Plain TypeScript: the router imports it, and the router must not pull in zod.
import type { RegionInfo } from "../../replication/regions.ts";
import { fieldProblem } from "./problem.ts";

/** The map changes only with a deployment: a minute of caching costs nothing. */
export const REGIONS_CACHE_CONTROL = "public, max-age=60";

/**
 * The regions of `jurisdiction` (every region without one), in REGIONS order. A
 * jurisdiction no region serves is a 400 naming the ones that exist: an empty list would
 * read as "no region is up".
 */
export function regionsIn(
  regions: readonly RegionInfo[],
  jurisdiction: string | undefined,
): RegionInfo[] {
  const all = regions.map(({ region, jurisdiction, url }) => ({ region, jurisdiction, url }));
  if (jurisdiction === undefined) return all;
  const known = [...new Set(all.map((r) => r.jurisdiction))];
  if (!known.includes(jurisdiction)) {
    const message = `is not a jurisdiction of this deployment (${known.join(", ")})`;
    throw fieldProblem("query", [{ field: "jurisdiction", message }], { jurisdictions: known });
  }
  return all.filter((r) => r.jurisdiction === jurisdiction);
}
