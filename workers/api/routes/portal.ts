// The customer portal's routes (DESIGN §11): a portal user reads its own customer account
// only, through the tenant's visibility policy, and files change requests. Every answer is
// built by workers/api/portal/records.ts, which projects each record in its own contract's
// context (tier × stage × terms); a route never returns a staff view. An id of another
// account is a 404 before anything is read (account ids are embedded in every id, so no
// other account is ever asked). Under `portal-read-only` every write is a 503 that says so.
// Every authenticated request notes the user's day of portal use in the background
// (middleware/portal-activity.ts), the health index's portal activity.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  accountOf,
  ChangeRequestFile,
  ChangeRequestId,
  ChangeRespond,
  ContractId,
  ServiceRequestOpen,
} from "../../../core/index.ts";
import { applyFilter, describeFilter, PortalFilter, parseQuery } from "../../../core/nlq/index.ts";
import { type PortalResource, PortalResource as Resource } from "../../../core/portal/model.ts";
import type { PortalAction } from "../../../core/portal/policy.ts";
import { modesFor } from "../../../durable-objects/region/client.ts";
import { auditStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { readFile } from "../files.ts";
import { slaSettingFor } from "../groups/sla.ts";
import { jurisdictionTimeZone } from "../insights/time-zone.ts";
import { executeCommand, requireIdempotencyKey } from "../lifeline.ts";
import { authenticatePortal, directory } from "../middleware/auth.ts";
import { portalActivity } from "../middleware/portal-activity.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { bearerRoutes, IdempotencyHeaders, json, jsonBody, NoQuery, problem } from "../openapi.ts";
import { loadPortalAccount } from "../portal/load.ts";
import type { PortalAccount } from "../portal/records.ts";
import { newRouter } from "../router.ts";

export const portal = newRouter();
const route = bearerRoutes("portal");

// Every portal route but the login, the invitation and the logout (portal-auth.ts).
for (const path of [
  "/v1/portal/me",
  "/v1/portal/contracts",
  "/v1/portal/contracts/*",
  "/v1/portal/resources/*",
  "/v1/portal/change-requests",
  "/v1/portal/change-requests/*",
  "/v1/portal/query",
  "/v1/portal/documents/*",
  "/v1/portal/service-requests",
])
  portal.use(path, authenticatePortal(), rateLimit(), portalActivity());

type Ctx = Context<AppEnv>;

const principalOf = (c: Ctx) => {
  const p = c.get("principal");
  if (p.kind !== "portal") throw new Problem(403, "forbidden", "Not allowed");
  return p;
};

const notFound = (what: string, id: string) =>
  new Problem(404, "not-found", `${what} not found`, `No ${what.toLowerCase()} ${id} here.`);

/** Only ids of the caller's own account go further; any other is "not found" [portal-isolation]. */
function ownId(c: Ctx, id: string, what: string): string {
  if (accountOf(id) !== principalOf(c).accountId) throw notFound(what, id);
  return id;
}

const forbidden = (action: PortalAction) =>
  new Problem(
    403,
    "forbidden",
    "Not available in your portal",
    `Your contract's terms or your service level do not include this (${action}).`,
  );

/** Portal writes stop under `portal-read-only`: a 503 that says why and that reads go on. */
async function refuseIfReadOnly(c: Ctx): Promise<void> {
  const modes = await modesFor(c.env, principalOf(c).tenantId, (p) => c.executionCtx.waitUntil(p));
  if (modes.includes("portal-read-only"))
    throw new Problem(
      503,
      "portal-read-only",
      "Changes are paused in the portal",
      "The portal answers reads only for now (degradation mode portal-read-only); everything stays visible. Try again later.",
      {},
      { "retry-after": "60" },
    );
}

const Item = z.record(z.string(), z.unknown());
const Items = z.object({ items: z.array(Item) }).meta({ id: "PortalItems" });

// ------------------------------------------------------------------ me

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/me",
    operationId: "portalMe",
    summary: "The portal user, their customer and what they may do",
    request: { query: NoQuery },
    responses: {
      200: json(
        z
          .object({
            user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
            customer: z.object({ id: z.string(), name: z.string(), tier: z.string() }),
            timeZone: z.string(),
            actions: z.array(z.string()),
          })
          .meta({ id: "PortalMe" }),
        "Who is logged in",
      ),
      401: problem("No valid portal session"),
      403: problem("Not a portal session"),
    },
  }),
  async (c) => {
    const p = principalOf(c);
    const [account, user] = await Promise.all([
      loadPortalAccount(c, p.accountId),
      directory(c.env).portalUserById(p.tenantId, p.id),
    ]);
    const customer = account.snapshot.customer;
    return c.json(
      {
        user: { id: p.id, name: user?.name ?? "", email: user?.email ?? "" },
        customer: { id: customer.id, name: customer.name, tier: customer.tier },
        timeZone: jurisdictionTimeZone(customer.residency),
        actions: account.accountActions(),
      },
      200,
    );
  },
);

