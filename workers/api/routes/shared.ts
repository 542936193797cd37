// What the routes share: one page from the regional read model for the caller's tenant
// (the cursor decoded first, 400; a dead read model, 503) and a single read that says
// whether it is the masked copy.
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

/**
 * A single read as this region holds it. Outside the record's jurisdiction a region holds
 * only the masked copy [LF4]; the answer says so (`masked: true`, `Lifeline-Masked: true`)
 * so nobody mistakes `138****5678` for the number. A full copy reads exactly as its write
 * answered (no field added).
 */
export function served<V extends object>(
  c: Context<AppEnv>,
  view: V,
  residency: string | null,
): V & { masked?: true } {
  if (!isMaskedHere(c, residency)) return view;
  c.header("lifeline-masked", "true");
  return { ...view, masked: true };
}

/** Whether this region holds the masked copy of a record of that residency. */
export function isMaskedHere(c: Context<AppEnv>, residency: string | null): boolean {
  return residency !== null && residency !== c.env.JURISDICTION;
}
