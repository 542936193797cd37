// The write path of the groups and approvals routes: Idempotency-Key → the tenant-wide key
// registry (422 another request, 409 in flight) → the tenant's GroupsDO, which judges,
// journals and stores the answer in one transaction → the audit entry (who, what, under
// which delegation), keyed by the request so a replay is the same entry [LF7].
import type { Context } from "hono";
import type { GroupCommand, GroupError } from "../../../core/groups/index.ts";
import { type Actor, fingerprint } from "../../../core/index.ts";
import type { GroupsOutcome } from "../../../durable-objects/groups/index.ts";
import { auditStub, groupsStub, idempotencyKeyStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { requireIdempotencyKey } from "../lifeline.ts";

export type Written = { outcome: GroupsOutcome; replayed: boolean };

/** The caller as events and audit entries name them. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  return { kind: p.kind === "apiKey" ? "apiKey" : "user", id: p.id };
}

/** Runs a command; every refusal is thrown as its problem. */
export async function runGroupsCommand(
  c: Context<AppEnv>,
  command: GroupCommand,
  body: unknown,
  key: string = requireIdempotencyKey(c),
): Promise<Written> {
  const p = c.get("principal");
  const fp = fingerprint(c.req.method, c.req.path, body);
  const registry = idempotencyKeyStub(c.env, p.tenantId, key);
  const claim = await registry.claim(key, fp);
  if (claim === "mismatch") throw keyReused();
  if (claim === "in-flight") throw inFlight();
  const result = await groupsStub(c.env, p.tenantId).execute({
    tenantId: p.tenantId,
    idempotencyKey: key,
    fingerprint: fp,
    actor: actorOf(c),
    command,
  });
  switch (result.kind) {
    case "response": {
      c.executionCtx.waitUntil(registry.complete(key, fp));
      if (result.outcome.changed) await audit(c, key, command, result.outcome);
      return { outcome: result.outcome, replayed: result.replayed };
    }
    case "mismatch":
      throw keyReused();
    case "rejected":
      c.executionCtx.waitUntil(registry.release(key, fp));
      throw groupProblem(result.error);
  }
}

/** A write's answer: its stored body (byte for byte on a replay), status and headers. */
export function renderWritten({ outcome, replayed }: Written, location?: string): Response {
  const headers = new Headers({
    "content-type": "application/json",
    "lifeline-hlc": outcome.version,
  });
  if (replayed) headers.set("idempotent-replayed", "true");
  if (location && outcome.created) headers.set("location", location);
  return new Response(outcome.body, { status: outcome.created ? 201 : 200, headers });
}

async function audit(
  c: Context<AppEnv>,
  key: string,
  command: GroupCommand,
  outcome: GroupsOutcome,
) {
  const p = c.get("principal");
  const common = { tenantId: p.tenantId, by: p.id, hlc: outcome.version, events: outcome.eventIds };
  if (command.type === "approval.decide") {
    // The decision as recorded (the body's `decision`): who, in which role, what, on which
    // path, under which delegation, and why.
    const { approval, decision } = JSON.parse(outcome.body) as {
      approval: { id: string; groupId: string; accountId: string; kind: string; amount: unknown };
      decision: Record<string, unknown>;
    };
    await auditStub(c.env).append({
      key: `approval-decision/${p.tenantId}/${key}`,
      kind: "approval-decision",
      detail: {
        ...common,
        approvalId: approval.id,
        groupId: approval.groupId,
        accountId: approval.accountId,
        request: { kind: approval.kind, amount: approval.amount },
        role: decision.role,
        outcome: decision.outcome,
        path: decision.path,
        delegationId: decision.delegationId ?? null,
        escalateTo: decision.escalateTo ?? null,
        why: decision.why,
      },
    });
    return;
  }
  const { type, ...args } = command;
  await auditStub(c.env).append({
    key: `group-change/${p.tenantId}/${key}`,
    kind: "group-change",
    detail: { ...common, change: type, target: outcome.target, ...summary(args) },
  });
}

/** What a change set, without bulky documents (the portal policy is named by version). */
function summary(args: Record<string, unknown>): Record<string, unknown> {
  const { document: _, policy, weights, ...rest } = args;
  return { ...rest, ...(policy ? { policy } : {}), ...(weights ? { weights } : {}) };
}

/** How a refused command reads as HTTP. */
export function groupProblem(e: GroupError): Problem {
  switch (e.code) {
    case "not-found": {
      const entity = `${e.entity.charAt(0).toUpperCase()}${e.entity.slice(1)}`;
      const where = e.within ?? "this tenant";
      return new Problem(
        404,
        "not-found",
        `${entity} not found`,
        `No ${e.entity} ${e.id} in ${where}.`,
      );
    }
    case "invalid-state":
      return new Problem(409, "invalid-state", "Not allowed in the current state", e.message);
    case "limit":
      return new Problem(422, "limit-reached", "Limit reached", e.message);
    case "unprocessable":
      return new Problem(
        422,
        "unprocessable",
        "The request cannot be applied",
        `${e.field}: ${e.message}`,
        {
          errors: [{ field: e.field, pointer: `#/${e.field}`, message: e.message }],
        },
      );
    case "forbidden":
      return new Problem(403, "forbidden", "Not allowed", e.message);
  }
}

const keyReused = () =>
  new Problem(
    422,
    "idempotency-key-reused",
    "Idempotency-Key reused with a different request",
    "This key was first used for another request body or path; use a new key for a new request.",
  );

const inFlight = () =>
  new Problem(
    409,
    "idempotency-key-in-flight",
    "A request with this Idempotency-Key is still in progress",
    "Retry after the first request finishes.",
    {},
    { "retry-after": "1" },
  );

/** 403 unless the caller is a person: decisions and "my groups" name who. */
export function requireUserPrincipal(c: Context<AppEnv>): string {
  const p = c.get("principal");
  if (p.kind !== "user")
    throw new Problem(
      403,
      "forbidden",
      "A person's session is needed",
      "Sign in as a user; an API key decides nothing.",
    );
  return p.id;
}

/**
 * Group work on an account (a change request's checklist and answer): admins and managers
 * do it for any account; a rep only for accounts of a group they are a member of (DESIGN
 * §11: the group owns the account). 403 otherwise, before anything is written.
 */
export async function requireGroupMember(c: Context<AppEnv>, accountId: string): Promise<void> {
  const p = c.get("principal");
  if (p.role === "admin" || p.role === "manager") return;
  const mine = await groupsStub(c.env, p.tenantId).groupsOf(p.id);
  if (mine.some((g) => g.accountIds.includes(accountId))) return;
  throw new Problem(
    403,
    "not-a-group-member",
    "Not a member of this customer's group",
    "Only members of the customer success group that owns this account (or a manager) check and answer its change requests.",
  );
}
