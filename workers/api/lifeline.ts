// The write path shared by every lifeline command (DESIGN §2): Idempotency-Key → key
// registry (422/409) → AccountDO, which journals, dedups and replies in one transaction.
import type { Context } from "hono";
import { type Command, fingerprint, parseIdempotencyKey } from "../../core/index.ts";
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

export async function runCommand(
  c: Context<AppEnv>,
  accountId: string,
  command: Command,
  body: unknown,
  key: string = requireIdempotencyKey(c),
): Promise<Response> {
  const principal = c.get("principal");
  const fp = fingerprint(c.req.method, c.req.path, body);
  const registry = idempotencyKeyStub(c.env, principal.tenantId, key);
  const claim = await registry.claim(key, fp);
  if (claim === "mismatch") throw keyReused();
  if (claim === "in-flight") throw inFlight();

  const result = await accountStub(c.env, principal.tenantId, accountId).execute({
    tenantId: principal.tenantId,
    accountId,
    idempotencyKey: key,
    fingerprint: fp,
    actor: { kind: principal.kind, id: principal.id },
    command,
  });
  switch (result.kind) {
    case "response": {
      c.executionCtx.waitUntil(registry.complete(key, fp));
      const headers = new Headers(result.response.headers);
      if (!headers.has("lifeline-durability")) headers.set("lifeline-durability", "local");
      if (result.replayed) headers.set("idempotent-replayed", "true");
      return new Response(result.response.body, { status: result.response.status, headers });
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
    case "rejected":
      c.executionCtx.waitUntil(registry.release(key, fp));
      throw domainProblem(result.error);
  }
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
