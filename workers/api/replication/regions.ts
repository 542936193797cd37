// The region map every region shares (wrangler.toml `REGIONS`): who the peers are, which
// jurisdiction each belongs to, and where to reach it.
import { z } from "zod";

export const RegionInfo = z.object({
  region: z.string().regex(/^[a-z0-9-]{1,32}$/),
  jurisdiction: z.string().regex(/^[a-z]{2,8}$/),
  url: z.url(),
});
export type RegionInfo = z.infer<typeof RegionInfo>;

const RegionList = z.array(RegionInfo).min(1);

let cached: { raw: string; regions: RegionInfo[] } | null = null;

/** Parsed once per isolate; a malformed map is a deployment bug and fails loudly. */
export function regionsOf(env: Pick<Env, "REGIONS">): RegionInfo[] {
  if (cached?.raw !== env.REGIONS)
    cached = { raw: env.REGIONS, regions: RegionList.parse(JSON.parse(env.REGIONS)) };
  return cached.regions;
}

export function peersOf(env: Pick<Env, "REGIONS" | "REGION">): RegionInfo[] {
  return regionsOf(env).filter((r) => r.region !== env.REGION);
}

/** Peers that may hold this jurisdiction's data unmasked: the candidates for `region` survival. */
export function jurisdictionPeers(
  env: Pick<Env, "REGIONS" | "REGION">,
  jurisdiction: string,
): RegionInfo[] {
  return peersOf(env).filter((r) => r.jurisdiction === jurisdiction);
}

export function regionInfo(env: Pick<Env, "REGIONS">, region: string): RegionInfo | undefined {
  return regionsOf(env).find((r) => r.region === region);
}
