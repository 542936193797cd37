// Rate limits (DESIGN §12): token buckets per API key or user and per tenant on every
// authenticated route, per client address and per e-mail on login, all held in RateLimitDO.
//
// Correctness vs latency: a DO round trip on every request would add a hop to every call
// and serialise a whole tenant through one object. Instead each isolate *leases* tokens:
// it takes a batch from the DO (1 at first, doubling while it spends a lease before the
// lease expires, at most burst/LEASE_DIVISOR) and spends it locally. Leased tokens come out
// of the one shared bucket, so all isolates together never admit more than the policy;
// tokens a lease does not spend within LEASE_MS are lost (the error is on the strict side,
// at most one lease per isolate). A quiet key pays one DO call per request; a busy one one
// per lease. Header `r` values are this isolate's view: the DO's count after the last
// lease plus what is left of it.
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import { sha256Hex } from "../../../core/index.ts";
import { type BucketPolicy, secondsToFull } from "../../../durable-objects/rate-limit/bucket.ts";
import { type RateLimitKind, rateLimitStub } from "../../../durable-objects/rate-limit/index.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";

const Policy = z.strictObject({
  burst: z.number().int().min(1).max(10_000_000),
  perS: z.number().positive().max(1_000_000),
});
const Lockout = z.strictObject({
  freeFailures: z.number().int().min(0).max(1_000),
  baseDelayMs: z.number().int().min(1).max(3_600_000),
  maxDelayMs: z.number().int().min(1).max(86_400_000),
});
const Limits = z.strictObject({
  key: Policy,
  tenant: Policy,
  loginAddress: Policy,
  loginEmail: Policy,
  emailLockout: Lockout,
  addressLockout: Lockout,
});
export type Limits = z.infer<typeof Limits>;

/**
 * Defaults: far above what an integrator or the benchmarks (hundreds of requests per second
 * with one key) send, low enough that one key cannot take a region. Login: a burst of 10
 * per address, then one every 2 s; 10 per e-mail, then one every 10 s. Growing waits after
 * consecutive failures: after 5 for an e-mail, 1 s, 2 s, 4 s … at most 15 min; after 10
 * from one address the same (an office behind one NAT has headroom, and any success from
 * the address clears its failures). A password check is ~40 ms of a thread nothing else
 * can use meanwhile, so a storm from one address costs a handful of them, then none.
 */
export const DEFAULT_LIMITS: Limits = {
  key: { burst: 6_000, perS: 600 },
  tenant: { burst: 30_000, perS: 3_000 },
  loginAddress: { burst: 10, perS: 0.5 },
  loginEmail: { burst: 10, perS: 0.1 },
  emailLockout: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 },
  addressLockout: { freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 },
};

let parsed: { text: string | undefined; limits: Limits } | undefined;

/** The limits: DEFAULT_LIMITS with the `RATE_LIMITS` var (JSON, any subset of keys) on top. */
export function limitsOf(env: Env): Limits {
  const text = env.RATE_LIMITS;
  if (parsed && parsed.text === text) return parsed.limits;
  let overrides: unknown = {};
  try {
    overrides = text ? JSON.parse(text) : {};
  } catch {
    throw new Error("RATE_LIMITS is not JSON");
  }
  const result = Limits.partial().safeParse(overrides);
  if (!result.success) throw new Error(`RATE_LIMITS: ${result.error.message}`);
  parsed = { text, limits: { ...DEFAULT_LIMITS, ...result.data } };
  return parsed.limits;
}

/**
 * The key a login's client address is counted under: CF-Connecting-IP, which Cloudflare
 * sets on every request that reaches a Worker. Without it (only under local `wrangler dev`
 * from a raw socket, never in production) every client is one fixed local address: on a
 * laptop the limit is per machine.
 */
export const LOCAL_ADDRESS = "local";
export const clientAddress = (c: Context) => c.req.header("cf-connecting-ip") ?? LOCAL_ADDRESS;

function tooMany(retryAfterMs: number, detail: string, headers: Record<string, string> = {}) {
  const retryAfterS = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new Problem(
    429,
    "rate-limited",
    "Too many requests",
    `${detail} Retry after ${retryAfterS} s.`,
    { retryAfterS },
    { "retry-after": String(retryAfterS), ...headers },
  );
}

// ---------------------------------------------------------------- leases (every route)

const LEASE_MS = 1_000;
const LEASE_DIVISOR = 50;
const MAX_LEASES = 10_000;

type Lease = {
  tokens: number;
  size: number;
  expiresAtMs: number;
  /** The shared bucket's count when the lease was taken. */
  sharedRemaining: number;
  blockedUntilMs: number;
};
const leases = new Map<string, Lease>();

