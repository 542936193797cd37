// What an experiment's arms count, over a libSQL file database with the real migrations:
// only answers on insights assigned an arm while the experiment ran. An isolate whose copy
// of the experiment had not seen its promotion yet still records an arm; that insight was
// made after the change, so it counts for no arm.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { expect, test } from "vitest";
import { CONTROL } from "../../../core/insights/experiments.ts";
import type { ReadModelDb } from "../../../db/client.ts";
import * as schema from "../../../db/schema.ts";
import { armCounts } from "./experiments.ts";
import { recordFeedback, recordInsight } from "./store.ts";

const TENANT = "ten_a";
const STRATEGY = "generic.value-case";
const EXPERIMENT = "exp_1";
const STARTED = "2026-06-01T00:00:00.000Z";
const PROMOTED = "2026-06-10T00:00:00.000Z";

/** A fresh database, migrated, removed when `body` ends. */
async function withDb(body: (db: ReadModelDb) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "lifeline-experiments-"));
  const client = createClient({ url: `file:${join(dir, "read-model.db")}` });
  try {
    const db = drizzle(client, { schema }) as unknown as ReadModelDb;
    await migrate(drizzle(client), { migrationsFolder: "migrations" });
    await db.insert(schema.insightExperiments).values({
      tenantId: TENANT,
      strategy: STRATEGY,
      id: EXPERIMENT,
      arms: [CONTROL, "tco-first"],
      status: "running",
      promoted: null,
      startedAt: STARTED,
      updatedAt: STARTED,
      version: 1,
      lastChangeKey: null,
    });
    await body(db);
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An insight shown `variant` of the experiment at `at`, and a rep's answer on it. */
async function answered(
  db: ReadModelDb,
  id: string,
  variant: string,
  at: string,
  adopted: boolean,
) {
  await recordInsight(db, {
    tenantId: TENANT,
    id,
    strategies: [STRATEGY],
    variants: { [STRATEGY]: { experimentId: EXPERIMENT, variant } },
    rulesFingerprint: "f",
    createdBy: "usr_rep",
    createdAt: at,
  });
  const outcome = await recordFeedback(db, {
    tenantId: TENANT,
    insightId: id,
    strategy: STRATEGY,
    adopted,
    answeredBy: "usr_rep",
    answeredAt: at,
  });
  expect(outcome).toBe("recorded");
}

test("[AB] while an experiment runs, every answer with an arm counts for it", async () => {
  await withDb(async (db) => {
    await answered(db, "ins_1", "tco-first", "2026-06-02T00:00:00.000Z", true);
    await answered(db, "ins_2", CONTROL, "2026-06-03T00:00:00.000Z", false);
    const counts = (await armCounts(db, TENANT, [EXPERIMENT])).get(EXPERIMENT)!;
    expect(counts.countedUntil).toBeNull();
    expect(Object.fromEntries(counts.arms)).toEqual({
      "tco-first": { answered: 1, adopted: 1 },
      [CONTROL]: { answered: 1, adopted: 0 },
    });
  });
});

test("[AB] an insight made after the experiment's first change counts for no arm, even with an arm recorded", async () => {
  await withDb(async (db) => {
    await answered(db, "ins_1", "tco-first", "2026-06-02T00:00:00.000Z", true);
    await db.insert(schema.insightExperimentChanges).values({
      tenantId: TENANT,
      idempotencyKey: "k1",
      experimentId: EXPERIMENT,
      strategy: STRATEGY,
      action: "promote",
      variant: "tco-first",
      by: "usr_admin",
      at: PROMOTED,
      detail: {},
    });
    // A stale isolate, still serving the running experiment after the promotion.
    await answered(db, "ins_2", "tco-first", "2026-06-11T00:00:00.000Z", false);
    // An insight made before the promotion and answered after it still counts.
    await answered(db, "ins_3", CONTROL, "2026-06-09T00:00:00.000Z", false);
    await recordFeedback(db, {
      tenantId: TENANT,
      insightId: "ins_3",
      strategy: STRATEGY,
      adopted: true,
      answeredBy: "usr_rep",
      answeredAt: "2026-06-12T00:00:00.000Z",
    });
    const counts = (await armCounts(db, TENANT, [EXPERIMENT])).get(EXPERIMENT)!;
    expect(counts.countedUntil).toBe(PROMOTED);
    expect(Object.fromEntries(counts.arms)).toEqual({
      "tco-first": { answered: 1, adopted: 1 },
      [CONTROL]: { answered: 1, adopted: 1 },
    });
  });
});
