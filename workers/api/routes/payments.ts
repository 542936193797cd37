// /v1/payments: confirm a payment (keyed by contract and bank reference) and list them.
import { createRoute, z } from "@hono/zod-openapi";
import { accountOf, ContractId, PaymentCreate, PaymentView } from "../../../core/index.ts";
import { listPayments } from "../../../db/queries.ts";
import { runCommand } from "../lifeline.ts";
import {
  IdempotencyHeaders,
  json,
  jsonBody,
  ListQuery,
  listProblems,
  page,
  writeProblems,
} from "../openapi.ts";
import { cursorParts, fromReadModel, readModel } from "../read-model.ts";
import { newRouter, raw } from "../router.ts";

export const payments = newRouter();

const confirm = createRoute({
  method: "post",
  path: "/v1/payments",
  tags: ["payments"],
  summary: "Confirm a payment on a signed or active contract",
  description:
    "A payment is keyed by (contractId, reference): the same bank reference confirmed again, under any Idempotency-Key, counts once. Over-payment is recorded and flagged.",
  security: [{ bearer: [] }],
  request: { headers: IdempotencyHeaders, body: jsonBody(PaymentCreate) },
  responses: {
    201: json(PaymentView, "Confirmed"),
    200: json(
      PaymentView,
      "This reference was already confirmed with this amount; nothing changed",
    ),
    ...writeProblems,
  },
});

payments.openapi(confirm, async (c) => {
  const input = c.req.valid("json");
  return raw(
    await runCommand(c, accountOf(input.contractId)!, { type: "payment.confirm", input }, input),
  );
});

const list = createRoute({
  method: "get",
  path: "/v1/payments",
  tags: ["payments"],
  summary: "List payments, optionally of one contract (regional read model)",
  security: [{ bearer: [] }],
  request: { query: z.object({ contractId: ContractId.optional(), ...ListQuery }) },
  responses: {
    200: json(page(PaymentView, "PaymentPage"), "A page of payments, oldest first"),
    ...listProblems,
  },
});

payments.openapi(list, async (c) => {
  const { contractId, cursor, limit } = c.req.valid("query");
  const after = cursorParts(cursor, 2);
  const result = await fromReadModel(() =>
    listPayments(readModel(c.env), c.get("principal").tenantId, { contractId, after, limit }),
  );
  return c.json(result, 200);
});
