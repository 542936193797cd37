// Delegated approvals (DESIGN §11): the tenant's approval policy (admins), requests for a
// discount, an urgent spare-part transfer or a custom quote on a group's account, and
// decisions. A group lead approves within their delegations; above them, after expiry or
// outside their kinds the request escalates; under `approvals-simplified` (read from the
// region's modes for the tenant) the policy's simplified path applies and the answer says
// so. Every decision, escalations included, is audited with who, what and under which
// delegation (`approval-decision`).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  ApprovalCreate,
  ApprovalId,
  ApprovalList,
  ApprovalPolicy,
  ApprovalViewSchema,
  DecisionAnswer,
  DecisionCreate,
  groupsIdFor,
  PolicyView,
} from "../../../core/groups/index.ts";
import { modesFor } from "../../../durable-objects/region/client.ts";
import { groupsStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv, Role } from "../env.ts";
import { Problem } from "../errors.ts";
import { renderWritten, requireUserPrincipal, runGroupsCommand } from "../groups/run.ts";
import { requireIdempotencyKey } from "../lifeline.ts";
import { DEGRADED_HEADER } from "../middleware/degradation.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  json,
  jsonBody,
  NoQuery,
  problem,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";

export const approvals = newRouter();
const route = bearerRoutes("approvals");

const STAFF: [Role, ...Role[]] = ["admin", "manager", "rep", "integrator"];
const forbidden = problem("The caller's role may not do this");
const approvalWriteProblems = {
  ...writeProblems,
  403: forbidden,
  404: problem("No such approval request (or group) in this tenant"),
  422: problem(
    "Idempotency-Key reused with another request, or the account is in no group (or not in the one named)",
  ),
};

/** An approval as the GroupsDO rendered it (core/groups/views.ts ApprovalView). */
type ApprovalJson = z.infer<typeof ApprovalViewSchema>;

const stub = (c: Context<AppEnv>) => groupsStub(c.env, c.get("principal").tenantId);

const getPolicy = route({
  method: "get",
  path: "/v1/admin/approval-policy",
  operationId: "getApprovalPolicy",
  summary:
    "The tenant's approval policy: thresholds per kind, tenant deciders, the simplified path (admins)",
  middleware: [requireRole("admin")] as const,
  request: { query: NoQuery },
  responses: {
    200: json(PolicyView, "The policy, the default until set"),
    401: readProblems[401],
    403: forbidden,
  },
});

approvals.openapi(getPolicy, async (c) => {
  const s = await stub(c).settings();
  return c.json({ policy: s.policy, source: s.policySource }, 200);
});

const putPolicy = route({
  method: "put",
  path: "/v1/admin/approval-policy",
  operationId: "setApprovalPolicy",
  summary: "Set the tenant's approval policy (admins; audited)",
  middleware: [requireRole("admin")] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(ApprovalPolicy) },
  responses: { 200: written(PolicyView, "The policy in force"), ...approvalWriteProblems },
});

approvals.openapi(putPolicy, async (c) => {
  const policy = c.req.valid("json");
  return raw(renderWritten(await runGroupsCommand(c, { type: "policy.set", policy }, policy)));
});

const create = route({
  method: "post",
  path: "/v1/approvals",
  operationId: "requestApproval",
  summary:
    "Ask for an approval on a group's account (a discount, an urgent spare-part transfer, a custom quote)",
  description:
    "The request belongs to the account's group. Its id is the client's `id` (a ULID) or derived from the Idempotency-Key, so a retry in any region is the same request.",
  middleware: [requireRole(...STAFF)] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(ApprovalCreate) },
  responses: {
    201: written(ApprovalViewSchema, "Requested"),
    200: written(ApprovalViewSchema, "Already requested; nothing changed"),
    ...approvalWriteProblems,
  },
});

approvals.openapi(create, async (c) => {
  const key = requireIdempotencyKey(c);
  const body = c.req.valid("json");
  const p = c.get("principal");
  const approvalId = groupsIdFor(
    "apr",
    p.tenantId,
    body.id ? { kind: "client", ulid: body.id } : { kind: "idempotencyKey", key },
  );
  const groupId = await groupOf(c, body.accountId);
  const { id: _, ...request } = body;
  const command = {
    type: "approval.request" as const,
    approvalId,
    groupId,
    requestedBy: p.id,
    ...request,
  };
  const written = await runGroupsCommand(c, command, body, key);
  return raw(renderWritten(written, `/v1/approvals/${approvalId}`));
});

