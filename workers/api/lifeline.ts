// The write path shared by every lifeline command (DESIGN §2): Idempotency-Key → key
// registry (422/409) → AccountDO, which journals, dedups and replies in one transaction.
import type { Context } from "hono";
import {
  type Actor,
  type Command,
  fingerprint,
  MIN_JURISDICTION_KEY_CHARS,
  parseIdempotencyKey,
  type WriteOutcome,
} from "../../core/index.ts";
import type { AccountResult } from "../../durable-objects/account/index.ts";
import { accountStub, idempotencyKeyStub } from "../../durable-objects/stubs.ts";
import { regionsOf } from "../../replication/regions.ts";
import type { AppEnv } from "./env.ts";
import { domainProblem, Problem } from "./errors.ts";

export function requireIdempotencyKey(c: Context<AppEnv>): string {
  const parsed = parseIdempotencyKey(c.req.header("idempotency-key"));
  if (!parsed.ok) throw idempotencyKeyRequired(parsed.reason);
  return parsed.key;
}

export function idempotencyKeyRequired(reason: string): Problem {
  return new Problem(
    400,
    "idempotency-key-required",
    "Idempotency-Key header required",
    `Lifeline writes need an Idempotency-Key header (${reason}); reuse it when you retry.`,
    { errors: [{ field: "Idempotency-Key", pointer: "header:Idempotency-Key", message: reason }] },
  );
}

/** A lifeline write the AccountDO answered: what it did, and how the answer is given. */
export type Executed = {
  outcome: WriteOutcome;
  replayed: boolean;
  degraded?: readonly string[] | undefined;
};

/**
 * What a route checks before a new write, beyond the body (a named file is in this
 * region's store); it throws its refusal. A replay does not need it (see executeCommand).
 */
export type Precondition = () => Promise<void>;

/** Runs a lifeline command and answers it as HTTP (status, Location, Lifeline-* headers). */
export async function runCommand(
  c: Context<AppEnv>,
  accountId: string,
  command: Command,
  body: unknown,
  key: string = requireIdempotencyKey(c),
  precondition?: Precondition,
): Promise<Response> {
  const { outcome, replayed, degraded } = await executeCommand(
    c,
    accountId,
    command,
    body,
    key,
    precondition,
  );
  return renderOutcome(outcome, replayed, degraded);
}

/**
 * The write path up to the AccountDO's answer, for a route that acts on the outcome before
 * answering (e.g. audits only a write that changed something); every refusal is thrown as
 * its problem. A `precondition` that fails does not stand in front of a replay [LF2]: the
 * AccountDO is asked for this key's stored answer only (no new write), and the
 * precondition's refusal is thrown only when it has none. So a retry of a write that
 * committed gets its first answer though the file store is down now, or though the
 * write's ledger entry reached this region before its file did.
 */
export async function executeCommand(
  c: Context<AppEnv>,
  accountId: string,
  command: Command,
  body: unknown,
  key: string = requireIdempotencyKey(c),
  precondition?: Precondition,
): Promise<Executed> {
  const principal = c.get("principal");
  const caller = {
    tenantId: principal.tenantId,
    actor: { kind: principal.kind, id: principal.id },
  };
  return executeAs(c, caller, accountId, command, body, key, precondition);
}

/**
 * executeCommand for a caller the route names itself: a route without a principal (the
 * portal's acceptance of an invitation) writes as the person it identified otherwise.
 */
export async function executeAs(
  c: Context<AppEnv>,
  caller: { tenantId: string; actor: Actor },
  accountId: string,
  command: Command,
  body: unknown,
  key: string,
  precondition?: Precondition,
): Promise<Executed> {
  const { tenantId, actor } = caller;
  const fp = fingerprint(c.req.method, c.req.path, body);
  const registry = idempotencyKeyStub(c.env, tenantId, key);
  const account = accountStub(c.env, tenantId, accountId);
  const request = {
    tenantId,
    accountId,
    idempotencyKey: key,
    fingerprint: fp,
    actor,
    command,
  };
  let result = precondition
    ? await storedUnless(precondition, () => account.execute(request, { replayOnly: true }))
    : null;
  if (!result) {
    const claim = await registry.claim(key, fp);
    if (claim === "mismatch") throw keyReused();
    if (claim === "in-flight") throw inFlight();
    result = await account.execute(request);
  }
  switch (result.kind) {
    case "response": {
      c.executionCtx.waitUntil(registry.complete(key, fp));
      return { outcome: result.outcome, replayed: result.replayed, degraded: result.degraded };
    }
    case "mismatch":
      throw keyReused();
    case "in-flight":
      throw inFlight();
    case "unavailable":
      // Not acknowledged: committed here, not yet held by a second region. The same key
      // retried completes it without a second effect, so the key is bound (not left in
      // flight, which would answer the retry with 409 until the lease ran out).
      c.executionCtx.waitUntil(registry.complete(key, fp));
      // The peers' failure texts are for the log: the client learns what to do, in our words.
      console.warn("region durability unavailable", result.detail);
      throw new Problem(
        503,
        "region-durability-unavailable",
        "No second region confirmed the write in time",
        "This write needs a second region of the jurisdiction before it is acknowledged; retry with the same Idempotency-Key.",
        {},
        { "retry-after": "1" },
      );
    case "misdirected": {
      c.executionCtx.waitUntil(registry.release(key, fp));
      throw wrongJurisdiction(
        c.env,
        result.jurisdiction,
        `Send writes for this account to a ${result.jurisdiction} region.`,
      );
    }
    case "jurisdiction-unknown":
      c.executionCtx.waitUntil(registry.release(key, fp));
      throw new Problem(
        409,
        "jurisdiction-unknown",
        "This region does not know the account's jurisdiction yet",
        "Part of this account has reached this region but not its customer record, so the region cannot tell where the account may be written. Nothing was written; retry shortly, or at a region of the account's jurisdiction.",
        {},
        { "retry-after": "1" },
      );
    case "rejected":
      c.executionCtx.waitUntil(registry.release(key, fp));
      throw domainProblem(result.error);
    case "not-stored":
      // Only a replay-only call answers this, and storedUnless never passes it on.
      throw new Error("a replay-only answer reached the write path");
  }
}