// ------------------------------------------------------------------ reads

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/contracts",
    operationId: "portalContracts",
    summary: "The customer's contracts (orders), as the portal policy shows them",
    request: { query: NoQuery },
    responses: {
      200: json(Items, "Visible contracts"),
      401: problem("No valid portal session"),
      403: problem("Not a portal session"),
    },
  }),
  async (c) => {
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    return c.json({ items: account.list("contract") as Record<string, unknown>[] }, 200);
  },
);

const SECTION_KEYS: Readonly<Partial<Record<PortalResource, string>>> = {
  delivery: "deliveries",
  invoice: "invoices",
  payment: "payments",
  document: "documents",
  "service-request": "serviceRequests",
  "change-request": "changeRequests",
};

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/contracts/{id}",
    operationId: "portalContract",
    summary:
      "One contract with what the policy shows of its deliveries, invoices, payments, documents and change requests",
    description:
      "A section the policy does not grant for this contract is absent (not empty); a field it does not grant is absent from every record.",
    request: { params: z.object({ id: ContractId }), query: NoQuery },
    responses: {
      200: json(
        z
          .object({ contract: Item, actions: z.array(z.string()) })
          .catchall(z.array(Item))
          .meta({ id: "PortalContract" }),
        "The contract",
      ),
      401: problem("No valid portal session"),
      403: problem("Not a portal session"),
      404: problem("No such contract of this customer"),
    },
  }),
  async (c) => {
    const id = ownId(c, c.req.valid("param").id, "Contract");
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    const found = account.contract(id);
    if (!found) throw notFound("Contract", id);
    const body: Record<string, unknown> = { contract: found.contract, actions: found.actions };
    for (const [resource, items] of Object.entries(found.sections)) {
      const key = SECTION_KEYS[resource as PortalResource];
      if (key) body[key] = items;
    }
    return c.json(body as never, 200);
  },
);

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/resources/{resource}",
    operationId: "portalResource",
    summary: "Every visible record of one resource across the customer's contracts",
    request: { params: z.object({ resource: Resource }), query: NoQuery },
    responses: {
      200: json(Items, "Visible records"),
      401: problem("No valid portal session"),
      403: problem("Not a portal session"),
    },
  }),
  async (c) => {
    const { resource } = c.req.valid("param");
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    return c.json({ items: account.list(resource) as Record<string, unknown>[] }, 200);
  },
);

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/change-requests",
    operationId: "portalChangeRequests",
    summary: "The customer's change requests with their SLA clock and the group's answers",
    request: { query: NoQuery },
    responses: {
      200: json(Items, "Visible change requests, newest first"),
      401: problem("No valid portal session"),
      403: problem("Not a portal session"),
    },
  }),
  async (c) => {
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    const items = account.list("change-request") as Array<{ filedAt?: string }>;
    items.sort((a, b) => ((a.filedAt ?? "") < (b.filedAt ?? "") ? 1 : -1));
    return c.json({ items: items as Record<string, unknown>[] }, 200);
  },
);

// ------------------------------------------------------------------ writes

/** The caller's idempotency keys live apart from staff keys: no key of theirs meets one of ours. */
const portalKey = (c: Ctx) => `portal:${principalOf(c).id}:${requireIdempotencyKey(c)}`;

/** A change request as the portal shows it (a staff answer never goes out); 404 if not shown. */
function visibleChangeRequest(account: PortalAccount, id: string) {
  const found = account.list("change-request").find((x) => (x as { id?: string }).id === id);
  if (!found) throw notFound("Change request", id);
  return found as Record<string, unknown>;
}

/** The account read again after a write: what the answer shows is what is stored now. */
const reread = (c: Ctx) => loadPortalAccount(c, principalOf(c).accountId);

