// After-sales service requests of a customer (DESIGN §11): opened and resolved through the
// lifeline write path, read and listed from the customer's AccountDO (authoritative).
// Opened once, resolved once: a second, different resolution is refused here; two made at
// once in two regions are both kept, the earliest the resolution.
import { z } from "@hono/zod-openapi";
import {
  AccountId,
  accountOf,
  ServiceRequestId,
  ServiceRequestOpen,
  ServiceRequestResolve,
  ServiceRequestView,
} from "../../../core/index.ts";
import { ServiceStatus } from "../../../core/portal/model.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound, Problem } from "../errors.ts";
import { requireIdempotencyKey, runCommand } from "../lifeline.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  json,
  jsonBody,
  NoQuery,
  page,
  READ_HEADERS,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { served } from "./shared.ts";

export const serviceRequests = newRouter();
const route = bearerRoutes("service-requests");

const CustomerParam = z.object({ id: AccountId });
const RequestParams = z.object({ id: AccountId, serviceRequestId: ServiceRequestId });

export const serviceRequestNotFound = (id: string) =>
  new Problem(
    404,
    "not-found",
    "Service request not found",
    `No service request ${id} in this tenant.`,
  );

const open = route({
  method: "post",
  path: "/v1/customers/{id}/service-requests",
  operationId: "openServiceRequest",
  summary: "Open a service request for a customer",
  description:
    "The id is derived from the client's `id` (a ULID), else the Idempotency-Key, so a retry is the same request. `internalNote` is internal: never shown in the portal.",
  request: {
    headers: IdempotencyHeaders,
    params: CustomerParam,
    query: NoQuery,
    body: jsonBody(ServiceRequestOpen),
  },
  responses: {
    201: written(ServiceRequestView, "Opened"),
    200: written(ServiceRequestView, "Already opened; nothing changed"),
    ...writeProblems,
    404: readProblems[404],
  },
});

serviceRequests.openapi(open, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  return raw(await runCommand(c, id, { type: "service.open", seed: key, input }, input, key));
});

const resolve = route({
  method: "post",
  path: "/v1/customers/{id}/service-requests/{serviceRequestId}/resolve",
  operationId: "resolveServiceRequest",
  summary: "Resolve a service request, once",
  description:
    "Resolving again with the same resolution changes nothing (200); another resolution is 409: a service request is resolved once.",
  request: {
    headers: IdempotencyHeaders,
    params: RequestParams,
    query: NoQuery,
    body: jsonBody(ServiceRequestResolve),
  },
  responses: {
    201: written(ServiceRequestView, "Resolved"),
    200: written(ServiceRequestView, "Already resolved so; nothing changed"),
    ...writeProblems,
    404: readProblems[404],
  },
});

serviceRequests.openapi(resolve, async (c) => {
  const { id, serviceRequestId } = c.req.valid("param");
  if (accountOf(serviceRequestId) !== id) throw serviceRequestNotFound(serviceRequestId);
  const input = c.req.valid("json");
  const command = { type: "service.resolve" as const, serviceRequestId, input };
  return raw(await runCommand(c, id, command, input));
});

const get = route({
  method: "get",
  path: "/v1/service-requests/{serviceRequestId}",
  operationId: "getServiceRequest",
  summary: "Read a service request (authoritative; the Location of an opening)",
  request: { params: z.object({ serviceRequestId: ServiceRequestId }), query: NoQuery },
  responses: {
    200: { ...json(ServiceRequestView, "The service request"), headers: READ_HEADERS },
    ...readProblems,
  },
});

serviceRequests.openapi(get, async (c) => {
  const { serviceRequestId } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, accountOf(serviceRequestId)!);
  const [view, residency] = await Promise.all([
    stub.getServiceRequest(serviceRequestId),
    stub.getResidency(),
  ]);
  if (!view) throw serviceRequestNotFound(serviceRequestId);
  return c.json(served(c, view, residency), 200);
});

const list = route({
  method: "get",
  path: "/v1/customers/{id}/service-requests",
  operationId: "listServiceRequests",
  summary: "List a customer's service requests, newest first (authoritative)",
  request: {
    params: CustomerParam,
    query: z.strictObject({
      status: ServiceStatus.optional(),
      cursor: ServiceRequestId.optional().meta({
        description: "`nextCursor` of the previous page",
      }),
      limit: z.coerce.number().int().min(1).max(100).default(25),
    }),
  },
  responses: {
    200: json(page(ServiceRequestView, "ServiceRequestPage"), "A page of service requests"),
    ...readProblems,
  },
});

serviceRequests.openapi(list, async (c) => {
  const { id } = c.req.valid("param");
  const { status, cursor, limit } = c.req.valid("query");
  const stub = accountStub(c.env, c.get("principal").tenantId, id);
  const [found, residency] = await Promise.all([
    stub.listServiceRequests({ status, after: cursor, limit }),
    stub.getResidency(),
  ]);
  if (residency === null) throw notFound("Customer", id);
  const items = found.items.map((v) => served(c, v, residency));
  return c.json({ items, nextCursor: found.nextCursor }, 200);
});
