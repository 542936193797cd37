// The shape of a region name as HLCs, replication batches and the region map carry it.
// Which region belongs to which jurisdiction is configuration: replication/regions.ts.
import { z } from "zod";

/** A region name as HLCs and replication batches carry it. */
export const RegionName = z.string().regex(/^[a-z0-9-]{1,32}$/, {
  message: "must be a region name such as cn-east",
});
