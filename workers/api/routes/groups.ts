// Customer success groups (DESIGN §11): the tenant's group roles and CHI weights (admins),
// groups with members, accounts and delegations (admins and managers write, delegations
// admins only), a rep's own groups for "today's customers", and a group's workbench with
// its KPIs computed from facts. Every write is idempotent (Idempotency-Key), journalled
// in the tenant's GroupsDO, replicated to every region and audited (`group-change`).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  type ApprovalViewSchema,
  adoptionRate,
  ChiWeights,
  crossSellRate,
  customerHealthIndex,
  DelegationCreate,
  DelegationId,
  DelegationViewSchema,
  GroupCreate,
  GroupId,
  GroupList,
  GroupRename,
  GroupsStateHash,
  GroupViewSchema,
  groupHealthIndex,
  groupsIdFor,
  MemberSet,
  MyGroups,
  RolesSet,
  RolesView,
  serviceResolution,
  WeightsView,
  Workbench,
} from "../../../core/groups/index.ts";
import { AccountId, UserId } from "../../../core/index.ts";
import { accountStub, groupsStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv, Role } from "../env.ts";
import { notFound, Problem } from "../errors.ts";
import {
  ADOPTION_WINDOW_DAYS,
  MAX_WORKBENCH_ACCOUNTS,
  memberAdoption,
  readAccounts,
} from "../groups/facts.ts";
import { renderWritten, requireUserPrincipal, runGroupsCommand } from "../groups/run.ts";
import { requireIdempotencyKey } from "../lifeline.ts";
import { tokenVersion } from "../middleware/auth.ts";
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

export const groups = newRouter();
const route = bearerRoutes("groups");

const STAFF: [Role, ...Role[]] = ["admin", "manager", "rep", "integrator"];
const PEOPLE: [Role, ...Role[]] = ["admin", "manager", "rep"];
const MANAGERS: [Role, ...Role[]] = ["admin", "manager"];

const forbidden = problem("The caller's role may not do this");
const groupWriteProblems = {
  ...writeProblems,
  403: forbidden,
  404: problem("No such group (or member, account, delegation) in this tenant"),
  422: problem(
    "Idempotency-Key reused with another request, a user or role the tenant does not have, or a group limit reached",
  ),
};

const GroupParam = z.object({ id: GroupId });
const MemberParams = z.object({ id: GroupId, userId: UserId });
const AccountParams = z.object({ id: GroupId, accountId: AccountId });
const DelegationParams = z.object({ id: GroupId, delegationId: DelegationId });

const nowMs = () => Date.now();

/** 422 naming `field` unless the user exists in the caller's tenant. */
async function requireUser(c: Context<AppEnv>, userId: string, field: string): Promise<void> {
  if ((await tokenVersion(c.env, c.get("principal").tenantId, userId)) !== null) return;
  throw new Problem(422, "not-found", "User not found", `No user ${userId} in this tenant.`, {
    errors: [{ field, pointer: `#/${field}`, message: "user not found" }],
  });
}

const stub = (c: Context<AppEnv>) => groupsStub(c.env, c.get("principal").tenantId);

// ---------------------------------------------------------------- tenant settings

const getRoles = route({
  method: "get",
  path: "/v1/admin/groups/roles",
  operationId: "getGroupRoles",
  summary: "The tenant's group roles (admins)",
  middleware: [requireRole("admin")] as const,
  request: { query: NoQuery },
  responses: {
    200: json(RolesView, "The roles, the defaults until set"),
    401: readProblems[401],
    403: forbidden,
  },
});

groups.openapi(getRoles, async (c) => {
  const s = await stub(c).settings();
  return c.json({ roles: s.roles, source: s.rolesSource }, 200);
});

const putRoles = route({
  method: "put",
  path: "/v1/admin/groups/roles",
  operationId: "setGroupRoles",
  summary: "Set the tenant's group roles (admins; must include sales-manager; audited)",
  middleware: [requireRole("admin")] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(RolesSet) },
  responses: { 200: written(RolesView, "The roles in force"), ...groupWriteProblems },
});

groups.openapi(putRoles, async (c) => {
  const body = c.req.valid("json");
  return raw(
    renderWritten(await runGroupsCommand(c, { type: "roles.set", roles: body.roles }, body)),
  );
});

const getWeights = route({
  method: "get",
  path: "/v1/admin/groups/chi-weights",
  operationId: "getChiWeights",
  summary: "The tenant's customer-health-index weights (admins)",
  middleware: [requireRole("admin")] as const,
  request: { query: NoQuery },
  responses: {
    200: json(WeightsView, "The weights, the defaults until set"),
    401: readProblems[401],
    403: forbidden,
  },
});

