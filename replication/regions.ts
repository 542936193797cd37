// The region map every region, the router and the local scripts share (wrangler.toml
// `REGIONS`): who the peers are, which jurisdiction each belongs to, where to reach it.
// One parser for all of them. Checked by hand rather than with zod: the router is every
// client's first hop, and importing zod added ~1 s to a cold isolate's first request.

export type RegionInfo = { region: string; jurisdiction: string; url: string };

const REGION_NAME = /^[a-z0-9-]{1,32}$/;
const JURISDICTION = /^[a-z]{2,8}$/;

/** Parses and checks a REGIONS value; a malformed map is a deployment bug and throws. */
export function parseRegions(raw: string): RegionInfo[] {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error("REGIONS: not JSON");
  }
  if (!Array.isArray(list) || list.length === 0) throw new Error("REGIONS: not a non-empty array");
  const regions = list.map((entry: unknown, i): RegionInfo => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const { region, jurisdiction, url } = e;
    if (typeof region !== "string" || !REGION_NAME.test(region)) {
      throw new Error(`REGIONS[${i}].region: expected ${REGION_NAME}`);
    }
    if (typeof jurisdiction !== "string" || !JURISDICTION.test(jurisdiction)) {
      throw new Error(`REGIONS[${i}].jurisdiction: expected ${JURISDICTION}`);
    }
    if (typeof url !== "string" || !/^https?:$/.test(URL.parse(url)?.protocol ?? "")) {
      throw new Error(`REGIONS[${i}].url: expected an http(s) URL`);
    }
    return { region, jurisdiction, url };
  });
  if (new Set(regions.map((r) => r.region)).size !== regions.length) {
    throw new Error("REGIONS: region names repeat");
  }
  return regions;
}

type Parsed = {
  raw: string;
  regions: RegionInfo[];
  jurisdictionOf: (region: string) => string | null;
};
let cached: Parsed | null = null;

function parsed(env: { REGIONS: string }): Parsed {
  if (cached?.raw !== env.REGIONS) {
    const regions = parseRegions(env.REGIONS);
    const byRegion = new Map(regions.map((r) => [r.region, r.jurisdiction]));
    cached = { raw: env.REGIONS, regions, jurisdictionOf: (r) => byRegion.get(r) ?? null };
  }
  return cached;
}

/** Parsed once per isolate. */
export function regionsOf(env: { REGIONS: string }): RegionInfo[] {
  return parsed(env).regions;
}

/** A region's jurisdiction by name (own-property: a Map), null for a region not in REGIONS. */
export function jurisdictionLookup(env: { REGIONS: string }): (region: string) => string | null {
  return parsed(env).jurisdictionOf;
}

export function peersOf(env: { REGIONS: string; REGION: string }): RegionInfo[] {
  return regionsOf(env).filter((r) => r.region !== env.REGION);
}

/** Peers that may hold this jurisdiction's data unmasked: the candidates for `region` survival. */
export function jurisdictionPeers(
  env: { REGIONS: string; REGION: string },
  jurisdiction: string,
): RegionInfo[] {
  return peersOf(env).filter((r) => r.jurisdiction === jurisdiction);
}

export function regionInfo(env: { REGIONS: string }, region: string): RegionInfo | undefined {
  return regionsOf(env).find((r) => r.region === region);
}
