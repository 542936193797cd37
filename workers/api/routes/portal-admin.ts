// A tenant's portal visibility policy (DESIGN §11): admins read it, publish a new version
// (zod-validated: a grant of an `internal` field, an unknown field or resource is a 400
// naming it), and ask why a portal user sees or does not see a field. Publishing is a
// groups-journal event (replicated to every region like group changes) and audited
// (`group-change`, naming the version). A version must be higher than the published one,
// so two admins editing the same version cannot silently overwrite each other.
import { z } from "@hono/zod-openapi";
import { accountOf, ContractId } from "../../../core/index.ts";
import { PortalResource } from "../../../core/portal/model.ts";
import { explain, PortalExplanation, PortalPolicy } from "../../../core/portal/policy.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { Problem } from "../errors.ts";
import { runGroupsCommand } from "../groups/run.ts";
import { directory } from "../middleware/auth.ts";
import { bearerRoutes, IdempotencyHeaders, json, jsonBody, NoQuery, problem } from "../openapi.ts";
import { portalPolicyOf } from "../portal/load.ts";
import { PortalAccount } from "../portal/records.ts";
import { newRouter } from "../router.ts";

export const portalAdmin = newRouter();
const route = bearerRoutes("portal");

const PolicyView = z
  .object({ source: z.enum(["tenant", "default"]), policy: PortalPolicy })
  .meta({ id: "PortalPolicyView" });

portalAdmin.openapi(
  route({
    method: "get",
    path: "/v1/admin/portal-policy",
    operationId: "getPortalPolicy",
    summary: "The tenant's portal visibility policy (the default until one is published)",
    request: { query: NoQuery },
    responses: {
      200: json(PolicyView, "The policy in force"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not an admin"),
    },
  }),
  async (c) => {
    const { policy, source } = await portalPolicyOf(c.env, c.get("principal").tenantId);
    return c.json({ source, policy }, 200);
  },
);

portalAdmin.openapi(
  route({
    method: "put",
    path: "/v1/admin/portal-policy",
    operationId: "publishPortalPolicy",
    summary: "Publish a new version of the portal visibility policy",
    description:
      "The body is a whole policy with a `version` higher than the published one (the default is version 1). Fields classified `internal` (costs, suppliers, margins, internal notes) cannot be granted: such a policy is a 400 naming the grant. Replicated to every region and audited.",
    request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(PortalPolicy) },
    responses: {
      200: json(PolicyView, "Published"),
      400: problem("Invalid policy; `errors` names each problem"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not an admin"),
      409: problem("The version is not higher than the published one"),
      422: problem("Idempotency-Key reused with another request"),
    },
  }),
  async (c) => {
    const policy = c.req.valid("json");
    const { policy: current } = await portalPolicyOf(c.env, c.get("principal").tenantId);
    if (policy.version <= current.version)
      throw new Problem(
        409,
        "stale-version",
        "A newer policy is published",
        `Version ${current.version} is in force; publish version ${current.version + 1} or higher (GET it first to see what changed).`,
      );
    await runGroupsCommand(
      c,
      { type: "portal-policy.publish", version: policy.version, document: policy },
      policy,
    );
    return c.json({ source: "tenant" as const, policy }, 200);
  },
);

portalAdmin.openapi(
  route({
    method: "get",
    path: "/v1/admin/portal-policy/explain",
    operationId: "explainPortalPolicy",
    summary: "Why a portal user sees, or does not see, a field of a contract's records",
    description:
      "Judged in the contract's own context (the customer's tier, the contract's stage and terms), rule by rule, exactly as the portal's routes filter.",
    request: {
      query: z.strictObject({
        portalUser: z
          .string()
          .regex(/^pus_[A-Za-z0-9_-]{1,64}$/, "must be a portal user id (pus_…)"),
        contractId: ContractId,
        resource: PortalResource,
        field: z.string().min(1).max(64),
      }),
    },
    responses: {
      200: json(
        z
          .object({
            portalUser: z.string(),
            accountId: z.string(),
            context: z.object({
              tier: z.string(),
              stage: z.string(),
              terms: z.record(z.string(), z.boolean()),
            }),
            policy: z.object({ version: z.number(), source: z.enum(["tenant", "default"]) }),
            explanation: PortalExplanation,
          })
          .meta({ id: "PortalPolicyExplanation" }),
        "The verdict and every rule's part in it",
      ),
      400: problem("Invalid query"),
      401: problem("Missing or invalid credentials"),
      403: problem("Not an admin"),
      404: problem("No such portal user, or the contract is not their customer's"),
    },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const q = c.req.valid("query");
    const user = await directory(c.env).portalUserById(tenantId, q.portalUser);
    if (!user) throw new Problem(404, "not-found", "Portal user not found");
    if (accountOf(q.contractId) !== user.accountId)
      throw new Problem(
        404,
        "not-found",
        "Contract not found",
        "Not a contract of this portal user's customer.",
      );
    const [snapshot, { policy, source }] = await Promise.all([
      accountStub(c.env, tenantId, user.accountId).portalSnapshot(),
      portalPolicyOf(c.env, tenantId),
    ]);
    const ctx = snapshot
      ? new PortalAccount(policy, snapshot, Date.now()).contextOf(q.contractId)
      : null;
    if (!ctx) throw new Problem(404, "not-found", "Contract not found");
    return c.json(
      {
        portalUser: user.id,
        accountId: user.accountId,
        context: ctx,
        policy: { version: policy.version, source },
        explanation: explain(policy, ctx, q.resource, q.field),
      },
      200,
    );
  },
);
