// A tenant's side of federated learning in this region: staff add labelled utterances (a
// rep's corrected sentiment, an import) of calls with a customer resident in this region's
// jurisdiction, which stay in this region's database, and delete them (an admin, or whoever
// added one; audited); anyone of the tenant's staff reads the region's federation status and
// classifies texts with the version this region serves (only one that passed its held-out
// check). The text of a labelled utterance is never returned by any route, here or elsewhere.
import { z } from "@hono/zod-openapi";
import { AccountId, FreeText, sha256Hex } from "../../../core/index.ts";
import { accountStub, auditStub } from "../../../durable-objects/stubs.ts";
import { classify, FEDERATED_SPEC, LABELS } from "../../../ml/federated/model.ts";
import type { ModelV1 } from "../../../ml/federated/wire.ts";
import { domainProblem, Problem } from "../errors.ts";
import { coordinatorOf } from "../federation/coordinator.ts";
import { storedParams } from "../federation/participant.ts";
import {
  deleteUtterance,
  modelAt,
  participationOf,
  putUtterances,
  recentDecisions,
  recentRounds,
  servedDecision,
  utteranceCounts,
  utteranceOf,
} from "../federation/store.ts";
import { wrongJurisdiction } from "../lifeline.ts";
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

const UtteranceId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

const Utterance = z
  .strictObject({
    id: UtteranceId.meta({
      description: "The client's id: adding it again replaces the row (never its `use`)",
    }),
    customerId: AccountId.meta({
      description:
        "The customer the call was with: the row is stored only in a region of the customer's residency",
    }),
    lang: z.enum(["zh", "en"]),
    industry: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
    speaker: z.enum(["customer", "rep"]).optional(),
    text: FreeText(500),
    label: z.enum(LABELS),
    use: z.enum(["train", "holdout"]).optional().meta({
      description:
        "`holdout` rows only judge new versions; default: one in five by the id's hash. Fixed when the row is first stored: posting it again does not move it",
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
    description: `Up to ${MAX_UTTERANCES_PER_REQUEST} rows, each of a call with a customer resident in this region's jurisdiction (409 \`wrong-jurisdiction\` names the regions to send it to otherwise; 422 for a customer unknown here). A row whose id exists is replaced except its \`use\`, so a retried request changes nothing and no row moves between train and holdout. Staff of the tenant (admin, manager, rep, integrator).`,
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
      409: problem("A customer resides in another jurisdiction (`wrong-jurisdiction`)"),
      422: problem("A customer is unknown in this region; `errors` names the row"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const { items } = c.req.valid("json");
    await requireResidentHere(c.env, principal.tenantId, items);
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

federation.openapi(
  route({
    method: "delete",
    path: "/v1/federation/utterances/{id}",
    operationId: "deleteLabelledUtterance",
    summary: "Delete one of the tenant's labelled utterances in this region",
    description:
      "An admin deletes any row; other staff only rows they added. The row no longer trains or judges any later version (versions already made keep what they learnt). Audited (`policy-change`, `federation-utterance-deleted`, no text).",
    middleware: [requireRole(...STAFF)] as const,
    request: { params: z.object({ id: UtteranceId }), query: NoQuery },
    responses: {
      200: json(
        z.object({ deleted: z.string(), counts: Counts }),
        "Deleted; the tenant's rows in this region",
      ),
      401: problem("Missing or invalid credentials"),
      403: problem("Not a staff role, or a row someone else added and the caller is no admin"),
      404: problem("This region holds no such row of the tenant"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const { id } = c.req.valid("param");
    const db = readModel(c.env);
    const row = await fromReadModel(() => utteranceOf(db, principal.tenantId, id), UNAVAILABLE);
    if (!row)
      throw new Problem(
        404,
        "not-found",
        "Not found",
        `This region holds no labelled utterance ${id}.`,
      );
    const by = `${principal.kind}:${principal.id}`;
    if (principal.role !== "admin" && row.addedBy !== by)
      throw new Problem(
        403,
        "not-author",
        "Not your row",
        "Only an admin or whoever added a labelled utterance may delete it.",
      );
    const counts = await fromReadModel(async () => {
      await deleteUtterance(db, principal.tenantId, id);
      return utteranceCounts(db, principal.tenantId);
    }, UNAVAILABLE);
    const at = new Date().toISOString();
    await auditStub(c.env).append({
      key: `federation-utterance-deleted:${principal.tenantId}:${id}:${at}:${principal.id}`,
      kind: "policy-change",
      detail: {
        tenantId: principal.tenantId,
        what: "federation-utterance-deleted",
        id,
        use: row.use,
        addedBy: row.addedBy,
        by,
      },
    });
    return c.json({ deleted: id, counts }, 200);
  },
);

/**
 * Every row's customer exists here and resides in this region's jurisdiction, as for any
 * write about a customer [LF4]: a call's words are stored where its customer's data lives,
 * never in whichever region the request reached. Each customer is read once.
 */
async function requireResidentHere(
  env: Env,
  tenantId: string,
  items: ReadonlyArray<{ customerId: string }>,
): Promise<void> {
  const ids = [...new Set(items.map((u) => u.customerId))];
  const customers = await Promise.all(
    ids.map((id) => accountStub(env, tenantId, id).getCustomer()),
  );
  for (const [i, id] of ids.entries()) {
    const customer = customers[i];
    if (!customer) {
      const row = items.findIndex((u) => u.customerId === id);
      throw domainProblem({
        code: "not-found",
        entity: "customer",
        id,
        field: `items.${row}.customerId`,
      });
    }
    if (customer.residency !== env.JURISDICTION)
      throw wrongJurisdiction(
        env,
        customer.residency,
        `Add labelled utterances of calls with ${id} in a ${customer.residency} region: they stay in the customer's jurisdiction.`,
      );
  }
}

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

function decodedOnce(tenantId: string, version: number, row: ModelV1 | null) {
  const params = storedParams(tenantId, version, row);
  if (decoded.size >= 4) decoded.clear();
  const fresh = { version, hash: row!.hash, params };
  decoded.set(`${tenantId}/${version}`, fresh);
  return fresh;
}

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
      500: problem("The served version failed its integrity check (`model-integrity`)"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const tenantId = c.get("principal").tenantId;
    const { texts } = c.req.valid("json");
    const db = readModel(c.env);
    // Versions are immutable (a version held with other bytes is refused), so the decoded
    // parameters of one are kept per isolate and the database is asked for them once.
    const found = await fromReadModel(async () => {
      const served = await servedDecision(db, tenantId);
      if (!served) return null;
      const hit = decoded.get(`${tenantId}/${served.version}`);
      if (hit) return { hit };
      return { version: served.version, row: await modelAt(db, tenantId, served.version) };
    }, UNAVAILABLE);
    // Checked outside fromReadModel: a stored version that fails its hash is this region's
    // data gone bad, a 500 saying so (logged), not a 503 "retry shortly".
    const model =
      found && ("hit" in found ? found.hit : decodedOnce(tenantId, found.version, found.row));
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
