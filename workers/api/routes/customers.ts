// /v1/customers: create (idempotent, id derived before any lookup), read from the
// AccountDO, list and search from the regional read model.
import { createRoute, z } from "@hono/zod-openapi";
import { AccountId, accountIdFor, CustomerCreate, CustomerView } from "../../../core/index.ts";
import { listCustomers } from "../../../db/queries.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound, Problem } from "../errors.ts";
import { accountIdKey, requireIdempotencyKey, runCommand } from "../lifeline.ts";
import { createOnce, listPage, readOne } from "../openapi.ts";
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
    throw new Problem(
      400,
      "validation",
      "The request body has invalid fields",
      "id: a customer with a tax id takes the id derived from it; omit id",
      {
        errors: [{ field: "id", pointer: "#/id", message: "omit id when taxId is given" }],
      },
    );
  }
  return raw(await runCommand(c, accountId, { type: "customer.create", input }, input, key));
});

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
    },
    CustomerView.omit({ conflicts: true }).meta({ id: "CustomerSummary" }),
    "CustomerPage",
    "A page of customers by name",
  ),
});

customers.openapi(list, async (c) => {
  const found = await readPage(c, c.req.valid("query"), listCustomers);
  // The read model holds what this region holds: foreign customers in their masked form.
  const items = found.items.map((i) =>
    isMaskedHere(c, i.residency) ? { ...i, masked: true as const } : i,
  );
  return c.json({ ...found, items }, 200);
});
