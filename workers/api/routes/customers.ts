// /v1/customers: create (idempotent, id derived before any lookup, owned by the caller),
// read from the AccountDO, list and search from the regional read model (all, or one
// owner's), and an admin's reassignment of the owner (audited).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  AccountId,
  accountIdFor,
  CustomerCreate,
  CustomerOwnerAssign,
  CustomerView,
  UserId,
} from "../../../core/index.ts";
import { listCustomers } from "../../../db/queries.ts";
import { accountStub, auditStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { fieldProblem, notFound, Problem } from "../errors.ts";
import {
  accountIdKey,
  executeCommand,
  renderOutcome,
  requireIdempotencyKey,
  runCommand,
} from "../lifeline.ts";
import { tokenVersion } from "../middleware/auth.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  createOnce,
  IdempotencyHeaders,
  jsonBody,
  listPage,
  NoQuery,
  problem,
  readOne,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { isMaskedHere, readPage, served } from "./shared.ts";

export const customers = newRouter();

const create = createRoute({
  method: "post",
  path: "/v1/customers",
  operationId: "createCustomer",
  tags: ["customers"],
  summary: "Create a customer (a lifeline flow)",
  description:
    "The customer's id is derived from its tax id, else the client-minted `id` (ULID), else the Idempotency-Key, so a retry or a concurrent create of the same tax id is the same customer.",
  ...createOnce(
    CustomerCreate,
    CustomerView,
    "Created",
    "A customer with this tax id already exists; nothing changed",
  ),
});

customers.openapi(create, async (c) => {
  const key = requireIdempotencyKey(c);
  const input = c.req.valid("json");
  const tenantId = c.get("principal").tenantId;
  const accountId = input.taxId
    ? accountIdFor(tenantId, {
        kind: "taxId",
        taxId: input.taxId,
        key: accountIdKey(c.env, input.residency),
      })
    : input.id
      ? accountIdFor(tenantId, { kind: "client", ulid: input.id })
      : accountIdFor(tenantId, { kind: "idempotencyKey", key });
  if (
    input.taxId &&
    input.id &&
    accountIdFor(tenantId, { kind: "client", ulid: input.id }) !== accountId
  ) {
    const message = "a customer with a tax id takes the id derived from it; omit id";
    throw fieldProblem("json", [{ field: "id", message }]);
  }
  const ownerId = await ownerAtCreation(c, input.ownerId);
  const command = { type: "customer.create" as const, input: { ...input, ownerId } };
  return raw(await runCommand(c, accountId, command, input, key));
});

/**
 * Who owns a new customer: a user's session owns what it creates (naming someone else is
 * refused, not silently replaced, so a client bug shows); an API key names any user of the
 * tenant, or no one.
 */
async function ownerAtCreation(
  c: Context<AppEnv>,
  requested: string | undefined,
): Promise<string | undefined> {
  const principal = c.get("principal");
  if (principal.kind === "user") {
    if (requested !== undefined && requested !== principal.id) {
      const message = "a user's session owns what it creates; only an API key names an owner";
      throw fieldProblem("json", [{ field: "ownerId", message }]);
    }
    return principal.id;
  }
  if (requested !== undefined) await requireUser(c, requested);
  return requested;
}

/**
 * 422 naming `ownerId` unless the user exists in the caller's tenant (this region's
 * directory, through the isolate's cache of token versions).
 */
async function requireUser(c: Context<AppEnv>, userId: string): Promise<void> {
  if ((await tokenVersion(c.env, c.get("principal").tenantId, userId)) !== null) return;
  throw new Problem(422, "not-found", "User not found", `No user ${userId} in this tenant.`, {
    errors: [{ field: "ownerId", pointer: "#/ownerId", message: "user not found" }],
  });
}

const get = createRoute({
  method: "get",
  path: "/v1/customers/{id}",
  operationId: "getCustomer",
  tags: ["customers"],
  summary: "Read a customer (authoritative, from its AccountDO)",
  ...readOne(z.object({ id: AccountId }), CustomerView, "The customer"),
});

customers.openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, id);
  const view = await stub.getCustomer();
  if (!view) throw notFound("Customer", id);
  return c.json(served(c, view, view.residency), 200);
});