groups.openapi(getWeights, async (c) => {
  const s = await stub(c).settings();
  return c.json({ weights: s.weights, source: s.weightsSource }, 200);
});

const putWeights = route({
  method: "put",
  path: "/v1/admin/groups/chi-weights",
  operationId: "setChiWeights",
  summary: "Set the tenant's customer-health-index weights (admins; they sum to 1; audited)",
  middleware: [requireRole("admin")] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(ChiWeights) },
  responses: { 200: written(WeightsView, "The weights in force"), ...groupWriteProblems },
});

groups.openapi(putWeights, async (c) => {
  const weights = c.req.valid("json");
  return raw(renderWritten(await runGroupsCommand(c, { type: "weights.set", weights }, weights)));
});

const stateHash = route({
  method: "get",
  path: "/v1/admin/groups/state-hash",
  operationId: "getGroupsStateHash",
  summary: "[LF3] The canonical hash of the tenant's groups state in this region (admins)",
  middleware: [requireRole("admin")] as const,
  request: { query: NoQuery },
  responses: {
    200: json(GroupsStateHash, "Equal in every region that holds the same events"),
    401: readProblems[401],
    403: forbidden,
  },
});

groups.openapi(stateHash, async (c) => {
  const { hash, version, pending } = await stub(c).stateHash();
  c.header("cache-control", "no-store");
  return c.json({ hash, version, pending }, 200);
});

// ---------------------------------------------------------------- groups

const create = route({
  method: "post",
  path: "/v1/groups",
  operationId: "createGroup",
  summary: "Create a customer success group (admins and managers; audited)",
  description:
    "The group's id is the client's `id` (a ULID) or derived from the Idempotency-Key, so a retry in any region is the same group.",
  middleware: [requireRole(...MANAGERS)] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(GroupCreate) },
  responses: {
    201: written(GroupViewSchema, "Created"),
    200: written(GroupViewSchema, "The group already existed; nothing changed"),
    ...groupWriteProblems,
  },
});

groups.openapi(create, async (c) => {
  const key = requireIdempotencyKey(c);
  const body = c.req.valid("json");
  const tenantId = c.get("principal").tenantId;
  const groupId = groupsIdFor(
    "grp",
    tenantId,
    body.id ? { kind: "client", ulid: body.id } : { kind: "idempotencyKey", key },
  );
  const written = await runGroupsCommand(
    c,
    { type: "group.create", groupId, name: body.name },
    body,
    key,
  );
  return raw(renderWritten(written, `/v1/groups/${groupId}`));
});

const list = route({
  method: "get",
  path: "/v1/groups",
  operationId: "listGroups",
  summary: "The tenant's groups with members, accounts and delegations",
  middleware: [requireRole(...STAFF)] as const,
  request: { query: NoQuery },
  responses: { 200: json(GroupList, "Every group, by id"), 401: readProblems[401], 403: forbidden },
});

groups.openapi(list, async (c) => c.json({ items: await stub(c).groups(nowMs()) }, 200));

const get = route({
  method: "get",
  path: "/v1/groups/{id}",
  operationId: "getGroup",
  summary: "A group with its members, accounts and delegations",
  middleware: [requireRole(...STAFF)] as const,
  request: { params: GroupParam, query: NoQuery },
  responses: { 200: json(GroupViewSchema, "The group"), ...readProblems, 403: forbidden },
});

groups.openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const group = await stub(c).group(id, nowMs());
  if (!group) throw groupNotFound(id);
  return c.json(group, 200);
});

const groupNotFound = (id: string) =>
  new Problem(404, "not-found", "Group not found", `No group ${id} in this tenant.`);

const rename = route({
  method: "put",
  path: "/v1/groups/{id}",
  operationId: "renameGroup",
  summary: "Rename a group (admins and managers; audited)",
  middleware: [requireRole(...MANAGERS)] as const,
  request: {
    headers: IdempotencyHeaders,
    params: GroupParam,
    query: NoQuery,
    body: jsonBody(GroupRename),
  },
  responses: { 200: written(GroupViewSchema, "The group"), ...groupWriteProblems },
});

groups.openapi(rename, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  return raw(
    renderWritten(
      await runGroupsCommand(c, { type: "group.rename", groupId: id, name: body.name }, body),
    ),
  );
});

const putMember = route({
  method: "put",
  path: "/v1/groups/{id}/members/{userId}",
  operationId: "setGroupMember",
  summary: "Add a member to a group or change their role (admins and managers; audited)",
  middleware: [requireRole(...MANAGERS)] as const,
  request: {
    headers: IdempotencyHeaders,
    params: MemberParams,
    query: NoQuery,
    body: jsonBody(MemberSet),
  },
  responses: { 200: written(GroupViewSchema, "The group"), ...groupWriteProblems },
});