/** The account's group, or 422: a request is decided within the group that owns it. */
async function groupOf(c: Context<AppEnv>, accountId: string): Promise<string> {
  const owner = await stub(c).groupOfAccount(accountId);
  if (owner) return owner;
  throw new Problem(
    422,
    "unprocessable",
    "The account is in no group",
    `Give ${accountId} to a group first.`,
    {
      errors: [
        { field: "accountId", pointer: "#/accountId", message: "the account is in no group" },
      ],
    },
  );
}

const list = route({
  method: "get",
  path: "/v1/approvals",
  operationId: "listApprovals",
  summary: "Approval requests, newest first (at most 200)",
  description:
    "Admins, managers and integrators see every request of the tenant; a rep sees those of the groups they are a member of and their own.",
  middleware: [requireRole(...STAFF)] as const,
  request: {
    query: z.strictObject({
      status: z.enum(["pending", "decided"]).optional().meta({
        description: "`pending`: waiting (escalated ones too); `decided`: approved or rejected",
      }),
    }),
  },
  responses: {
    200: json(ApprovalList, "Newest first"),
    400: readProblems[400],
    401: readProblems[401],
    403: forbidden,
  },
});

approvals.openapi(list, async (c) => {
  const { status } = c.req.valid("query");
  const items = JSON.parse(await stub(c).approvals({ status, ...(await visibleTo(c)) }));
  return c.json({ items: items as ApprovalJson[] }, 200);
});

/** A rep's filter: their groups' requests and their own; others see everything. */
async function visibleTo(
  c: Context<AppEnv>,
): Promise<{ groupIds?: string[]; requestedBy?: string }> {
  const p = c.get("principal");
  if (p.role !== "rep") return {};
  const mine = await stub(c).groupsOf(p.id);
  return { groupIds: mine.map((g) => g.groupId), requestedBy: p.id };
}

const get = route({
  method: "get",
  path: "/v1/approvals/{id}",
  operationId: "getApproval",
  summary: "An approval request with its status, the decision in force and its history",
  middleware: [requireRole(...STAFF)] as const,
  request: { params: z.object({ id: ApprovalId }), query: NoQuery },
  responses: { 200: json(ApprovalViewSchema, "The request"), ...readProblems, 403: forbidden },
});

approvals.openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const text = await stub(c).approval(id);
  const view = text === null ? null : (JSON.parse(text) as ApprovalJson);
  const scope = await visibleTo(c);
  const visible =
    view &&
    (!scope.groupIds ||
      scope.groupIds.includes(view.groupId) ||
      view.requestedBy === scope.requestedBy);
  if (!visible)
    throw new Problem(404, "not-found", "Approval not found", `No approval ${id} in this tenant.`);
  return c.json(view, 200);
});

const decide = route({
  method: "post",
  path: "/v1/approvals/{id}/decision",
  operationId: "decideApproval",
  summary: "Approve or reject a request; an approval the caller may not give escalates (audited)",
  description:
    "A tenant decider approves anything; the group's sales-manager approves within a delegation (kind, amount in its currency, before expiry, not revoked); otherwise the answer records an escalation naming who decides next and why. Under `approvals-simplified` a lead's approval takes the policy's simplified path (`path: simplified`, `Lifeline-Degraded: approvals-simplified`) and is marked for review. The first approval or rejection by HLC is in force in every region; a different later one is a conflict record.",
  middleware: [requireRole("admin", "manager", "rep")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: z.object({ id: ApprovalId }),
    query: NoQuery,
    body: jsonBody(DecisionCreate),
  },
  responses: {
    200: written(DecisionAnswer, "Decided (approved or rejected), or escalated"),
    ...approvalWriteProblems,
    403: problem(
      "An API key decides nothing, and only the group's lead or a tenant decider rejects",
    ),
    409: problem(
      "The request was already approved or rejected, or the same Idempotency-Key is in flight",
    ),
  },
});

approvals.openapi(decide, async (c) => {
  const key = requireIdempotencyKey(c);
  const userId = requireUserPrincipal(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const p = c.get("principal");
  // The modes in force for the tenant in this region decide whether the simplified path
  // applies; never waited on past the region client's short budget [LF5].
  const modes = await modesFor(c.env, p.tenantId, (w) => c.executionCtx.waitUntil(w));
  const command = {
    type: "approval.decide" as const,
    approvalId: id,
    outcome: body.outcome,
    note: body.note,
    actor: { userId, role: p.role },
    simplified: modes.includes("approvals-simplified"),
  };
  const written = await runGroupsCommand(c, command, body, key);
  const res = renderWritten(written);
  const answer = JSON.parse(written.outcome.body) as { decision?: { path?: string } };
  // A replay says so too: the answer was given under the mode.
  if (answer.decision?.path === "simplified")
    res.headers.set(DEGRADED_HEADER, "approvals-simplified");
  return raw(res);
});
