// Change requests, the staff side (DESIGN §11): the customer files them in the portal (or
// staff file one on the customer's behalf, below); departments record their impact check;
// the group answers with feasibility and a new committed date, once. An SLA clock in the
// AccountDO marks requests nobody answered in time, set at filing by the tenant's SLA policy
// (read here from its GroupsDO: groups/sla.ts). Single reads and a customer's list come
// from its AccountDO; lists across accounts from the regional read model.
//
// The portal's routes (file, respond, withdraw) run the same commands through the same
// write path with a portal principal: `{ type: "change.file", seed: key, input, sla }`,
// `{ type: "change.respond", changeRequestId, input }`, `{ type: "change.withdraw",
// changeRequestId }`.
import { z } from "@hono/zod-openapi";
import {
  AccountId,
  accountOf,
  ChangeAnswer,
  ChangeRequestFile,
  ChangeRequestId,
  ChangeRequestView,
  ChecklistSet,
  ContractId,
  SlaMark,
  Tier,
} from "../../../core/index.ts";
import { ChangeKind, ChangeStatus, Department } from "../../../core/portal/model.ts";
import { listChangeRequests } from "../../../db/queries.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound, Problem } from "../errors.ts";
import { requireGroupMember } from "../groups/run.ts";
import { SLA_POLICY_HEADERS, slaSettingFor, withSlaPolicyHeader } from "../groups/sla.ts";
import { requireIdempotencyKey, runCommand } from "../lifeline.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  json,
  jsonBody,
  listPage,
  NoQuery,
  page,
  problem,
  READ_HEADERS,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { accountsFilter } from "./accounts-filter.ts";
import { readPage, served } from "./shared.ts";

export const changeRequests = newRouter();
const route = bearerRoutes("change-requests");

/** People answer and check (the answer names who gave it): a rep only in the account's group. */
const people = requireRole("admin", "manager", "rep");
const FORBIDDEN_GROUP = problem(
  "A rep who is not a member of the customer's group, or an integrator key (`not-a-group-member`, `forbidden`)",
);
const FORBIDDEN = problem("The caller is not a rep, manager or admin (an integrator key)");

const CustomerParam = z.object({ id: AccountId });
const RequestParam = z.object({ changeRequestId: ChangeRequestId });

/** A filing's answer: the change request, and which SLA policy set its clock. */
function filedAnswer(description: string) {
  const answer = written(ChangeRequestView, description);
  return { ...answer, headers: { ...answer.headers, ...SLA_POLICY_HEADERS } };
}

const changeRequestNotFound = (id: string) =>
  new Problem(
    404,
    "not-found",
    "Change request not found",
    `No change request ${id} in this tenant.`,
  );

const file = route({
  method: "post",
  path: "/v1/customers/{id}/change-requests",
  operationId: "fileChangeRequest",
  summary: "File a change request on the customer's behalf (e.g. one phoned in)",
  description:
    "Customers file their own in the portal. The id is derived from the client's `id` (a ULID), else the Idempotency-Key. The SLA clock starts now (`slaWarnAt`, `slaDueAt`, by the customer's tier); a request nobody answers in time is marked `warning`, then `violation`. 409 when the contract's terms do not provide for change requests.",
  middleware: [people] as const,
  request: {
    headers: IdempotencyHeaders,
    params: CustomerParam,
    query: NoQuery,
    body: jsonBody(ChangeRequestFile),
  },
  responses: {
    201: filedAnswer("Filed"),
    200: filedAnswer("Already filed; nothing changed"),
    ...writeProblems,
    403: FORBIDDEN,
    404: readProblems[404],
  },
});

changeRequests.openapi(file, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const sla = await slaSettingFor(c.env, c.get("principal").tenantId);
  const command = { type: "change.file" as const, seed: key, input, sla: sla.policy };
  return raw(withSlaPolicyHeader(await runCommand(c, id, command, input, key), sla));
});

const customerList = route({
  method: "get",
  path: "/v1/customers/{id}/change-requests",
  operationId: "listCustomerChangeRequests",
  summary: "List a customer's change requests, newest first (authoritative)",
  request: {
    params: CustomerParam,
    query: z.strictObject({
      status: ChangeStatus.optional(),
      cursor: ChangeRequestId.optional().meta({ description: "`nextCursor` of the previous page" }),
      limit: z.coerce.number().int().min(1).max(100).default(25),
    }),
  },
  responses: {
    200: json(page(ChangeRequestView, "ChangeRequestPage"), "A page of change requests"),
    ...readProblems,
  },
});

changeRequests.openapi(customerList, async (c) => {
  const { id } = c.req.valid("param");
  const { status, cursor, limit } = c.req.valid("query");
  const stub = accountStub(c.env, c.get("principal").tenantId, id);
  const [found, residency] = await Promise.all([
    stub.listChangeRequests({ status, after: cursor, limit }),
    stub.getResidency(),
  ]);
  if (residency === null) throw notFound("Customer", id);
  const items = found.items.map((v) => served(c, v, residency));
  return c.json({ items, nextCursor: found.nextCursor }, 200);
});

