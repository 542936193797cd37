// A tenant's admins and federated learning: whether this region's rows take part in rounds
// (and the least noise it adds), audited; on the coordinator, running rounds now (the cron
// trigger runs one a day) and reading a version's parameters (the bench evaluates them on
// held-out data it holds itself). Admin role checked for /v1/admin/* in index.ts.
import { z } from "@hono/zod-openapi";
import { auditStub } from "../../../durable-objects/stubs.ts";
import { DEFAULT_ROUND_CONFIG } from "../../../ml/federated/round.ts";
import { TrainingV1 } from "../../../ml/federated/wire.ts";
import { Problem } from "../errors.ts";
import {
  coordinatorOf,
  MAX_REGIONS,
  MAX_ROUNDS_PER_RUN,
  requireCoordinator,
  requireReachable,
  runRounds,
} from "../federation/coordinator.ts";
import { modelAt, setParticipation } from "../federation/store.ts";
import { bearerRoutes, json, jsonBody, NoQuery, problem } from "../openapi.ts";
import { fromReadModel, readModel } from "../read-model.ts";
import { newRouter } from "../router.ts";
import { adminProblems } from "./admin.ts";

export const federationAdmin = newRouter();
const route = bearerRoutes("federation");

const Participation = z
  .strictObject({
    enabled: z.boolean(),
    minNoiseMultiplier: z.number().min(0).max(10).default(0).meta({
      description: "σ this region adds to its updates at least (N(0, (σ·C)²) per coordinate)",
    }),
  })
  .meta({ id: "FederationParticipation" });