type Verdict = { ok: boolean; remaining: number; retryAfterMs: number };

async function admit(
  env: Env,
  kind: RateLimitKind,
  key: string,
  policy: BucketPolicy,
): Promise<Verdict> {
  const id = `${kind}\u0000${key}`;
  const now = Date.now();
  const lease = leases.get(id);
  if (lease && lease.blockedUntilMs > now) {
    return { ok: false, remaining: 0, retryAfterMs: lease.blockedUntilMs - now };
  }
  if (lease && lease.tokens > 0 && lease.expiresAtMs > now) {
    lease.tokens--;
    return { ok: true, remaining: lease.sharedRemaining + lease.tokens, retryAfterMs: 0 };
  }
  // Concurrent renewals each ask the DO (no request awaits another's promise: a request
  // that is cancelled mid-call would leave the others waiting forever).
  return renew(env, kind, key, id, policy, lease, now);
}

async function renew(
  env: Env,
  kind: RateLimitKind,
  key: string,
  id: string,
  policy: BucketPolicy,
  previous: Lease | undefined,
  now: number,
): Promise<Verdict> {
  const maxSize = Math.max(1, Math.floor(policy.burst / LEASE_DIVISOR));
  // Spent before it expired: the key is busy, lease more; otherwise start small again.
  const size = previous && previous.expiresAtMs > now ? Math.min(maxSize, previous.size * 2) : 1;
  const lease: Lease = previous ?? {
    tokens: 0,
    size,
    expiresAtMs: 0,
    sharedRemaining: 0,
    blockedUntilMs: 0,
  };
  if (!previous) {
    if (leases.size >= MAX_LEASES) leases.delete(leases.keys().next().value!);
    leases.set(id, lease);
  }
  const { stub, name } = rateLimitStub(env, kind, key);
  let r: Awaited<ReturnType<typeof stub.take>>;
  try {
    r = await stub.take(name, policy, size, 1);
  } catch (err) {
    // Budgets protect the region; they must not take it down [LF5]: without its
    // RateLimitDO a request is admitted (and the failure logged), never refused.
    console.warn("rate-limit: RateLimitDO unavailable, admitting", String(err));
    return { ok: true, remaining: lease.sharedRemaining, retryAfterMs: 0 };
  }
  const at = Date.now();
  if (!r.ok) {
    lease.tokens = 0;
    lease.blockedUntilMs = at + r.retryAfterMs;
    return { ok: false, remaining: 0, retryAfterMs: r.retryAfterMs };
  }
  lease.size = size;
  lease.tokens = r.granted - 1;
  lease.expiresAtMs = at + LEASE_MS;
  lease.sharedRemaining = r.remaining;
  return { ok: true, remaining: r.remaining + lease.tokens, retryAfterMs: 0 };
}

const windowS = (p: BucketPolicy) => Math.max(1, Math.round(p.burst / p.perS));

/**
 * Every authenticated route: one bucket per API key or user, one per tenant. Answers carry
 * `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers); past either
 * budget the answer is 429 with `Retry-After`. Health, the OpenAPI document, replication
 * and the local routes are never limited here (they are not behind `authenticate`).
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const principal = c.get("principal");
    if (!principal || isExempt(c.req.path)) return next();
    const limits = limitsOf(c.env);
    // One after the other: a request the key's budget refuses spends none of the tenant's.
    const key = await admit(
      c.env,
      "key",
      `${principal.tenantId}/${principal.kind}/${principal.id}`,
      limits.key,
    );
    const tenant = key.ok ? await admit(c.env, "tenant", principal.tenantId, limits.tenant) : null;
    const item = (name: string, p: BucketPolicy, v: Verdict) =>
      `"${name}";r=${v.remaining};t=${v.ok ? secondsToFull(p, v.remaining) : Math.ceil(v.retryAfterMs / 1000)}`;
    const headers = {
      "ratelimit-policy": `"key";q=${limits.key.burst};w=${windowS(limits.key)}, "tenant";q=${limits.tenant.burst};w=${windowS(limits.tenant)}`,
      // The tenant's count is unknown (and untouched) when the key's budget refused.
      ratelimit: [
        item("key", limits.key, key),
        ...(tenant ? [item("tenant", limits.tenant, tenant)] : []),
      ].join(", "),
    };
    const refused = !key.ok ? key : tenant && !tenant.ok ? tenant : null;
    if (refused) {
      throw tooMany(
        refused.retryAfterMs,
        `The request budget of ${refused === key ? "this credential" : "this tenant"} is spent.`,
        headers,
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

const EXEMPT = [/^\/v1\/health$/, /^\/v1\/openapi\.json$/, /^\/v1\/replication\//, /^\/__local\//];
const isExempt = (path: string) => EXEMPT.some((re) => re.test(path));

// ---------------------------------------------------------------- login

const MAX_BLOCKED = 10_000;
/**
 * A refused login is answered after a tarpit delay, up to MAX_TARPITTED at a time per
 * isolate (past that, at once). A client that ignores Retry-After and retries at once, in
 * any number of parallel connections, then costs the isolate a few cheap answers per
 * second each, instead of keeping its event loop busy; nothing of the isolate is held
 * while a refusal waits.
 *
 * The delay is drawn from [TARPIT_MS/2, TARPIT_MS), not "until the lockout ends": with
 * the latter, every refusal that arrived during a lockout was released in the same
 * millisecond, and a storm's connections came back as one burst that stalled the event
 * loop (the login storm bench showed API-key p99 at 5× its unloaded value). Jitter keeps
 * the storm's arrivals spread out.
 */
