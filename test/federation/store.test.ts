// The federation tables' rules, on a real libSQL engine (in memory, migrated as deployed):
// a row's use is fixed once stored, the scheduled run's round-robin, rounds counted per base
// version, and the best version ever served kept and found.
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { beforeEach, describe, expect, test } from "vitest";
import type { ReadModelDb } from "../../db/client.ts";
import * as schema from "../../db/schema.ts";
import type { DecisionV1 } from "../../ml/federated/wire.ts";
import {
  bestServedDecision,
  claimRound,
  finishRound,
  modelAt,
  putModel,
  putUtterances,
  recordDecision,
  roundsFromBase,
  scheduledTenants,
  setParticipation,
  utteranceCounts,
  utteranceOf,
  VERSIONS_KEPT,
} from "../../workers/api/federation/store.ts";

let db: ReadModelDb;

beforeEach(async () => {
  db = drizzle(createClient({ url: ":memory:" }), { schema });
  await migrate(db, { migrationsFolder: "migrations" });
});

const row = (
  id: string,
  use: "train" | "holdout",
  label: "negative" | "neutral" | "positive" = "neutral",
) => ({
  tenantId: "ten_a",
  id,
  lang: "en" as const,
  industry: null,
  speaker: null,
  text: `text of ${id}`,
  label,
  use,
  addedBy: "user:usr_a",
  addedAt: "2026-12-08T00:00:00Z",
});

describe("[FL10] labelled utterances", () => {
  test("[FL10] posting a row again replaces its label but never moves it between train and holdout", async () => {
    await putUtterances(db, [row("u1", "holdout"), row("u2", "train")]);
    await putUtterances(db, [
      { ...row("u1", "train", "positive"), addedBy: "user:usr_b" },
      row("u2", "holdout"),
    ]);
    expect(await utteranceCounts(db, "ten_a")).toEqual({ train: 1, holdout: 1 });
    expect(await utteranceOf(db, "ten_a", "u1")).toEqual({ addedBy: "user:usr_b", use: "holdout" });
    expect(await utteranceOf(db, "ten_a", "u2")).toMatchObject({ use: "train" });
  });
});

describe("[FL5] the scheduled run", () => {
  const participate = (tenantId: string, enabled = true) =>
    setParticipation(db, {
      tenantId,
      enabled,
      minNoiseMultiplier: 0,
      updatedBy: "usr_a",
      updatedAt: "2026-12-01T00:00:00Z",
    });
  const ran = async (
    tenantId: string,
    round: number,
    at: string,
    status: "advanced" | "stalled" = "advanced",
  ) => {
    await claimRound(db, { tenantId, round, baseVersion: round - 1, startedAt: at });
    await finishRound(db, tenantId, round, {
      status,
      version: status === "advanced" ? round : null,
      finishedAt: at,
      summary: {},
    });
  };

  test("[FL5] takes at most its limit, never-run tenants first, then the least recently run: no tenant starves", async () => {
    for (const t of ["ten_a", "ten_b", "ten_c", "ten_d"]) await participate(t);
    await ran("ten_a", 1, "2026-12-03T03:17:00Z");
    await ran("ten_b", 1, "2026-12-01T03:17:00Z");
    const since = "2026-11-01T00:00:00Z";
    expect(await scheduledTenants(db, 3, since)).toEqual(["ten_c", "ten_d", "ten_b"]);
    await ran("ten_c", 1, "2026-12-04T03:17:00Z");
    await ran("ten_d", 1, "2026-12-04T03:17:01Z");
    await ran("ten_b", 2, "2026-12-04T03:17:02Z");
    expect(await scheduledTenants(db, 3, since)).toEqual(["ten_a", "ten_c", "ten_d"]);
  });

  test("[FL5] also takes tenants that take part elsewhere and made a version lately; not one that stopped", async () => {
    await participate("ten_here");
    await participate("ten_off", false);
    await ran("ten_elsewhere", 1, "2026-12-02T03:17:00Z");
    await ran("ten_long_ago", 1, "2026-06-01T03:17:00Z");
    await ran("ten_stalled", 1, "2026-12-02T03:17:00Z", "stalled");
    expect(await scheduledTenants(db, 10, "2026-11-01T00:00:00Z")).toEqual([
      "ten_here",
      "ten_elsewhere",
    ]);
  });

  test("[FL9] rounds are counted per base version within the window", async () => {
    await claimRound(db, {
      tenantId: "ten_a",
      round: 1,
      baseVersion: 4,
      startedAt: "2026-12-01T00:00:00Z",
    });
    await claimRound(db, {
      tenantId: "ten_a",
      round: 2,
      baseVersion: 4,
      startedAt: "2026-12-02T00:00:00Z",
    });
    await claimRound(db, {
      tenantId: "ten_a",
      round: 3,
      baseVersion: 5,
      startedAt: "2026-12-02T01:00:00Z",
    });
    expect(await roundsFromBase(db, "ten_a", 4, "2026-11-30T00:00:00Z")).toBe(2);
    expect(await roundsFromBase(db, "ten_a", 4, "2026-12-01T12:00:00Z")).toBe(1);
    expect(await roundsFromBase(db, "ten_b", 4, "2026-11-30T00:00:00Z")).toBe(0);
  });
});

describe("[FL4] the best version ever served", () => {
  const decision = (version: number, serve: boolean, macroF1: number): DecisionV1 => ({
    version,
    serve,
    reason: serve ? "not-worse-than-served" : "worse-than-served",
    holdout: 40,
    candidateMacroF1: macroF1,
    servedVersion: null,
    servedMacroF1: null,
  });
  const model = (version: number) => ({
    version,
    parent: version - 1,
    round: version,
    hash: version.toString(16).padStart(64, "0"),
    params: "AAAA",
  });

  test("[FL4] is the served version judged best (the newest of equals), and is kept however many versions follow", async () => {
    await recordDecision(db, "ten_a", decision(1, true, 0.6), "t");
    await recordDecision(db, "ten_a", decision(2, true, 0.7), "t");
    await recordDecision(db, "ten_a", decision(3, false, 0.9), "t");
    await recordDecision(db, "ten_a", decision(4, true, 0.69), "t");
    expect((await bestServedDecision(db, "ten_a"))?.version).toBe(2);
    await recordDecision(db, "ten_a", decision(5, true, 0.7), "t");
    expect((await bestServedDecision(db, "ten_a"))?.version).toBe(5);
    for (let v = 1; v <= VERSIONS_KEPT + 8; v++) await putModel(db, "ten_a", model(v), "t");
    await recordDecision(db, "ten_a", decision(VERSIONS_KEPT + 8, true, 0.65), "t");
    await putModel(db, "ten_a", model(VERSIONS_KEPT + 9), "t");
    // Versions older than the last VERSIONS_KEPT go, except the best served (5) and the served one.
    expect(await modelAt(db, "ten_a", 5)).not.toBeNull();
    expect(await modelAt(db, "ten_a", 4)).toBeNull();
    expect(await modelAt(db, "ten_a", VERSIONS_KEPT + 8)).not.toBeNull();
  });
});
