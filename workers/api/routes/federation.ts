// A tenant's side of federated learning in this region: staff add labelled utterances (a
// rep's corrected sentiment, an import), which stay in this region's database; anyone of
// the tenant's staff reads the region's federation status and classifies texts with the
// version this region serves (only one that passed its held-out check). The text of a
// labelled utterance is never returned by any route, here or elsewhere.
import { z } from "@hono/zod-openapi";
import { FreeText, sha256Hex } from "../../../core/index.ts";
import { decodeParams, paramsHash } from "../../../ml/federated/codec.ts";
import { classify, FEDERATED_SPEC, LABELS } from "../../../ml/federated/model.ts";
import { PARAMS_LENGTH } from "../../../ml/federated/wire.ts";
import { Problem } from "../errors.ts";
import { coordinatorOf } from "../federation/coordinator.ts";
import {
  modelAt,
  participationOf,
  putUtterances,
  recentDecisions,
  recentRounds,
  servedDecision,
  utteranceCounts,
} from "../federation/store.ts";
import { requireRole } from "../middleware/roles.ts";
import { bearerRoutes, json, jsonBody, NoQuery, problem } from "../openapi.ts";
import { fromReadModel, readModel } from "../read-model.ts";
import { newRouter } from "../router.ts";

export const federation = newRouter();
const route = bearerRoutes("federation");

/** Rows per request: 100 of 500 characters stay under the API's 256 KiB body limit in any script. */
export const MAX_UTTERANCES_PER_REQUEST = 100;
/** Without a `use`, one row in five (by its id's hash) is held out to judge new versions. */
const HOLDOUT_SHARE_OF_256 = 51;

const STAFF = ["admin", "manager", "rep", "integrator"] as const;
const UNAVAILABLE = {
  title: "Federation storage is temporarily unavailable",
  detail:
    "The regional database did not answer in time; retry shortly. Lifeline flows are unaffected.",
};

const Utterance = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .meta({ description: "The client's id: adding it again replaces the row" }),
    lang: z.enum(["zh", "en"]),
    industry: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
    speaker: z.enum(["customer", "rep"]).optional(),
    text: FreeText(500),
    label: z.enum(LABELS),
    use: z.enum(["train", "holdout"]).optional().meta({
      description: "`holdout` rows only judge new versions; default: one in five by the id's hash",
    }),
  })
  .meta({ id: "LabelledUtterance" });

const Counts = z
  .object({ train: z.int(), holdout: z.int() })
  .meta({ id: "LabelledUtteranceCounts" });