federationAdmin.openapi(
  route({
    method: "put",
    path: "/v1/admin/federation/participation",
    operationId: "setFederationParticipation",
    summary: "Whether this region's labelled rows of the tenant take part in federated rounds",
    description:
      "Per region: each region's admins decide for their rows. Off (the default), the region declines every round and judges no version. Audited (`policy-change`).",
    request: { query: NoQuery, body: jsonBody(Participation) },
    responses: {
      200: json(Participation, "In force in this region"),
      400: problem("Invalid body"),
      ...adminProblems,
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const at = new Date().toISOString();
    await fromReadModel(() =>
      setParticipation(readModel(c.env), {
        tenantId: principal.tenantId,
        ...body,
        updatedBy: principal.id,
        updatedAt: at,
      }),
    );
    await auditStub(c.env).append({
      key: `federation-participation:${principal.tenantId}:${at}:${principal.id}`,
      kind: "policy-change",
      detail: {
        tenantId: principal.tenantId,
        what: "federation-participation",
        ...body,
        by: principal.id,
      },
    });
    return c.json(body, 200);
  },
);

const UpdateSummary = z.object({
  kind: z.enum(["update", "declined", "failed"]),
  region: z.string(),
  n: z.int().optional().meta({
    description:
      "Rows the update trained on: exact within the coordinator's jurisdiction, a multiple of 50 from abroad",
  }),
  norm: z.number().nullable().optional().meta({
    description: "‖Δ‖₂ before the region's clip; null from a region abroad (it does not say)",
  }),
  clipped: z.boolean().optional(),
  reclipped: z.boolean().optional().meta({ description: "The coordinator had to clip it again" }),
  reason: z.string().optional(),
});

const DecisionSummary = z.object({
  kind: z.enum(["decided", "failed"]),
  region: z.string(),
  version: z.int().optional(),
  serve: z.boolean().optional(),
  reason: z.string().optional(),
  holdout: z.int().optional(),
  candidateMacroF1: z.number().nullable().optional(),
  servedVersion: z.int().nullable().optional(),
  servedMacroF1: z.number().nullable().optional(),
});

const RoundSummary = z
  .object({
    round: z.int(),
    baseVersion: z.int(),
    outcome: z.enum(["advanced", "stalled"]),
    version: z.int().nullable(),
    hash: z.string().nullable(),
    updates: z.array(UpdateSummary),
    decisions: z.array(DecisionSummary),
  })
  .meta({ id: "FederatedRound" });

const RoundsRequest = z
  .strictObject({
    rounds: z.int().min(1).max(MAX_ROUNDS_PER_RUN).default(1),
    training: TrainingV1.partial().optional(),
    minUpdates: z.int().min(1).max(MAX_REGIONS).optional().meta({
      description:
        "Updates a round needs to make a version (default 2); at most the number of regions a round asks (422 otherwise)",
    }),
  })
  .meta({ id: "FederatedRoundsRequest" });

federationAdmin.openapi(
  route({
    method: "post",
    path: "/v1/admin/federation/rounds",
    operationId: "runFederatedRounds",
    summary: "Run federated rounds for the tenant now (on the coordinator)",
    description:
      "Each round asks every region for a clipped, noised update against the current global version, averages them weighted by examples (FedAvg), stores the next version and publishes it; each region serves it only if it passes its own held-out check. A round with fewer than `minUpdates` updates (default 2) makes no version. A region in another jurisdiction than the coordinator declines unless σ ≥ 0.01 and it trains on ≥ 50 rows. At most 3 rounds start from one version in 24 hours (409 `base-rounds-spent`): the regions would answer them the same.",
    request: { query: NoQuery, body: jsonBody(RoundsRequest) },
    responses: {
      200: json(
        z.object({ coordinator: z.string(), rounds: z.array(RoundSummary) }),
        "The rounds run, in order",
      ),
      400: problem("Invalid body"),
      ...adminProblems,
      409: problem(
        "Not the coordinator (`not-coordinator` names it), a round is running, or enough rounds started from this version today",
      ),
      422: problem("`minUpdates` exceeds the regions a round asks"),
      500: problem("A stored model failed its integrity check (`model-integrity`)"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    requireCoordinator(c.env);
    const body = c.req.valid("json");
    if (body.minUpdates !== undefined) requireReachable(c.env, body.minUpdates);
    const config = {
      training: { ...DEFAULT_ROUND_CONFIG.training, ...body.training },
      minUpdates: body.minUpdates ?? DEFAULT_ROUND_CONFIG.minUpdates,
    };
    const rounds = await runRounds(c.env, c.get("principal").tenantId, body.rounds, config).catch(
      (err: unknown) => {
        // A refusal (round-running) is the answer; anything else is the database failing.
        if (err instanceof Problem) throw err;
        console.warn("federated round failed", err instanceof Error ? err.message : err);
        throw new Problem(
          503,
          "federation-unavailable",
          "Federated round failed",
          "The coordinator's database did not answer in time; the round is recorded as failed if it started.",
          {},
          { "retry-after": "10" },
        );
      },
    );
    return c.json({ coordinator: coordinatorOf(c.env), rounds }, 200);
  },
);

federationAdmin.openapi(
  route({
    method: "get",
    path: "/v1/admin/federation/models/{version}",
    operationId: "getFederatedModel",
    summary: "A global version's parameters (base64 Float32, little-endian) and hash",
    request: {
      params: z.object({ version: z.coerce.number().int().min(0).max(1_000_000) }),
      query: NoQuery,
    },
    responses: {
      200: json(
        z
          .object({
            version: z.int(),
            parent: z.int().nullable(),
            round: z.int(),
            hash: z.string(),
            params: z.string(),
          })
          .meta({ id: "FederatedModel" }),
        "The version as this region holds it",
      ),
      ...adminProblems,
      404: problem("This region does not hold that version"),
      503: problem("The regional database is unavailable"),
    },
  }),
  async (c) => {
    const { version } = c.req.valid("param");
    const model = await fromReadModel(() =>
      modelAt(readModel(c.env), c.get("principal").tenantId, version),
    );
    if (!model)
      throw new Problem(404, "not-found", "Not found", `This region holds no version ${version}.`);
    return c.json(model, 200);
  },
);