const get = route({
  method: "get",
  path: "/v1/change-requests/{changeRequestId}",
  operationId: "getChangeRequest",
  summary: "Read a change request (authoritative; the Location of a filing)",
  request: { params: RequestParam, query: NoQuery },
  responses: {
    200: { ...json(ChangeRequestView, "The change request"), headers: READ_HEADERS },
    ...readProblems,
  },
});

changeRequests.openapi(get, async (c) => {
  const { changeRequestId } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, accountOf(changeRequestId)!);
  const [view, residency] = await Promise.all([
    stub.getChangeRequest(changeRequestId),
    stub.getResidency(),
  ]);
  if (!view) throw changeRequestNotFound(changeRequestId);
  return c.json(served(c, view, residency), 200);
});

const checklist = route({
  method: "put",
  path: "/v1/change-requests/{changeRequestId}/checklist/{department}",
  operationId: "setChangeChecklist",
  summary: "Record a department's impact check of a change request",
  description:
    "One entry per department, last writer wins by hybrid logical clock. The note is internal: never shown in the portal. 409 once the request is accepted, declined or withdrawn.",
  middleware: [people] as const,
  request: {
    headers: IdempotencyHeaders,
    params: z.object({ changeRequestId: ChangeRequestId, department: Department }),
    query: NoQuery,
    body: jsonBody(ChecklistSet),
  },
  responses: {
    200: written(ChangeRequestView, "The change request with its checklist"),
    ...writeProblems,
    403: FORBIDDEN_GROUP,
    404: readProblems[404],
  },
});

changeRequests.openapi(checklist, async (c) => {
  const { changeRequestId, department } = c.req.valid("param");
  const input = c.req.valid("json");
  const command = { type: "change.set-checklist" as const, changeRequestId, department, input };
  await requireGroupMember(c, accountOf(changeRequestId)!);
  return raw(await runCommand(c, accountOf(changeRequestId)!, command, input));
});

const answer = route({
  method: "post",
  path: "/v1/change-requests/{changeRequestId}/answer",
  operationId: "answerChangeRequest",
  summary: "Answer a change request: feasible or not, with a new committed date",
  description:
    "Answered once: the same decision again changes nothing (200), another one is 409. Two different answers given at once in two regions are both kept; the earliest is the answer and a `change-answer` conflict record names both. An answer stops the SLA clock.",
  middleware: [people] as const,
  request: {
    headers: IdempotencyHeaders,
    params: RequestParam,
    query: NoQuery,
    body: jsonBody(ChangeAnswer),
  },
  responses: {
    201: written(ChangeRequestView, "Answered"),
    200: written(ChangeRequestView, "Already answered so; nothing changed"),
    ...writeProblems,
    403: FORBIDDEN_GROUP,
    404: readProblems[404],
  },
});

changeRequests.openapi(answer, async (c) => {
  const { changeRequestId } = c.req.valid("param");
  const input = c.req.valid("json");
  const command = { type: "change.answer" as const, changeRequestId, input };
  await requireGroupMember(c, accountOf(changeRequestId)!);
  return raw(await runCommand(c, accountOf(changeRequestId)!, command, input));
});

const ChangeRequestSummary = z
  .object({
    id: ChangeRequestId,
    customerId: AccountId,
    contractId: ContractId,
    kind: ChangeKind,
    status: ChangeStatus,
    tier: Tier,
    summary: z.string().nullable(),
    filedBy: z.string(),
    filedAt: z.string(),
    slaWarnAt: z.string(),
    slaDueAt: z.string(),
    slaMarks: z.object({ warning: z.string().nullable(), violation: z.string().nullable() }),
    answeredAt: z.string().nullable(),
    feasible: z.boolean().nullable(),
    newCommittedDate: z.string().nullable(),
    respondedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: "ChangeRequestSummary" });

const list = route({
  method: "get",
  path: "/v1/change-requests",
  operationId: "listChangeRequests",
  summary: "List change requests across accounts, most urgent (earliest SLA due) first",
  description:
    "From the regional read model (eventually consistent). A workbench lists its group's open requests with `?status=open&accounts=acc_…,acc_…`.",
  ...listPage(
    {
      status: ChangeStatus.optional(),
      accounts: accountsFilter,
      mark: SlaMark.optional().meta({ description: "Only requests the SLA clock marked so" }),
    },
    ChangeRequestSummary,
    "ChangeRequestSummaryPage",
    "A page of change requests by SLA due time",
  ),
});

changeRequests.openapi(list, async (c) =>
  c.json(await readPage(c, c.req.valid("query"), listChangeRequests), 200),
);