const assignOwner = createRoute({
  method: "put",
  path: "/v1/customers/{id}/owner",
  operationId: "assignCustomerOwner",
  tags: ["customers"],
  summary: "Reassign a customer to another rep (admins only, audited)",
  description:
    "Last writer wins by hybrid logical clock, in every region: two concurrent reassignments end with the later one everywhere. Assigning the current owner again changes nothing and is not audited. Each reassignment that changes the owner is an `owner-assigned` entry in this region's audit log (`GET /v1/audit/entries`).",
  security: [{ bearer: [] }],
  middleware: [requireRole("admin")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: z.object({ id: AccountId }),
    query: NoQuery,
    body: jsonBody(CustomerOwnerAssign),
  },
  responses: {
    200: written(CustomerView, "The customer, with its owner"),
    ...writeProblems,
    403: problem("The caller is not an admin (a rep token or an integrator key)"),
    404: readProblems[404],
    422: problem(
      "Idempotency-Key reused with another request, or `ownerId` names no user of the tenant",
    ),
  },
});

customers.openapi(assignOwner, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  await requireUser(c, body.ownerId);
  const command = { type: "customer.assign-owner" as const, customerId: id, ...body };
  const { outcome, replayed, degraded } = await executeCommand(c, id, command, body, key);
  // Only a reassignment that recorded an event is audited: assigning the current owner
  // changed nothing. Keyed by the request, so a replay (same Idempotency-Key) is the same
  // entry, not another. A ledger row too old to say whether it changed anything is audited
  // (at most once, by its key), as every reassignment was before rows said so.
  if (outcome.changed !== false) {
    const p = c.get("principal");
    await auditStub(c.env).append({
      key: `owner-assigned/${p.tenantId}/${key}`,
      kind: "owner-assigned",
      detail: {
        tenantId: p.tenantId,
        by: p.id,
        customerId: id,
        ownerId: body.ownerId,
        hlc: outcome.version,
      },
    });
  }
  return raw(renderOutcome(outcome, replayed, degraded));
});

const list = createRoute({
  method: "get",
  path: "/v1/customers",
  operationId: "listCustomers",
  tags: ["customers"],
  summary: "List or search customers (regional read model, eventually consistent)",
  ...listPage(
    {
      q: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .meta({ description: "Part of the name, or the exact tax id" }),
      owner: z
        .union([z.literal("me"), UserId])
        .optional()
        .meta({
          description:
            "Only the customers this user owns; `me` is the caller (a user's session: with an API key it is a 400)",
        }),
    },
    CustomerView.omit({ conflicts: true, serviceRequests: true, changeRequests: true }).meta({
      id: "CustomerSummary",
    }),
    "CustomerPage",
    "A page of customers by name",
  ),
});

customers.openapi(list, async (c) => {
  const { owner, ...query } = c.req.valid("query");
  const ownerId = owner === "me" ? callerAsOwner(c) : owner;
  const found = await readPage(c, query, (db, tenantId, opts) =>
    listCustomers(db, tenantId, { ...opts, ownerId }),
  );
  // The read model holds what this region holds: foreign customers in their masked form.
  const items = found.items.map((i) =>
    isMaskedHere(c, i.residency) ? { ...i, masked: true as const } : i,
  );
  return c.json({ ...found, items }, 200);
});

/** `?owner=me`: the caller's user id; an API key is nobody's "me". */
function callerAsOwner(c: Context<AppEnv>): string {
  const principal = c.get("principal");
  if (principal.kind === "user") return principal.id;
  const message = "`me` needs a user's session; with an API key, name the user (usr_…)";
  throw fieldProblem("query", [{ field: "owner", message }]);
}