groups.openapi(putMember, async (c) => {
  const { id, userId } = c.req.valid("param");
  const body = c.req.valid("json");
  await requireUser(c, userId, "userId");
  const command = { type: "member.set" as const, groupId: id, userId, role: body.role };
  return raw(renderWritten(await runGroupsCommand(c, command, body)));
});

const deleteMember = route({
  method: "delete",
  path: "/v1/groups/{id}/members/{userId}",
  operationId: "removeGroupMember",
  summary: "Take a member out of a group (admins and managers; audited)",
  middleware: [requireRole(...MANAGERS)] as const,
  request: { headers: IdempotencyHeaders, params: MemberParams, query: NoQuery },
  responses: { 200: written(GroupViewSchema, "The group"), ...groupWriteProblems },
});

groups.openapi(deleteMember, async (c) => {
  const { id, userId } = c.req.valid("param");
  const command = { type: "member.set" as const, groupId: id, userId, role: null };
  return raw(renderWritten(await runGroupsCommand(c, command, null)));
});

const putAccount = route({
  method: "put",
  path: "/v1/groups/{id}/accounts/{accountId}",
  operationId: "assignGroupAccount",
  summary: "Give an account to a group; it leaves any other (admins and managers; audited)",
  middleware: [requireRole(...MANAGERS)] as const,
  request: { headers: IdempotencyHeaders, params: AccountParams, query: NoQuery },
  responses: { 200: written(GroupViewSchema, "The group"), ...groupWriteProblems },
});

groups.openapi(putAccount, async (c) => {
  const { id, accountId } = c.req.valid("param");
  // The account must exist here: a typo must not become a group's customer.
  if (!(await accountStub(c.env, c.get("principal").tenantId, accountId).getResidency()))
    throw notFound("Customer", accountId);
  const command = { type: "account.set" as const, accountId, groupId: id };
  return raw(renderWritten(await runGroupsCommand(c, command, null)));
});

const deleteAccount = route({
  method: "delete",
  path: "/v1/groups/{id}/accounts/{accountId}",
  operationId: "removeGroupAccount",
  summary: "Take an account out of a group (admins and managers; audited)",
  middleware: [requireRole(...MANAGERS)] as const,
  request: { headers: IdempotencyHeaders, params: AccountParams, query: NoQuery },
  responses: { 200: written(GroupViewSchema, "The group"), ...groupWriteProblems },
});

groups.openapi(deleteAccount, async (c) => {
  const { id, accountId } = c.req.valid("param");
  const command = { type: "account.set" as const, accountId, groupId: null, fromGroupId: id };
  return raw(renderWritten(await runGroupsCommand(c, command, null)));
});

const grant = route({
  method: "post",
  path: "/v1/groups/{id}/delegations",
  operationId: "grantDelegation",
  summary:
    "Delegate approvals to the group's sales-manager: kinds, a limit, an expiry (admins; audited)",
  middleware: [requireRole("admin")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: GroupParam,
    query: NoQuery,
    body: jsonBody(DelegationCreate),
  },
  responses: {
    201: written(DelegationViewSchema, "Granted"),
    200: written(DelegationViewSchema, "Already granted; nothing changed"),
    ...groupWriteProblems,
  },
});

groups.openapi(grant, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const delegationId = groupsIdFor(
    "dlg",
    c.get("principal").tenantId,
    body.id ? { kind: "client", ulid: body.id } : { kind: "idempotencyKey", key },
  );
  const { id: _, ...grantBody } = body;
  const command = { type: "delegation.grant" as const, delegationId, groupId: id, ...grantBody };
  const written = await runGroupsCommand(c, command, body, key);
  return raw(renderWritten(written, `/v1/groups/${id}/delegations/${delegationId}`));
});

const revoke = route({
  method: "delete",
  path: "/v1/groups/{id}/delegations/{delegationId}",
  operationId: "revokeDelegation",
  summary:
    "Revoke a delegation; it stops counting in every region once they hear of it (admins; audited)",
  middleware: [requireRole("admin")] as const,
  request: { headers: IdempotencyHeaders, params: DelegationParams, query: NoQuery },
  responses: {
    200: written(DelegationViewSchema, "The delegation, revoked"),
    ...groupWriteProblems,
  },
});

groups.openapi(revoke, async (c) => {
  const { id, delegationId } = c.req.valid("param");
  const command = { type: "delegation.revoke" as const, groupId: id, delegationId };
  return raw(renderWritten(await runGroupsCommand(c, command, null)));
});

