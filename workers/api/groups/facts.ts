// The facts a group's workbench computes its KPIs from, gathered within bounds: at most
// MAX_WORKBENCH_ACCOUNTS accounts, each read from its own AccountDO (one snapshot: the
// customer, its newest contracts and its engagement at the workbench's time),
// ACCOUNT_FAN_OUT at a time and each within ACCOUNT_TIMEOUT_MS (an account that does not
// answer is listed as unavailable, never failing the page); the adoption of
// recommendations from the members' answers in the read model.
//
// Views are read defensively, each part as optional: a view without one (an object of an
// older build) leaves its KPI component out (`null`: not known) rather than counting it as
// "none". The same holds for an account without portal users (no portal activity to
// speak of) and for call sentiment held here without its scores (a copy abroad withholds
// them: the trend is read in the account's jurisdiction only).
import { and, count, eq, gte, inArray, notLike, sql } from "drizzle-orm";
import { z } from "zod";
import { type AccountFacts, UNKNOWN_FACTS } from "../../../core/groups/index.ts";
import { mapLimit } from "../../../core/index.ts";
import { insightFeedback, insights } from "../../../db/schema.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { within } from "../../shared/timeout.ts";
import { TOOLING_PREFIX } from "../insights/store.ts";
import { readModel } from "../read-model.ts";

export const MAX_WORKBENCH_ACCOUNTS = 200;
export const ACCOUNT_FAN_OUT = 10;
export const ACCOUNT_TIMEOUT_MS = 2_000;
/** Budget of one read-model query of the workbench. */
const READ_MODEL_TIMEOUT_MS = 2_000;
export const ADOPTION_WINDOW_DAYS = 90;
/** Members whose answers one query reads (a group has at most 100; merges may add a few). */
const MAX_MEMBERS_ASKED = 200;

export type AccountRead = {
  accountId: string;
  status: "ok" | "unavailable" | "not-found";
  name: string | null;
  facts: AccountFacts;
  /** Null when not known (the read model or the account did not answer). */
  contracts: Array<{ status: string; productLine?: string | null }> | null;
  serviceRequests: Array<{ openedAt: string; resolvedAt: string | null }> | null;
  /** Change requests nobody has answered yet, for the workbench's SLA list. */
  openChangeRequests: OpenChangeRequest[];
};

export type OpenChangeRequest = {
  id: string;
  contractId: string;
  kind: string;
  summary: string | null;
  filedAt: string;
  slaWarnAt: string;
  slaDueAt: string;
  marked: { warning: boolean; violation: boolean };
};

const Customer = z.object({
  name: z.string().nullable().optional(),
  changeRequests: z
    .array(
      z.object({
        id: z.string(),
        contractId: z.string(),
        kind: z.string(),
        summary: z.string().nullable().optional(),
        filedAt: z.string(),
        slaWarnAt: z.string(),
        slaDueAt: z.string(),
        status: z.string(),
        slaMarks: z
          .object({
            warning: z.string().nullable().optional(),
            violation: z.string().nullable().optional(),
          })
          .optional(),
        answer: z.unknown().optional(),
      }),
    )
    .optional(),
  serviceRequests: z
    .array(z.object({ openedAt: z.string(), resolvedAt: z.string().nullable() }))
    .optional(),
});

const Contract = z.object({
  status: z.string(),
  productLine: z.string().nullable().optional(),
  invoices: z.array(z.object({ dueDate: z.string(), paidAt: z.string().nullable() })).optional(),
});

const Engagement = z.object({
  portalActivity: z.object({ activeDays30: z.int().min(0) }).nullable(),
  sentiment: z.object({
    calls: z.array(z.object({ at: z.string(), score: z.number() })),
    withheld: z.int().min(0),
  }),
});

const Snapshot = z.object({
  customer: Customer,
  contracts: z.array(z.unknown()),
  engagement: Engagement.optional(),
});

/** Reads the accounts (the first MAX_WORKBENCH_ACCOUNTS), in bounded parallel batches. */
export async function readAccounts(
  env: Env,
  tenantId: string,
  accountIds: readonly string[],
  nowMs: number,
): Promise<AccountRead[]> {
  return mapLimit(
    accountIds.slice(0, MAX_WORKBENCH_ACCOUNTS),
    ACCOUNT_FAN_OUT,
    async (accountId) => {
      try {
        return await within(readAccount(env, tenantId, accountId, nowMs), ACCOUNT_TIMEOUT_MS);
      } catch (err) {
        console.warn(
          "workbench: account unavailable",
          accountId,
          err instanceof Error ? err.message : err,
        );
        return unread(accountId, "unavailable");
      }
    },
  );
}