/** null when `precondition` holds; else the key's stored answer, or the precondition's refusal. */
async function storedUnless(
  precondition: Precondition,
  replay: () => Promise<AccountResult>,
): Promise<AccountResult | null> {
  try {
    await precondition();
    return null;
  } catch (refusal) {
    const stored = await replay();
    if (stored.kind === "not-stored") throw refusal;
    return stored;
  }
}

/** Records read at `/v1/<path>/<id>`; a portal user is read under its customer (the route says where). */
const PATHS: Readonly<Partial<Record<WriteOutcome["target"]["kind"], string>>> = {
  customer: "customers",
  contract: "contracts",
  payment: "payments",
  "service-request": "service-requests",
  "change-request": "change-requests",
};

/**
 * The one place a write's HTTP answer is shaped: status, Location, the Lifeline-* headers
 * and the stored body (byte for byte, so a replay answers what the first attempt did).
 * `answer` is for a route whose record is not at `/v1/<kind>/<id>` (`location`) or that
 * answers more than the stored view (`body`: built from it, e.g. with a one-time code).
 */
export function renderOutcome(
  outcome: WriteOutcome,
  replayed: boolean,
  degraded: readonly string[] = [],
  answer: { body?: string; location?: string } = {},
): Response {
  const path = PATHS[outcome.target.kind];
  const location = answer.location ?? (path && `/v1/${path}/${outcome.target.id}`);
  const headers = new Headers({
    "content-type": "application/json",
    "lifeline-hlc": outcome.version,
    // A write answered while still pending is held only here.
    "lifeline-durability": outcome.durability === "region" ? "region" : "local",
  });
  if (location) headers.set("location", location);
  if (replayed) headers.set("idempotent-replayed", "true");
  if (degraded.length > 0) headers.set("lifeline-degraded", degraded.join(", "));
  return new Response(answer.body ?? outcome.body, {
    status: outcome.created ? 201 : 200,
    headers,
  });
}

/**
 * The key that derives ids of accounts resident in `residency` from their tax ids. Only
 * regions of that jurisdiction hold it, so a write for another jurisdiction is sent there
 * before any id is derived [LF4]. A region without its key is misconfigured (500).
 */
export function accountIdKey(env: Env, residency: string): string {
  if (residency !== env.JURISDICTION)
    throw wrongJurisdiction(
      env,
      residency,
      `Create customers resident in ${residency} in a ${residency} region.`,
    );
  const key = env.ACCOUNT_ID_KEY;
  if (!key || key.length < MIN_JURISDICTION_KEY_CHARS)
    throw new Error(`ACCOUNT_ID_KEY is not set (${MIN_JURISDICTION_KEY_CHARS}+ characters)`);
  return key;
}

/**
 * The account's data lives in another jurisdiction: no effect was taken, and the answer
 * names that jurisdiction's regions. 409, not 421: HTTP clients (undici among them) may
 * silently resend a 421 on a new connection to the same origin, which cannot help here.
 */
export function wrongJurisdiction(env: Env, jurisdiction: string, detail: string): Problem {
  const regions = regionsOf(env)
    .filter((r) => r.jurisdiction === jurisdiction)
    .map((r) => ({ region: r.region, url: r.url }));
  return new Problem(
    409,
    "wrong-jurisdiction",
    "This account's data lives in another jurisdiction",
    detail,
    { jurisdiction, regions },
    { "lifeline-jurisdiction": jurisdiction },
  );
}

export const keyReused = () =>
  new Problem(
    422,
    "idempotency-key-reused",
    "Idempotency-Key reused with a different request",
    "This key was first used for another request body or path; use a new key for a new request.",
  );

export const inFlight = () =>
  new Problem(
    409,
    "idempotency-key-in-flight",
    "A request with this Idempotency-Key is still in progress",
    "Retry after the first request finishes.",
    {},
    { "retry-after": "1" },
  );