// ---------------------------------------------------------------- the rep's view

const mine = route({
  method: "get",
  path: "/v1/me/groups",
  operationId: "listMyGroups",
  summary:
    "The caller's groups, their role in each and the groups' account ids (the rep app's customers)",
  middleware: [requireRole(...PEOPLE)] as const,
  request: { query: NoQuery },
  responses: {
    200: json(MyGroups, "The caller's groups, by id"),
    401: readProblems[401],
    403: problem("The caller is not a person (an API key), or not of the tenant's staff"),
  },
});

groups.openapi(mine, async (c) => {
  const userId = requireUserPrincipal(c);
  return c.json({ items: await stub(c).groupsOf(userId) }, 200);
});

const workbench = route({
  method: "get",
  path: "/v1/groups/{id}/workbench",
  operationId: "getGroupWorkbench",
  summary: "A group's workbench: accounts with their health index, group KPIs and open approvals",
  description: `KPIs are computed from facts at each read (formulas: core/groups/README.md). Accounts are read from their own objects (at most ${MAX_WORKBENCH_ACCOUNTS}); one that does not answer in time is listed as \`unavailable\` and left out. Admins, managers and integrators see every group; a rep sees the groups they are a member of.`,
  middleware: [requireRole(...STAFF)] as const,
  request: { params: GroupParam, query: NoQuery },
  responses: { 200: json(Workbench, "The workbench"), ...readProblems, 403: forbidden },
});

groups.openapi(workbench, async (c) => {
  const { id } = c.req.valid("param");
  const p = c.get("principal");
  const now = nowMs();
  const groupsDo = stub(c);
  const [group, settings, openApprovals] = await Promise.all([
    groupsDo.group(id, now),
    groupsDo.settings(),
    groupsDo.approvals({ status: "pending", groupIds: [id] }),
  ]);
  if (!group) throw groupNotFound(id);
  if (p.role === "rep" && !group.members.some((m) => m.userId === p.id))
    throw new Problem(
      403,
      "forbidden",
      "Not a member",
      "A rep sees the workbench of their own groups.",
    );
  const [accounts, answers] = await Promise.all([
    readAccounts(c.env, p.tenantId, group.accountIds, now),
    memberAdoption(
      c.env,
      p.tenantId,
      group.members.map((m) => m.userId),
      now,
    ),
  ]);
  const weights = settings.weights;
  const rows = accounts.map((a) => {
    const chi = a.status === "ok" ? customerHealthIndex(a.facts, weights, now) : null;
    const signed = a.contracts?.filter(
      (k) => k.status === "signed" || k.status === "active",
    ).length;
    return {
      accountId: a.accountId,
      name: a.name,
      status: a.status,
      chi,
      signedContracts: signed ?? null,
    };
  });
  const read = accounts.filter((a) => a.status === "ok");
  const adoption =
    answers === null ? adoptionRate({ answered: 0, adopted: 0 }) : adoptionRate(answers);
  c.header("cache-control", "no-store");
  return c.json(
    {
      group,
      generatedAt: new Date(now).toISOString(),
      weights,
      accounts: rows,
      truncated: group.accountIds.length > MAX_WORKBENCH_ACCOUNTS,
      kpis: {
        chiGroup: groupHealthIndex(rows.map((r) => r.chi?.score ?? null)),
        crossSellRate: crossSellRate(
          read.flatMap((a) => (a.contracts ? [{ contracts: a.contracts }] : [])),
        ),
        serviceResolution: serviceResolution(read.flatMap((a) => a.serviceRequests ?? [])),
        adoption: {
          ...adoption,
          scope: answers === null ? ("unavailable" as const) : ("members" as const),
          windowDays: ADOPTION_WINDOW_DAYS,
        },
      },
      openApprovals: JSON.parse(openApprovals) as z.infer<typeof ApprovalViewSchema>[],
      openChangeRequests: read
        .flatMap((a) =>
          a.openChangeRequests.map((r) => ({
            id: r.id,
            accountId: a.accountId,
            accountName: a.name,
            contractId: r.contractId,
            kind: r.kind,
            summary: r.summary,
            filedAt: r.filedAt,
            slaWarnAt: r.slaWarnAt,
            slaDueAt: r.slaDueAt,
            sla:
              r.marked.violation || Date.parse(r.slaDueAt) < now
                ? ("violated" as const)
                : r.marked.warning || Date.parse(r.slaWarnAt) <= now
                  ? ("warning" as const)
                  : ("on-track" as const),
          })),
        )
        .sort((x, y) => (x.slaDueAt < y.slaDueAt ? -1 : x.slaDueAt > y.slaDueAt ? 1 : 0)),
    },
    200,
  );
});
