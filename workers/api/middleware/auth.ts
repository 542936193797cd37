// Authentication: integrator API keys (`lk_…`, looked up by SHA-256 in DirectoryDO and
// cached per isolate) or rep session tokens (HS256 JWT). Sets the tenant-scoped principal
// every route uses; no route reads or writes outside `principal.tenantId`.
import type { MiddlewareHandler } from "hono";
import { verify } from "hono/jwt";
import { sha256Hex } from "../../../core/index.ts";
import type { AppEnv, Principal } from "../env.ts";
import { Problem } from "../errors.ts";

const KEY_CACHE_TTL_MS = 60_000;
const KEY_CACHE_MAX = 1_000;
const keyCache = new Map<string, { principal: Principal | null; expiresAt: number }>();

export const TOKEN_ISSUER = "lifeline";

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
  const hit = keyCache.get(hash);
  if (hit && hit.expiresAt > Date.now()) return hit.principal;
  const principal = await directory(env).resolveApiKey(hash);
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hash, { principal, expiresAt: Date.now() + KEY_CACHE_TTL_MS });
  return principal;
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header("authorization");
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw unauthorized("Send Authorization: Bearer <API key or session token>.");
    const credential = m[1]!;
    let principal: Principal | null = null;
    if (credential.startsWith("lk_")) {
      principal = await resolveApiKey(c.env, credential);
      if (!principal) throw unauthorized("Unknown or revoked API key.");
    } else {
      try {
        const claims = await verify(credential, c.env.AUTH_TOKEN_SECRET, "HS256");
        if (
          claims.iss !== TOKEN_ISSUER ||
          typeof claims.tid !== "string" ||
          typeof claims.sub !== "string"
        ) {
          throw new Error("claims");
        }
        principal = {
          tenantId: claims.tid,
          kind: "user",
          id: claims.sub,
          role: String(claims.role ?? "rep"),
        };
      } catch {
        throw unauthorized("Invalid or expired session token; log in again.");
      }
    }
    c.set("principal", principal);
    await next();
  };
}