const unread = (accountId: string, status: "unavailable" | "not-found"): AccountRead => ({
  accountId,
  status,
  name: null,
  facts: UNKNOWN_FACTS,
  contracts: null,
  serviceRequests: null,
  openChangeRequests: [],
});

async function readAccount(
  env: Env,
  tenantId: string,
  accountId: string,
  nowMs: number,
): Promise<AccountRead> {
  const parsed = Snapshot.safeParse(
    await accountStub(env, tenantId, accountId).workbenchSnapshot(nowMs),
  );
  if (!parsed.success) return unread(accountId, "not-found");
  const { customer, engagement } = parsed.data;
  // A contract that does not read as one (a newer shape) is left out, not guessed at.
  const contracts = parsed.data.contracts.flatMap((view) => {
    const r = Contract.safeParse(view);
    return r.success ? [r.data] : [];
  });
  const crs = customer.changeRequests;
  const facts: AccountFacts = {
    // Known only when every contract carries its invoices (a view of this build).
    invoices: contracts.every((c) => c.invoices !== undefined)
      ? contracts.flatMap((c) => c.invoices ?? [])
      : null,
    openChangeRequests: crs ? crs.filter((r) => r.status === "open").length : null,
    changeRequestSla: crs
      ? {
          missed: crs.filter((r) => r.slaMarks?.violation).length,
          met: crs.filter((r) => r.answer && !r.slaMarks?.violation).length,
        }
      : null,
    sentiment:
      engagement && engagement.sentiment.withheld === 0 ? engagement.sentiment.calls : null,
    portalActivity: engagement?.portalActivity ?? null,
  };
  return {
    accountId,
    status: "ok",
    name: customer.name ?? null,
    facts,
    contracts,
    serviceRequests: customer.serviceRequests ?? null,
    openChangeRequests: (crs ?? [])
      .filter((r) => r.status === "open")
      .map((r) => ({
        id: r.id,
        contractId: r.contractId,
        kind: r.kind,
        summary: r.summary ?? null,
        filedAt: r.filedAt,
        slaWarnAt: r.slaWarnAt,
        slaDueAt: r.slaDueAt,
        marked: {
          warning: Boolean(r.slaMarks?.warning),
          violation: Boolean(r.slaMarks?.violation),
        },
      })),
  };
}

/**
 * The members' answers on insight recommendations over the last ADOPTION_WINDOW_DAYS
 * (local tooling's never counted); null when the read model does not answer.
 */
export async function memberAdoption(
  env: Env,
  tenantId: string,
  memberIds: readonly string[],
  nowMs: number,
): Promise<{ answered: number; adopted: number } | null> {
  if (memberIds.length === 0) return { answered: 0, adopted: 0 };
  const since = new Date(nowMs - ADOPTION_WINDOW_DAYS * 24 * 60 * 60 * 1000).toISOString();
  try {
    const [row] = await within(
      readModel(env)
        .select({
          answered: count(),
          adopted: sql<number>`coalesce(sum(${insightFeedback.adopted}), 0)`,
        })
        .from(insightFeedback)
        .where(
          and(
            eq(insightFeedback.tenantId, tenantId),
            inArray(insightFeedback.answeredBy, memberIds.slice(0, MAX_MEMBERS_ASKED)),
            gte(insightFeedback.answeredAt, since),
            notLike(insightFeedback.answeredBy, `${TOOLING_PREFIX}%`),
            sql`${insightFeedback.insightId} NOT IN (SELECT ${insights.id} FROM ${insights}
              WHERE ${insights.tenantId} = ${tenantId} AND ${insights.createdBy} LIKE ${`${TOOLING_PREFIX}%`})`,
          ),
        ),
      READ_MODEL_TIMEOUT_MS,
    );
    return { answered: Number(row?.answered ?? 0), adopted: Number(row?.adopted ?? 0) };
  } catch (err) {
    console.warn("workbench: adoption unavailable", err instanceof Error ? err.message : err);
    return null;
  }
}