portal.openapi(
  route({
    method: "post",
    path: "/v1/portal/change-requests",
    operationId: "portalFileChangeRequest",
    summary: "File a change request (delivery date, address, contact, quantity or scope)",
    description:
      "It goes to the account's customer success group with an SLA clock by the customer's tier and the tenant's business calendar. 403 when the contract's terms or the customer's tier do not include filing; 503 `portal-read-only` while the portal answers reads only.",
    request: {
      headers: IdempotencyHeaders,
      query: NoQuery,
      body: jsonBody(ChangeRequestFile),
    },
    responses: {
      201: json(Item, "Filed"),
      200: json(Item, "Already filed with this Idempotency-Key"),
      400: problem("Invalid body or missing Idempotency-Key"),
      401: problem("No valid portal session"),
      403: problem("Not allowed for this contract"),
      404: problem("No such contract of this customer"),
      409: problem("Not allowed in the contract's current state, or the key is in flight"),
      422: problem("Idempotency-Key reused with another request"),
      503: problem("`portal-read-only`, or no second region confirmed the write in time"),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const contractId = ownId(c, input.contractId, "Contract");
    const key = portalKey(c);
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    if (!account.contextOf(contractId)) throw notFound("Contract", contractId);
    if (!account.can("file-change-request", contractId)) throw forbidden("file-change-request");
    await refuseIfReadOnly(c);
    // The tenant's SLA policy sets the clock (the defaults when it has none or does not
    // answer: logged, not told to the customer, who sees the due time it made).
    const sla = await slaSettingFor(c.env, principalOf(c).tenantId);
    const { outcome } = await executeCommand(
      c,
      principalOf(c).accountId,
      { type: "change.file", seed: key, input, sla: sla.policy },
      input,
      key,
    );
    const body = visibleChangeRequest(await reread(c), outcome.target.id);
    return c.json(body, outcome.created ? 201 : 200);
  },
);

portal.openapi(
  route({
    method: "post",
    path: "/v1/portal/change-requests/{id}/response",
    operationId: "portalRespondToChangeRequest",
    summary: "Accept or decline the group's answer to a change request",
    request: {
      headers: IdempotencyHeaders,
      params: z.object({ id: ChangeRequestId }),
      query: NoQuery,
      body: jsonBody(ChangeRespond),
    },
    responses: {
      200: json(Item, "Recorded"),
      400: problem("Invalid body or missing Idempotency-Key"),
      401: problem("No valid portal session"),
      403: problem("Not allowed for this contract"),
      404: problem("No such change request of this customer"),
      409: problem("Not answered yet, or already responded"),
      503: problem("`portal-read-only`, or no second region confirmed the write in time"),
    },
  }),
  async (c) => {
    const id = ownId(c, c.req.valid("param").id, "Change request");
    const input = c.req.valid("json");
    const key = portalKey(c);
    const account = await loadPortalAccount(c, principalOf(c).accountId);
    const contractId = String(visibleChangeRequest(account, id).contractId);
    if (!account.can("respond-to-answer", contractId)) throw forbidden("respond-to-answer");
    await refuseIfReadOnly(c);
    await executeCommand(
      c,
      principalOf(c).accountId,
      { type: "change.respond", changeRequestId: id, input },
      input,
      key,
    );
    return c.json(visibleChangeRequest(await reread(c), id), 200);
  },
);

// ------------------------------------------------------------------ documents

portal.openapi(
  route({
    method: "get",
    path: "/v1/portal/documents/{id}/file",
    operationId: "portalDownloadDocument",
    summary: "Download a document the portal shows (a signed copy, a voucher photo)",
    description:
      "Only a document this customer sees, under a policy that grants `download-document` for its contract. The contract document itself is known by its SHA-256 only (the vendor's document system holds it): 404 `file-not-stored`.",
    request: { params: z.object({ id: z.string().min(1).max(200) }), query: NoQuery },
    responses: {
      200: { description: "The file's bytes, as the image it was checked to be" },
      401: problem("No valid portal session"),
      403: problem("Downloads are not part of this contract's portal"),
      404: problem("No such document of this customer, or its file is not stored here"),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const p = principalOf(c);
    const account = await loadPortalAccount(c, p.accountId);
    const doc = (account.list("document") as Array<Record<string, unknown>>).find(
      (d) => d.id === id,
    );
    if (!doc) throw notFound("Document", id);
    if (!account.can("download-document", String(doc.contractId)))
      throw forbidden("download-document");
    const sha256 = typeof doc.sha256 === "string" ? doc.sha256 : null;
    const object = sha256 ? await readFile(c.env, p.tenantId, sha256) : null;
    if (!object)
      throw new Problem(
        404,
        "file-not-stored",
        "This document's file is not stored in the portal",
        "Ask your contact at the vendor for a copy.",
      );
    return new Response(object.body, {
      headers: {
        "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
        "content-length": String(object.size),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      },
    }) as never;
  },
);

// ------------------------------------------------------------------ service requests

/** What a customer may say when asking for service: never an internal note. */
const PortalServiceRequest = ServiceRequestOpen.omit({ internalNote: true }).meta({
  id: "PortalServiceRequestOpen",
});

portal.openapi(
  route({
    method: "post",
    path: "/v1/portal/service-requests",
    operationId: "portalOpenServiceRequest",
    summary: "Ask for service (after-sales), on a contract or on the relationship",
    description:
      "Allowed where the policy grants `open-service-request` (by default once a contract is in after-sales). 503 `portal-read-only` while the portal answers reads only.",
    request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(PortalServiceRequest) },
    responses: {
      201: json(Item, "Opened"),
      200: json(Item, "Already opened with this Idempotency-Key"),
      400: problem("Invalid body or missing Idempotency-Key"),
      401: problem("No valid portal session"),
      403: problem("Not part of this customer's portal (yet)"),
      404: problem("No such contract of this customer"),
      422: problem("Idempotency-Key reused with another request"),
      503: problem("`portal-read-only`, or no second region confirmed the write in time"),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const p = principalOf(c);
    const contractId = input.contractId ? ownId(c, input.contractId, "Contract") : null;
    const key = portalKey(c);
    const account = await loadPortalAccount(c, p.accountId);
    if (contractId && !account.contextOf(contractId)) throw notFound("Contract", contractId);
    if (!account.can("open-service-request", contractId ?? undefined))
      throw forbidden("open-service-request");
    await refuseIfReadOnly(c);
    const { outcome } = await executeCommand(
      c,
      p.accountId,
      { type: "service.open", seed: key, input: { ...input, contractId } },
      input,
      key,
    );
    const found = (await reread(c))
      .list("service-request")
      .find((x) => (x as { id?: string }).id === outcome.target.id);
    if (!found) throw notFound("Service request", outcome.target.id);
    return c.json(found as Record<string, unknown>, outcome.created ? 201 : 200);
  },
);

// ------------------------------------------------------------------ natural-language query

const QueryBody = z
  .union([
    z.strictObject({ text: z.string().min(1).max(500) }),
    z.strictObject({ filter: PortalFilter }),
  ])
  .meta({ id: "PortalQuery" });

portal.openapi(
  route({
    method: "post",
    path: "/v1/portal/query",
    operationId: "portalQuery",
    summary: "Ask in plain language (zh or en), or send a corrected filter",
    description:
      "The question becomes a structured filter, shown back as `understood` so it can be corrected (send `{ filter }` to run a corrected one). It runs over the records the visibility policy shows this customer only; a filter on a field the policy hides is refused (`kind: refused`) rather than applied, so it cannot reveal it. A question it does not understand gets suggestions, never a guess. Every query is audited.",
    request: { query: NoQuery, body: jsonBody(QueryBody) },
    responses: {
      200: json(
        z
          .discriminatedUnion("kind", [
            z.object({
              kind: z.literal("filter"),
              filter: PortalFilter,
              understood: z.object({ zh: z.string(), en: z.string() }),
              items: z.array(Item),
            }),
            z.object({
              kind: z.literal("unknown"),
              suggestions: z.array(z.string()),
              reason: z.string(),
            }),
            z.object({ kind: z.literal("refused"), field: z.string(), detail: z.string() }),
          ])
          .meta({ id: "PortalQueryAnswer" }),
        "What it understood and what it found",
      ),
      400: problem("Invalid body"),
      401: problem("No valid portal session"),
      403: problem("Querying is not part of this customer's portal"),
    },
  }),
  async (c) => {
    const p = principalOf(c);
    const body = c.req.valid("json");
    const account = await loadPortalAccount(c, p.accountId);
    if (!account.can("query")) throw forbidden("query");
    const timeZone = jurisdictionTimeZone(account.snapshot.customer.residency);
    let filter: PortalFilter;
    let answer: Record<string, unknown>;
    if ("text" in body) {
      const parsed = parseQuery(body.text, {
        now: Date.now(),
        timeZone,
        gazetteer: account.gazetteer(),
      });
      if (parsed.kind === "unknown") {
        await auditQuery(c, { text: body.text, outcome: "unknown" });
        return c.json(
          { kind: "unknown" as const, suggestions: parsed.suggestions, reason: parsed.reason },
          200,
        );
      }
      filter = parsed.filter;
    } else filter = body.filter;
    const records = account.list(filter.resource) as Record<string, unknown>[];
    const applied = applyFilter(filter, records, timeZone);
    if (applied.kind === "refused") {
      answer = {
        kind: "refused" as const,
        field: applied.field,
        detail: `Your portal does not show ${applied.field} for ${filter.resource} records, so it cannot be searched by it.`,
      };
    } else {
      answer = {
        kind: "filter" as const,
        filter,
        understood: { zh: describeFilter(filter, "zh"), en: describeFilter(filter, "en") },
        items: applied.records,
      };
    }
    await auditQuery(c, {
      ...("text" in body ? { text: body.text } : {}),
      filter,
      outcome: String(answer.kind),
      ...(Array.isArray(answer.items) ? { results: answer.items.length } : {}),
    });
    return c.json(answer as never, 200);
  },
);

/** Who asked what, and what it was understood as: the query is a read of customer data. */
async function auditQuery(c: Ctx, detail: Record<string, unknown>) {
  const p = principalOf(c);
  await auditStub(c.env).append({
    key: `portal-query/${p.tenantId}/${crypto.randomUUID()}`,
    kind: "portal-query",
    detail: { tenantId: p.tenantId, by: p.id, accountId: p.accountId, ...detail },
  });
}
