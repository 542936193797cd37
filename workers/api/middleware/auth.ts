// Authentication: integrator API keys (`lk_…`, looked up by SHA-256 in DirectoryDO) or rep
// session tokens (HS256 JWT carrying the user's token version). Sets the tenant-scoped
// principal every route uses; no route reads or writes outside `principal.tenantId`.
//
// Per-isolate caches, each bounded and expiring:
// * known API keys for KEY_TTL_MS (a revoked key works up to that long in a warm isolate);
// * unknown keys for UNKNOWN_KEY_TTL_MS, in a cache of their own, so spraying random keys
//   neither reaches DirectoryDO on every request nor evicts the known ones;
// * users' token versions for TOKEN_VERSION_TTL_MS. Revocation latency: a logout rejects
//   the user's earlier tokens at once in the isolate that served it, and in every other
//   isolate of the region within TOKEN_VERSION_TTL_MS (30 s). The version lives in this
//   region's DirectoryDO: another region keeps accepting the token until it expires.
import type { MiddlewareHandler } from "hono";
import { verify } from "hono/jwt";
import { sha256Hex } from "../../../core/index.ts";
import type { AppEnv, Principal } from "../env.ts";
import { Problem } from "../errors.ts";

const KEY_TTL_MS = 60_000;
const UNKNOWN_KEY_TTL_MS = 10_000;
const TOKEN_VERSION_TTL_MS = 30_000;
const CACHE_MAX = 1_000;

/** A Map that forgets its oldest entry past `max` and every entry after its TTL. */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt > Date.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}

const knownKeys = new TtlCache<Principal>(KEY_TTL_MS, CACHE_MAX);
const unknownKeys = new TtlCache<true>(UNKNOWN_KEY_TTL_MS, CACHE_MAX);
const tokenVersions = new TtlCache<number | null>(TOKEN_VERSION_TTL_MS, 10 * CACHE_MAX);

export const TOKEN_ISSUER = "lifeline";
/**
 * The audience of a customer's portal session (DESIGN §12). Staff tokens carry no `aud`;
 * a token that carries any audience is refused by every staff route, and only a token with
 * this one is taken by the portal's routes, so neither realm's session opens the other's.
 */
export const PORTAL_AUDIENCE = "lifeline-portal";

function unauthorized(detail: string): Problem {
  return new Problem(
    401,
    "unauthorized",
    "Authentication required",
    detail,
    {},
    { "www-authenticate": 'Bearer realm="lifeline"' },
  );
}

export function directory(env: Env) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName("directory"));
}

async function resolveApiKey(env: Env, key: string): Promise<Principal | null> {
  const hash = sha256Hex(key);
  const known = knownKeys.get(hash);
  if (known) return known;
  if (unknownKeys.get(hash)) return null;
  const principal = await directory(env).resolveApiKey(hash);
  if (principal) knownKeys.set(hash, principal);
  else unknownKeys.set(hash, true);
  return principal;
}

const versionKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;

/**
 * The user's token version in this region's directory, or null when the tenant has no such
 * user: cached per isolate for TOKEN_VERSION_TTL_MS, so it also answers "does this user
 * exist?" (an owner named in a request) without a DirectoryDO call each time.
 */
export async function tokenVersion(
  env: Env,
  tenantId: string,
  userId: string,
): Promise<number | null> {
  return cachedVersion(tokenVersions, tenantId, userId, () =>
    directory(env).tokenVersion(tenantId, userId),
  );
}

/** A token version through one of this isolate's caches (`read` on a miss). */
async function cachedVersion(
  cache: TtlCache<number | null>,
  tenantId: string,
  userId: string,
  read: () => Promise<number | null>,
): Promise<number | null> {
  const key = versionKey(tenantId, userId);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const version = await read();
  cache.set(key, version);
  return version;
}

/** After a logout: this isolate rejects the old tokens from now on. */
export function rememberTokenVersion(tenantId: string, userId: string, version: number | null) {
  tokenVersions.set(versionKey(tenantId, userId), version);
}

