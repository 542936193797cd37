// /v1/payments: confirm a payment (keyed by contract and bank reference), read one (the
// Location of a confirmation) and list them.
import { createRoute, z } from "@hono/zod-openapi";
import {
  accountOf,
  ContractId,
  PaymentCreate,
  PaymentId,
  PaymentView,
} from "../../../core/index.ts";
import { listPayments } from "../../../db/queries.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound } from "../errors.ts";
import { requireFile } from "../files.ts";
import { requireIdempotencyKey, runCommand } from "../lifeline.ts";
import { createOnce, listPage, readOne } from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { readPage, served } from "./shared.ts";

export const payments = newRouter();

const confirm = createRoute({
  method: "post",
  path: "/v1/payments",
  operationId: "confirmPayment",
  tags: ["payments"],
  summary: "Confirm a payment on a signed or active contract",
  description:
    "A payment is keyed by (contractId, reference): the same bank reference confirmed again, under any Idempotency-Key, counts once. References are normalised first (NFKC, white space removed, letters upper-cased), so ` icbc-1` and `ICBC-1` are one payment. Over-payment is recorded and flagged; a paid total past exact integers is refused (422, `amount.value`). A `voucher` (a photo of the bank slip) must be uploaded to this region first (PUT /v1/files/{sha256}; else 422 `voucher-missing`); sent again for a payment that has none, it is attached (200); a payment keeps the voucher it has (another one is 409 `voucher-conflict`).",
  ...createOnce(
    PaymentCreate,
    PaymentView,
    "Confirmed",
    "This reference was already confirmed with this amount; nothing changed",
  ),
});

payments.openapi(confirm, async (c) => {
  const input = c.req.valid("json");
  const tenantId = c.get("principal").tenantId;
  return raw(
    await runCommand(
      c,
      accountOf(input.contractId)!,
      { type: "payment.confirm", input },
      input,
      requireIdempotencyKey(c),
      // Not in front of a replay: a retry of a confirmation that committed is answered.
      () => requireFile(c.env, tenantId, input.voucher, "voucher-missing", "voucher"),
    ),
  );
});

const get = createRoute({
  method: "get",
  path: "/v1/payments/{id}",
  operationId: "getPayment",
  tags: ["payments"],
  summary: "Read a payment (authoritative, from its AccountDO; the Location of a confirmation)",
  ...readOne(z.object({ id: PaymentId }), PaymentView, "The payment"),
});

payments.openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, accountOf(id)!);
  const [view, residency] = await Promise.all([stub.getPayment(id), stub.getResidency()]);
  if (!view) throw notFound("Payment", id);
  return c.json(served(c, view, residency), 200);
});

const list = createRoute({
  method: "get",
  path: "/v1/payments",
  operationId: "listPayments",
  tags: ["payments"],
  summary: "List payments, optionally of one contract (regional read model)",
  ...listPage(
    { contractId: ContractId.optional() },
    PaymentView,
    "PaymentPage",
    "A page of payments, oldest first",
  ),
});

payments.openapi(list, async (c) =>
  c.json(await readPage(c, c.req.valid("query"), listPayments), 200),
);
