// Which regions belong to which jurisdiction (DESIGN §4). Only regions of an account's
// residency jurisdiction may hold its restricted fields unmasked [LF4].
import { z } from "zod";

/** A region name as HLCs and replication batches carry it. */
export const RegionName = z.string().regex(/^[a-z0-9-]{1,32}$/, {
  message: "must be a region name such as cn-east",
});

export const JurisdictionMap = z
  .record(
    z.string().regex(/^[a-z]{2,8}$/, { message: "must be a jurisdiction code such as cn" }),
    z.array(RegionName).min(1),
  )
  .superRefine((map, ctx) => {
    const owner = new Map<string, string>();
    for (const [jurisdiction, regions] of Object.entries(map)) {
      for (const region of regions) {
        const other = owner.get(region);
        if (other !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [jurisdiction],
            message: `region ${region} is already in jurisdiction ${other}`,
          });
        }
        owner.set(region, jurisdiction);
      }
    }
  })
  .meta({ id: "JurisdictionMap" });
export type JurisdictionMap = z.infer<typeof JurisdictionMap>;

export const DEFAULT_JURISDICTIONS: JurisdictionMap = JurisdictionMap.parse({
  cn: ["cn-east", "cn-south"],
  eu: ["eu-central"],
});

/** The jurisdiction a region belongs to, or null for a region the tenant does not map. */
export function jurisdictionOf(
  region: string,
  map: JurisdictionMap = DEFAULT_JURISDICTIONS,
): string | null {
  for (const [jurisdiction, regions] of Object.entries(map)) {
    if (regions.includes(region)) return jurisdiction;
  }
  return null;
}

export function regionsOf(
  jurisdiction: string,
  map: JurisdictionMap = DEFAULT_JURISDICTIONS,
): readonly string[] {
  return map[jurisdiction] ?? [];
}

/** Whether `region` may store and serve restricted fields of an account resident in `residency`. */
export function mayHoldUnmasked(
  region: string,
  residency: string,
  map: JurisdictionMap = DEFAULT_JURISDICTIONS,
): boolean {
  return jurisdictionOf(region, map) === residency;
}