/** The request's bearer credential; 401 naming what to send when there is none. */
function bearerCredential(header: string | undefined, what: string): string {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw unauthorized(`Send Authorization: Bearer <${what}>.`);
  return m[1]!;
}

/** A session token's claims, its HS256 signature and expiry checked; 401 otherwise. */
async function sessionClaims(env: Env, credential: string): Promise<Record<string, unknown>> {
  try {
    return await verify(credential, env.AUTH_TOKEN_SECRET, "HS256");
  } catch {
    throw unauthorized("Invalid or expired session token; log in again.");
  }
}

async function userPrincipal(env: Env, credential: string): Promise<Principal> {
  const claims = await sessionClaims(env, credential);
  if (
    claims.iss !== TOKEN_ISSUER ||
    typeof claims.tid !== "string" ||
    typeof claims.sub !== "string" ||
    !Number.isSafeInteger(claims.ver)
  ) {
    throw unauthorized("Invalid or expired session token; log in again.");
  }
  if (claims.aud !== undefined) throw portalSessionHere();
  if ((await tokenVersion(env, claims.tid, claims.sub)) !== claims.ver) {
    throw unauthorized("This session was ended (logout); log in again.");
  }
  return { tenantId: claims.tid, kind: "user", id: claims.sub, role: String(claims.role ?? "rep") };
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const credential = bearerCredential(c.req.header("authorization"), "API key or session token");
    let principal: Principal | null;
    if (credential.startsWith("lk_")) {
      principal = await resolveApiKey(c.env, credential);
      if (!principal) throw unauthorized("Unknown or revoked API key.");
    } else {
      principal = await userPrincipal(c.env, credential);
    }
    c.set("principal", principal);
    await next();
  };
}

function portalSessionHere(): Problem {
  return new Problem(
    403,
    "forbidden",
    "Not allowed",
    "A customer portal session may call the portal's routes (/v1/portal/*) only.",
  );
}

const portalVersions = new TtlCache<number | null>(TOKEN_VERSION_TTL_MS, 10 * CACHE_MAX);

/** The portal user's token version in this region (null: no such portal user here). */
function portalTokenVersion(env: Env, tenantId: string, userId: string) {
  return cachedVersion(portalVersions, tenantId, userId, () =>
    directory(env).portalTokenVersion(tenantId, userId),
  );
}

/** After a portal logout: this isolate rejects the user's old portal tokens from now on. */
export function rememberPortalTokenVersion(tenantId: string, userId: string, v: number | null) {
  portalVersions.set(versionKey(tenantId, userId), v);
}

/**
 * The portal's routes: only a portal session (audience PORTAL_AUDIENCE) is taken; an API
 * key or a staff session is a 403, so an integrator or a rep never reads through the
 * portal's filtered views either. Sets a `portal` principal bound to one account.
 */
export function authenticatePortal(): MiddlewareHandler<AppEnv> {
  return async function authenticatePortal(c, next) {
    const credential = bearerCredential(c.req.header("authorization"), "portal session token");
    const notPortal = () =>
      new Problem(
        403,
        "forbidden",
        "Not allowed",
        "The portal's routes take a customer portal session (POST /v1/portal/auth/login).",
      );
    if (credential.startsWith("lk_")) throw notPortal();
    const claims = await sessionClaims(c.env, credential);
    if (claims.aud !== PORTAL_AUDIENCE) {
      if (claims.iss === TOKEN_ISSUER && claims.aud === undefined) throw notPortal();
      throw unauthorized("Invalid or expired session token; log in again.");
    }
    if (
      claims.iss !== TOKEN_ISSUER ||
      typeof claims.tid !== "string" ||
      typeof claims.sub !== "string" ||
      typeof claims.acc !== "string" ||
      !Number.isSafeInteger(claims.ver)
    ) {
      throw unauthorized("Invalid or expired session token; log in again.");
    }
    if ((await portalTokenVersion(c.env, claims.tid, claims.sub)) !== claims.ver) {
      throw unauthorized("This session was ended; log in again.");
    }
    c.set("principal", {
      tenantId: claims.tid,
      kind: "portal",
      id: claims.sub,
      role: "portal",
      accountId: claims.acc,
    });
    await next();
  };
}
