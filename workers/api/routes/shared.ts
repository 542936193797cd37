// What the list routes share: one page from the regional read model for the caller's
// tenant, the cursor decoded first (400) and a dead read model answered with 503.
import type { Context } from "hono";
import type { ReadModelDb } from "../../../db/client.ts";
import type { AppEnv } from "../env.ts";
import { cursorParts, fromReadModel, readModel } from "../read-model.ts";

export function readPage<Q extends { cursor?: string | undefined }, T>(
  c: Context<AppEnv>,
  { cursor, ...query }: Q,
  list: (
    db: ReadModelDb,
    tenantId: string,
    opts: Omit<Q, "cursor"> & { after: string[] | null },
  ) => Promise<T>,
): Promise<T> {
  const after = cursorParts(cursor, 2);
  return fromReadModel(() =>
    list(readModel(c.env), c.get("principal").tenantId, { ...query, after }),
  );
}
