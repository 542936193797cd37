// What a contract promises and delivers (DESIGN §11): its portal terms, its delivery
// milestones and its invoices, each an account fact written through the lifeline write
// path (Idempotency-Key, AccountDO, replicated like the rest); and the milestones of many
// accounts listed from the regional read model.
import { z } from "@hono/zod-openapi";
import {
  AccountId,
  accountOf,
  ContractId,
  ContractTermsSet,
  ContractView,
  InvoiceCreate,
  MilestoneId,
  MilestoneSet,
  MilestoneView,
} from "../../../core/index.ts";
import { listMilestones } from "../../../db/queries.ts";
import { requireIdempotencyKey, runCommand } from "../lifeline.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  jsonBody,
  listPage,
  NoQuery,
  problem,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";
import { accountsFilter } from "./accounts-filter.ts";
import { readPage } from "./shared.ts";

export const delivery = newRouter();
const route = bearerRoutes("contracts");

const IdParam = z.object({ id: ContractId });

const setTerms = route({
  method: "put",
  path: "/v1/contracts/{id}/terms",
  operationId: "setContractTerms",
  summary: "Set what the customer portal shows of a contract (reps, managers, admins)",
  description:
    "The terms are replaced as a whole (a field left out is its default) and are last-writer-wins by hybrid logical clock in every region. Setting the terms in force again changes nothing.",
  middleware: [requireRole("admin", "manager", "rep")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: IdParam,
    query: NoQuery,
    body: jsonBody(ContractTermsSet),
  },
  responses: {
    200: written(ContractView, "The contract with its terms"),
    ...writeProblems,
    403: problem("The caller is not a rep, manager or admin (an integrator key)"),
    404: readProblems[404],
  },
});

delivery.openapi(setTerms, async (c) => {
  const { id } = c.req.valid("param");
  const terms = c.req.valid("json");
  const command = { type: "contract.set-terms" as const, contractId: id, terms };
  return raw(await runCommand(c, accountOf(id)!, command, terms));
});

const setMilestone = route({
  method: "put",
  path: "/v1/contracts/{id}/milestones/{milestoneId}",
  operationId: "setMilestone",
  summary: "Set a delivery milestone of a contract, as a whole",
  description:
    "One milestone per id; a later set replaces the whole milestone (last writer wins by hybrid logical clock, in every region). `supplier`, `costMinor` and `internalNote` are internal: never shown in the portal. Answers the contract: 201 when the milestone is new, 200 otherwise.",
  request: {
    headers: IdempotencyHeaders,
    params: z.object({ id: ContractId, milestoneId: MilestoneId }),
    query: NoQuery,
    body: jsonBody(MilestoneSet),
  },
  responses: {
    201: written(ContractView, "The contract with its new milestone"),
    200: written(ContractView, "The contract with the milestone as set"),
    ...writeProblems,
    404: readProblems[404],
  },
});

delivery.openapi(setMilestone, async (c) => {
  const { id, milestoneId } = c.req.valid("param");
  const input = c.req.valid("json");
  const command = { type: "delivery.set-milestone" as const, contractId: id, milestoneId, input };
  return raw(await runCommand(c, accountOf(id)!, command, input));
});

const issueInvoice = route({
  method: "post",
  path: "/v1/contracts/{id}/invoices",
  operationId: "issueInvoice",
  summary: "Issue an invoice on a signed or active contract",
  description:
    "An invoice is keyed by its `number` on the contract (normalised as a payment reference is): issued again with the same amount and due date, under any Idempotency-Key, it is one invoice (200); with another amount or due date it is 409. Issued concurrently in two regions with different amounts, the earliest holds and a conflict record names both. Its status is derived: the contract's confirmed payments pay its invoices in due-date order; `overdue` is shown on reads once an unpaid invoice's due date has passed (UTC).",
  request: {
    headers: IdempotencyHeaders,
    params: IdParam,
    query: NoQuery,
    body: jsonBody(InvoiceCreate),
  },
  responses: {
    201: written(ContractView, "The contract with the invoice"),
    200: written(ContractView, "The invoice was already issued; nothing changed"),
    ...writeProblems,
    404: readProblems[404],
  },
});

delivery.openapi(issueInvoice, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const command = { type: "invoice.issue" as const, contractId: id, input };
  return raw(await runCommand(c, accountOf(id)!, command, input, key));
});

const MilestoneSummary = MilestoneView.omit({ internalNote: true })
  .extend({ customerId: AccountId })
  .meta({ id: "MilestoneSummary" });

const list = route({
  method: "get",
  path: "/v1/delivery-milestones",
  operationId: "listMilestones",
  summary: "List delivery milestones across accounts, by planned date (regional read model)",
  ...listPage(
    {
      accounts: accountsFilter,
      open: z
        .enum(["true", "false"])
        .transform((v) => v === "true")
        .optional()
        .meta({ description: "`true`: not reached yet (no actual date); `false`: reached" }),
    },
    MilestoneSummary,
    "MilestonePage",
    "A page of milestones, earliest planned first",
  ),
});

delivery.openapi(list, async (c) =>
  c.json(await readPage(c, c.req.valid("query"), listMilestones), 200),
);