const TARPIT_MS = 2_000;
const MAX_TARPITTED = 2_000;
let tarpitted = 0;

const tarpitDelayMs = (random: number = Math.random()) =>
  Math.floor(TARPIT_MS / 2 + (TARPIT_MS / 2) * Math.min(Math.max(random, 0), 0.999));

async function refuseLogin(retryAfterMs: number, detail: string): Promise<never> {
  if (tarpitted < MAX_TARPITTED) {
    const delayMs = tarpitDelayMs();
    tarpitted++;
    try {
      await new Promise((r) => setTimeout(r, delayMs));
    } finally {
      tarpitted--;
    }
    throw tooMany(retryAfterMs - delayMs, detail);
  }
  throw tooMany(retryAfterMs, detail);
}
/** Addresses this isolate knows to be refused, and until when. */
const blockedAddresses = new Map<string, number>();

function block(address: string, untilMs: number) {
  blockedAddresses.delete(address);
  if (blockedAddresses.size >= MAX_BLOCKED) {
    blockedAddresses.delete(blockedAddresses.keys().next().value!);
  }
  blockedAddresses.set(address, untilMs);
}

/**
 * Login, before the body is read: the client address's budget and lockout. Once the DO
 * has refused an address, this isolate answers 429 itself until the stated time, so a
 * storm costs neither a DO call nor a password check.
 */
export function loginAddressLimit(): MiddlewareHandler<AppEnv> {
  return async function loginAddressLimit(c, next) {
    const address = clientAddress(c);
    const now = Date.now();
    const until = blockedAddresses.get(address);
    if (until !== undefined && until > now) {
      await refuseLogin(until - now, "Too many logins from this address.");
    }
    if (until !== undefined) blockedAddresses.delete(address);
    const { stub, name } = rateLimitStub(c.env, "login-ip", address);
    const gate = await stub.loginAttempt(name, limitsOf(c.env).loginAddress);
    if (!gate.ok) {
      block(address, Date.now() + gate.retryAfterMs);
      await refuseLogin(gate.retryAfterMs, "Too many logins from this address.");
    }
    await next();
  };
}

const emailKey = (email: string) => sha256Hex(email.trim().toLowerCase());

/** The e-mail's gate: its budget and its lockout after consecutive failures. */
export async function loginEmailGate(env: Env, email: string): Promise<void> {
  const { stub, name } = rateLimitStub(env, "login-email", emailKey(email));
  const gate = await stub.loginAttempt(name, limitsOf(env).loginEmail);
  if (!gate.ok) {
    await refuseLogin(
      gate.retryAfterMs,
      gate.reason === "locked"
        ? "Too many failed logins for this e-mail; each further failure doubles the wait."
        : "Too many logins for this e-mail.",
    );
  }
}

/** Records a checked password's outcome for the e-mail and the address. */
export async function loginOutcome(c: Context, email: string, ok: boolean): Promise<void> {
  const limits = limitsOf(c.env);
  const byEmail = rateLimitStub(c.env, "login-email", emailKey(email));
  const byAddress = rateLimitStub(c.env, "login-ip", clientAddress(c));
  if (ok) {
    await Promise.all([
      byEmail.stub.loginSucceeded(byEmail.name, true),
      byAddress.stub.loginSucceeded(byAddress.name, false),
    ]);
    return;
  }
  const [, address] = await Promise.all([
    byEmail.stub.loginFailed(byEmail.name, limits.emailLockout),
    byAddress.stub.loginFailed(byAddress.name, limits.addressLockout),
  ]);
  // The address's wait starts now: this isolate need not ask the DO again until it ends.
  if (address.lockedUntilMs > Date.now()) block(clientAddress(c), address.lockedUntilMs);
}