federation.openapi(
  route({
    method: "post",
    path: "/v1/federation/utterances",
    operationId: "addLabelledUtterances",
    summary:
      "Add labelled utterances to this region's federated-learning rows (they never leave it)",
    description: `Up to ${MAX_UTTERANCES_PER_REQUEST} rows; a row whose id exists is replaced, so a retried request changes nothing. Staff of the tenant (admin, manager, rep, integrator).`,
    middleware: [requireRole(...STAFF)] as const,
    request: {
      query: NoQuery,
      body: jsonBody(
        z.strictObject({ items: z.array(Utterance).min(1).max(MAX_UTTERANCES_PER_REQUEST) }),
      ),
    },
    responses: {
      200: json(
        z.object({ stored: z.int(), counts: Counts }),
        "Stored; the tenant's rows in this region",
      ),
      400: problem("Invalid body; `errors` names the field"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not a staff role"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const { items } = c.req.valid("json");
    const at = new Date().toISOString();
    const rows = items.map((u) => ({
      tenantId: principal.tenantId,
      id: u.id,
      lang: u.lang,
      industry: u.industry ?? null,
      speaker: u.speaker ?? null,
      text: u.text,
      label: u.label,
      use: u.use ?? defaultUse(u.id),
      addedBy: `${principal.kind}:${principal.id}`,
      addedAt: at,
    }));
    const db = readModel(c.env);
    const counts = await fromReadModel(async () => {
      await putUtterances(db, rows);
      return utteranceCounts(db, principal.tenantId);
    }, UNAVAILABLE);
    return c.json({ stored: rows.length, counts }, 200);
  },
);

function defaultUse(id: string): "train" | "holdout" {
  return Number.parseInt(sha256Hex(id).slice(0, 2), 16) < HOLDOUT_SHARE_OF_256
    ? "holdout"
    : "train";
}

const Decision = z
  .object({
    version: z.int(),
    serve: z.boolean(),
    reason: z.string(),
    holdout: z.int(),
    candidateMacroF1: z.number().nullable(),
    servedVersion: z.int().nullable(),
    servedMacroF1: z.number().nullable(),
    decidedAt: z.string(),
  })
  .meta({ id: "FederationDecision" });

const Status = z
  .object({
    region: z.string(),
    coordinator: z.string(),
    participating: z.boolean(),
    minNoiseMultiplier: z.number(),
    utterances: Counts,
    served: z.object({ version: z.int(), decidedAt: z.string() }).nullable(),
    decisions: z
      .array(Decision)
      .meta({ description: "This region's last 10 held-out checks, newest first" }),
    rounds: z
      .array(
        z.object({
          round: z.int(),
          status: z.string(),
          baseVersion: z.int(),
          version: z.int().nullable(),
          startedAt: z.string(),
          finishedAt: z.string().nullable(),
        }),
      )
      .meta({ description: "On the coordinator: the tenant's last 10 rounds, newest first" }),
  })
  .meta({ id: "FederationStatus" });

federation.openapi(
  route({
    method: "get",
    path: "/v1/federation/status",
    operationId: "federationStatus",
    summary: "This region's federated learning: its rows, what it serves and why",
    middleware: [requireRole(...STAFF)] as const,
    request: { query: NoQuery },
    responses: {
      200: json(Status, "Counts only: no row's text"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not a staff role"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const tenantId = c.get("principal").tenantId;
    const db = readModel(c.env);
    const status = await fromReadModel(async () => {
      const [participation, utterances, served, decisions, rounds] = await Promise.all([
        participationOf(db, tenantId),
        utteranceCounts(db, tenantId),
        servedDecision(db, tenantId),
        recentDecisions(db, tenantId, 10),
        c.env.REGION === coordinatorOf(c.env) ? recentRounds(db, tenantId, 10) : [],
      ]);
      return {
        region: c.env.REGION,
        coordinator: coordinatorOf(c.env),
        participating: participation.enabled,
        minNoiseMultiplier: participation.minNoiseMultiplier,
        utterances,
        served: served ? { version: served.version, decidedAt: served.decidedAt } : null,
        decisions: decisions.map(({ tenantId: _, ...d }) => d),
        rounds: rounds.map(({ summary: _, tenantId: __, ...r }) => r),
      };
    }, UNAVAILABLE);
    return c.json(status, 200);
  },
);

/** Decoded served versions per isolate (tenant/version), a few at most. */
const decoded = new Map<string, { version: number; hash: string; params: Float32Array }>();

federation.openapi(
  route({
    method: "post",
    path: "/v1/federation/classify",
    operationId: "federatedClassify",
    summary: "Sentiment of texts by the federated version this region serves",
    description:
      "Only a version that passed this region's held-out check is ever used; until one has, the answer is 404 `no-served-model`. The texts are not stored.",
    middleware: [requireRole(...STAFF)] as const,
    request: {
      query: NoQuery,
      body: jsonBody(z.strictObject({ texts: z.array(FreeText(500)).min(1).max(50) })),
    },
    responses: {
      200: json(
        z
          .object({
            version: z.int(),
            hash: z.string(),
            results: z.array(
              z.object({ label: z.enum(LABELS), probabilities: z.array(z.number()) }),
            ),
          })
          .meta({ id: "FederatedClassification" }),
        "One result per text, in order; probabilities in the order negative, neutral, positive",
      ),
      400: problem("Invalid body"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not a staff role"),
      404: problem("This region serves no federated version yet (`no-served-model`)"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const tenantId = c.get("principal").tenantId;
    const { texts } = c.req.valid("json");
    const db = readModel(c.env);
    // Versions are immutable (a version held with other bytes is refused), so the decoded
    // parameters of one are kept per isolate and the database is asked for them once.
    const model = await fromReadModel(async () => {
      const served = await servedDecision(db, tenantId);
      if (!served) return null;
      const key = `${tenantId}/${served.version}`;
      const hit = decoded.get(key);
      if (hit) return hit;
      const row = await modelAt(db, tenantId, served.version);
      const params = row && decodeParams(row.params, PARAMS_LENGTH);
      if (!row || !params || paramsHash(params) !== row.hash)
        throw new Error(`served version ${served.version} is missing or does not match its hash`);
      if (decoded.size >= 4) decoded.clear();
      const fresh = { version: row.version, hash: row.hash, params };
      decoded.set(key, fresh);
      return fresh;
    }, UNAVAILABLE);
    if (!model)
      throw new Problem(
        404,
        "no-served-model",
        "No federated version served",
        `${c.env.REGION} serves no federated version for this tenant yet.`,
      );
    const params = model.params;
    const results = texts.map((t) => {
      const r = classify(FEDERATED_SPEC, params, t);
      return { label: r.label as (typeof LABELS)[number], probabilities: r.probabilities };
    });
    return c.json({ version: model.version, hash: model.hash, results }, 200);
  },
);
