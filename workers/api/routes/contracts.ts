// /v1/contracts: draft, send, sign (customer, then vendor countersignature), read and list.
import { createRoute, z } from "@hono/zod-openapi";
import {
  AccountId,
  accountOf,
  ContractCreate,
  ContractId,
  ContractSend,
  ContractView,
  SignatureCreate,
} from "../../../core/index.ts";
import { listContracts } from "../../../db/queries.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound, Problem, validationProblem } from "../errors.ts";
import { requireFile } from "../files.ts";
import { requireIdempotencyKey, runCommand } from "../lifeline.ts";
import {
  createOnce,
  IdempotencyHeaders,
  jsonBody,
  listPage,
  NoQuery,
  readOne,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { readPage, served } from "./shared.ts";

export const contracts = newRouter();

const IdParam = z.object({ id: ContractId });

const create = createRoute({
  method: "post",
  path: "/v1/contracts",
  operationId: "draftContract",
  tags: ["contracts"],
  summary: "Draft a contract for a customer",
  ...createOnce(ContractCreate, ContractView, "Drafted", "Already drafted"),
});

contracts.openapi(create, async (c) => {
  const key = requireIdempotencyKey(c);
  const input = c.req.valid("json");
  return raw(
    await runCommand(
      c,
      input.customerId,
      { type: "contract.create", seed: key, input },
      input,
      key,
    ),
  );
});

// The send body is optional and read by the handler (below), so it is documented by
// reference only: a zod schema here would add a validator that refuses an empty body.
contracts.openAPIRegistry.register("ContractSend", ContractSend);

const send = createRoute({
  method: "post",
  path: "/v1/contracts/{id}/send",
  operationId: "sendContract",
  tags: ["contracts"],
  summary: "Send the current document to the customer for signature",
  description:
    'The body is optional: none (or an empty body) sends the current document; `{ "documentHash": … }` sends it only if that is still the current one (else 409).',
  security: [{ bearer: [] }],
  request: {
    headers: IdempotencyHeaders,
    params: IdParam,
    query: NoQuery,
    body: {
      content: { "application/json": { schema: { $ref: "#/components/schemas/ContractSend" } } },
      required: false,
    },
  },
  responses: {
    200: written(ContractView, "Sent (or already sent)"),
    ...writeProblems,
    404: readProblems[404],
  },
});

contracts.openapi(send, async (c) => {
  const { id } = c.req.valid("param");
  // An empty body is allowed: "send what is current".
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Problem(
        400,
        "malformed-body",
        "The body is not valid JSON",
        "Send no body, or a JSON object.",
      );
    }
  }
  const parsed = ContractSend.safeParse(body);
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  return raw(
    await runCommand(
      c,
      accountOf(id)!,
      { type: "contract.send", contractId: id, documentHash: parsed.data.documentHash },
      parsed.data,
    ),
  );
});

const sign = createRoute({
  method: "post",
  path: "/v1/contracts/{id}/signatures",
  operationId: "signContract",
  tags: ["contracts"],
  summary: "Record a signature on the contract's current document",
  description:
    "`party: customer` signs a sent contract (status `signed`); `party: vendor` countersigns it (status `active`). An `image` (the stroke image of an in-person signature) must be uploaded to this region first (PUT /v1/files/{sha256}; else 422 `signature-image-missing`); it is bound to this party's signature of this document. Sent again for a signature that has none, it is attached (200); another one is 409 `signature-image-conflict`.",
  security: [{ bearer: [] }],
  request: {
    headers: IdempotencyHeaders,
    params: IdParam,
    query: NoQuery,
    body: jsonBody(SignatureCreate),
  },
  responses: {
    201: written(ContractView, "Signed"),
    200: written(ContractView, "This party already signed this document"),
    ...writeProblems,
    404: readProblems[404],
  },
});

contracts.openapi(sign, async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const tenantId = c.get("principal").tenantId;
  return raw(
    await runCommand(
      c,
      accountOf(id)!,
      { type: "contract.sign", contractId: id, input },
      input,
      requireIdempotencyKey(c),
      // Not in front of a replay: a retry of a signature that committed is answered.
      () => requireFile(c.env, tenantId, input.image, "signature-image-missing", "image"),
    ),
  );
});

const get = createRoute({
  method: "get",
  path: "/v1/contracts/{id}",
  operationId: "getContract",
  tags: ["contracts"],
  summary: "Read a contract with its signatures and payments (authoritative)",
  ...readOne(IdParam, ContractView, "The contract"),
});

contracts.openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, accountOf(id)!);
  const [view, residency] = await Promise.all([stub.getContract(id), stub.getResidency()]);
  if (!view) throw notFound("Contract", id);
  return c.json(served(c, view, residency), 200);
});

const ContractSummary = ContractView.omit({
  payments: true,
  outstanding: true,
  overpaid: true,
  conflicts: true,
  terms: true,
  milestones: true,
  invoices: true,
}).meta({ id: "ContractSummary" });

const list = createRoute({
  method: "get",
  path: "/v1/contracts",
  operationId: "listContracts",
  tags: ["contracts"],
  summary: "List contracts, optionally of one customer (regional read model)",
  ...listPage(
    { customerId: AccountId.optional() },
    ContractSummary,
    "ContractPage",
    "A page of contracts, oldest first",
  ),
});

contracts.openapi(list, async (c) =>
  c.json(await readPage(c, c.req.valid("query"), listContracts), 200),
);
