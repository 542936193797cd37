// Local-mode-only routes (LIFELINE_MODE=local, set by `npm start`): dev seeding and the
// benchmark floor. They do not exist in a deployed region, and locally they answer only
// local tooling: the caller must send the generated local admin secret.
import { type Context, Hono } from "hono";
import { z } from "zod";
import { FieldPolicy, insights, sha256Hex, UserId } from "../../../core/index.ts";
import {
  clockOffsetMs,
  MAX_CLOCK_OFFSET_MS,
  setClockOffset,
} from "../../../durable-objects/clock.ts";
import { runRepairRound } from "../../../durable-objects/directory/anti-entropy.ts";
import {
  InferenceFault,
  inferenceFault,
  setInferenceFault,
} from "../../../durable-objects/local-faults.ts";
import { peersOf } from "../../../replication/regions.ts";
import { type AppEnv, isLocalMode } from "../env.ts";
import { Problem, validationProblem } from "../errors.ts";
import { directory } from "../middleware/auth.ts";

export const local = new Hono<AppEnv>();

/** The header local tooling (scripts/seed.ts, bench, test regions) sends the secret in. */
export const LOCAL_ADMIN_HEADER = "lifeline-local-admin";

/** Whether the request carries the local admin secret (compared as hashes: constant-time enough). */
function hasLocalAdminSecret(c: Context<AppEnv>): boolean {
  const expected = c.env.LOCAL_ADMIN_SECRET;
  const sent = c.req.header(LOCAL_ADMIN_HEADER);
  return !!expected && expected.length >= 16 && !!sent && sha256Hex(sent) === sha256Hex(expected);
}

/**
 * A request from local tooling (time-analyze, seeds): local mode and the local admin
 * secret. What it records is marked, so it never counts as a rep's behaviour.
 */
export function isLocalTooling(c: Context<AppEnv>): boolean {
  return isLocalMode(c.env) && hasLocalAdminSecret(c);
}

local.use("/__local/*", async (c, next) => {
  if (!isLocalMode(c.env)) throw new Problem(404, "not-found", "Not found");
  if (!hasLocalAdminSecret(c)) {
    throw new Problem(
      403,
      "forbidden",
      "Local tooling only",
      "Send the local admin secret from .data/secrets.json in the Lifeline-Local-Admin header.",
    );
  }
  await next();
});

const Seed = z.strictObject({
  tenant: z.object({
    id: z.string().regex(/^ten_[a-z0-9_]{1,40}$/),
    name: z.string().min(1).max(200),
    fieldPolicy: FieldPolicy.optional(),
    /** Applied only while the tenant has none: a restart does not undo a PUT. */
    insightRules: insights.InsightRules.optional(),
  }),
  apiKeys: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        key: z.string().regex(/^lk_[A-Za-z0-9_]{8,100}$/),
      }),
    )
    .max(20),
  users: z
    .array(
      z.object({
        /** As session tokens and `ownerId` name users: a seeded user must be one they can name. */
        id: UserId,
        email: z.email(),
        name: z.string().min(1),
        role: z.enum(["rep", "manager", "admin"]),
        password: z.string().min(8),
      }),
    )
    .max(20),
});

local.post("/__local/seed", async (c) => {
  const parsed = Seed.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  const { tenant, apiKeys, users } = parsed.data;
  await directory(c.env).seed({
    tenant: {
      ...tenant,
      insightRules: tenant.insightRules ? JSON.stringify(tenant.insightRules) : undefined,
    },
    apiKeys: apiKeys.map((k) => ({ id: k.id, name: k.name, keyHash: sha256Hex(k.key) })),
    // Hashed by the credentials worker: neither this isolate nor the region-wide
    // DirectoryDO runs PBKDF2.
    users: await Promise.all(
      users.map(async ({ password, ...u }) => ({
        ...u,
        passwordHash: await c.env.CREDENTIALS.hash(password),
      })),
    ),
  });
  return c.body(null, 204);
});

/**
 * The region's injected faults for chaos drills (scripts' fault proxies cover the network
 * and libSQL; these cover what lives in the isolate): the HLC wall clock's offset and the
 * inference calls' delay and failure rate.
 */
const ClockBody = z.strictObject({
  offsetMs: z.number().int().min(-MAX_CLOCK_OFFSET_MS).max(MAX_CLOCK_OFFSET_MS),
});
const localFaults = () => ({ clockOffsetMs: clockOffsetMs(), inference: inferenceFault() });

local.get("/__local/faults", (c) => c.json(localFaults()));

local.put("/__local/clock", async (c) => {
  const parsed = ClockBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  setClockOffset(parsed.data.offsetMs);
  return c.json(localFaults());
});

local.put("/__local/faults/inference", async (c) => {
  const parsed = InferenceFault.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  setInferenceFault(parsed.data);
  return c.json(localFaults());
});

/** Benchmark floor: one bare DO SQLite write through this same worker. */
local.post("/__local/floor/:shard", async (c) => {
  const shard = c.req.param("shard");
  const stub = c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName(`__floor__/${shard}`));
  const written = await stub.floorWrite(await c.req.text());
  return c.json({ written });
});

/**
 * One anti-entropy round now (`npm run chaos -- repair`), against every peer or the one
 * named, with the periodic job's limits per peer and a longer deadline.
 */
const RepairBody = z.strictObject({ peer: z.string().max(32).optional() });
const REPAIR_BUDGET_MS = 120_000;

local.post("/__local/anti-entropy/repair", async (c) => {
  const parsed = RepairBody.safeParse(await c.req.json().catch(() => ({})));
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  const { peer } = parsed.data;
  const peers = peersOf(c.env).filter((p) => peer === undefined || p.region === peer);
  if (peers.length === 0)
    throw new Problem(
      404,
      "not-found",
      "No such peer",
      `${peer} is not a peer of ${c.env.REGION}.`,
    );
  return c.json(await runRepairRound(c.env, { peers, budgetMs: REPAIR_BUDGET_MS }));
});
